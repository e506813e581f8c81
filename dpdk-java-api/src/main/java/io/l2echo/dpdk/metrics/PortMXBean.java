package io.l2echo.dpdk.metrics;

/**
 * A port as JMX shows it ({@code io.l2echo:type=Port,port=N}): the NIC's own counters
 * ({@code rte_eth_stats}), its link, and the occupancy of the mbuf pool behind it.
 */
public interface PortMXBean {
    /** The DPDK port id. */
    int getPortId();

    /** Frames the NIC received, as its driver counts them ({@code rte_eth_stats.ipackets}). */
    long getRxPackets();

    /** Frames the NIC sent ({@code rte_eth_stats.opackets}). */
    long getTxPackets();

    /** Bytes the NIC received ({@code rte_eth_stats.ibytes}). */
    long getRxBytes();

    /** Bytes the NIC sent ({@code rte_eth_stats.obytes}). */
    long getTxBytes();

    /** Frames the NIC dropped because its Rx ring was full: the loop fell behind. */
    long getRxMissed();

    /** Erroneous frames the NIC received ({@code rte_eth_stats.ierrors}). */
    long getRxErrors();

    /** Frames the NIC failed to send ({@code rte_eth_stats.oerrors}). */
    long getTxErrors();

    /** Receive attempts that found the mbuf pool empty. */
    long getRxNoMbuf();

    /** Whether the link is up, as last reported (for net_af_packet, as its kernel interface's operstate says). */
    boolean isLinkUp();

    /** Link speed in Mb/s; 0 when the device does not know it (virtual ports). */
    long getLinkSpeedMbps();

    /**
     * Mbufs out of the port's pool ({@code rte_mempool_in_use_count}): in descriptor rings, lcore
     * caches and in flight.
     */
    int getMbufsInUse();
}
