package io.l2echo.dpdk.metrics;

/**
 * A port as JMX shows it ({@code io.l2echo:type=Port,port=N}): the NIC's own counters
 * ({@code rte_eth_stats}), its link, and the occupancy of the mbuf pool behind it.
 */
public interface PortMXBean {
    int getPortId();

    long getRxPackets();

    long getTxPackets();

    long getRxBytes();

    long getTxBytes();

    /** Frames the NIC dropped because its Rx ring was full: the loop fell behind. */
    long getRxMissed();

    long getRxErrors();

    long getTxErrors();

    /** Receive attempts that found the mbuf pool empty. */
    long getRxNoMbuf();

    boolean isLinkUp();

    /** Link speed in Mb/s; 0 when the device does not know it (virtual ports). */
    long getLinkSpeedMbps();

    int getMbufsInUse();
}
