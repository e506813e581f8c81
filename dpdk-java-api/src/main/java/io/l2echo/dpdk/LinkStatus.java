package io.l2echo.dpdk;

/** A port's link as last reported, read without waiting for the link to settle. */
public record LinkStatus(boolean up, long speedMbps, boolean fullDuplex, boolean autoNegotiated) {
    /* Indexes of the shim's link array (dpdkj_port.cpp, enum link_field). */
    static final int FIELD_COUNT = 4;

    static LinkStatus of(long[] f) {
        return new LinkStatus(f[0] != 0, f[1], f[2] != 0, f[3] != 0);
    }

    @Override
    public String toString() {
        return up ? "up " + speedMbps + " Mbps " + (fullDuplex ? "full" : "half") + "-duplex" : "down";
    }
}
