package io.l2echo.dpdk;

/** A port's link as last reported, read without waiting for the link to settle. */
public record LinkStatus(boolean up, long speedMbps, boolean fullDuplex, boolean autoNegotiated) {
    /** RTE_ETH_SPEED_NUM_UNKNOWN: virtual devices often report it. */
    public static final long SPEED_UNKNOWN = 0xFFFF_FFFFL;

    /* Indexes of the shim's link array (dpdkj_port.cpp, enum link_field). */
    static final int FIELD_COUNT = 4;

    static LinkStatus of(long[] f) {
        return new LinkStatus(f[0] != 0, f[1], f[2] != 0, f[3] != 0);
    }

    /** The same link, up or down. */
    public LinkStatus withUp(boolean isUp) {
        return new LinkStatus(isUp, speedMbps, fullDuplex, autoNegotiated);
    }

    @Override
    public String toString() {
        if (!up) {
            return "down";
        }
        return "up " + (speedMbps == SPEED_UNKNOWN ? "(speed unknown)" : speedMbps + " Mbps") + " "
                + (fullDuplex ? "full" : "half") + "-duplex";
    }
}
