package io.l2echo.dpdk;

/** A port's basic counters ({@code rte_eth_stats}) at one instant. */
public record PortStats(
        long rxPackets,
        long txPackets,
        long rxBytes,
        long txBytes,
        long rxMissed,
        long rxErrors,
        long txErrors,
        long rxNoMbuf) {

    /* Indexes of the shim's stats array (dpdkj_port.cpp, enum stats_field). */
    static final int FIELD_COUNT = 8;

    static PortStats of(long[] f) {
        return new PortStats(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
    }
}
