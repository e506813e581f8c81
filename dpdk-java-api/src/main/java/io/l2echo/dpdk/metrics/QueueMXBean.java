package io.l2echo.dpdk.metrics;

/**
 * One polling lcore's queue as JMX shows it ({@code io.l2echo:type=Queue,lcore=L,port=P,queue=Q}):
 * the counters the loop publishes to shared memory, read without stopping it.
 */
public interface QueueMXBean {
    /** The lcore whose echo loop polls this queue. */
    int getLcore();

    /** The port the queue belongs to. */
    int getPortId();

    /** The queue id, the same for Rx and Tx: the loop echoes on the queue it received on. */
    int getQueueId();

    /**
     * Frames the loop received on this queue, then echoed or dropped on Tx; runts and the frames
     * the reflect policy did not reflect are counted apart.
     */
    long getRxPackets();

    /** Bytes of those frames, without CRC. */
    long getRxBytes();

    /** Frames the Tx queue accepted: the echoes sent back. */
    long getTxPackets();

    /** Bytes of the frames the Tx queue accepted, without CRC. */
    long getTxBytes();

    /** Frames the Tx ring refused after every retry, freed by the loop. */
    long getTxDropped();

    /** Extra {@code rte_eth_tx_burst} calls for frames the Tx ring refused. */
    long getTxRetries();

    /** Frames shorter than an Ethernet header, dropped before the swap. */
    long getRxRunts();

    /** Frames to a multicast or broadcast address, not reflected (the unicast policy). */
    long getRxGroupDst();

    /** Frames to an IEEE 802.1 link-local address (01:80:c2:00:00:00-0f), not reflected. */
    long getRxLinkLocal();

    /** Frames from a group source address, which no device may send: dropped. */
    long getRxGroupSrc();

    /** Group-destined frames reflected with the port's own MAC as source (the group policy). */
    long getTxOwnSource();

    /** Polls that returned at least one frame. */
    long getRxBursts();

    /** Polls that returned no frame: against {@link #getRxBursts()}, how idle the loop is. */
    long getEmptyPolls();

    /** TSC cycles of the polls that returned frames, from the Rx poll to the burst's transmit. */
    long getBusyCycles();

    /** Busy cycles per frame received: testpmd's "CPU cycles/packet" for this queue. */
    double getCyclesPerFrame();

    /** Frames per non-empty poll: how full the bursts run. */
    double getAverageBurst();
}
