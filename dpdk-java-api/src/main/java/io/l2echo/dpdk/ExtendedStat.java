package io.l2echo.dpdk;

/** One of a driver's extended counters ({@code rte_eth_xstats}). */
public record ExtendedStat(String name, long value) {
}
