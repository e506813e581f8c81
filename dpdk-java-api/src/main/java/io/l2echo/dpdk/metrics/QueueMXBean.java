package io.l2echo.dpdk.metrics;

/**
 * One polling lcore's queue as JMX shows it ({@code io.l2echo:type=Queue,lcore=L,port=P,queue=Q}):
 * the counters the loop publishes to shared memory, read without stopping it.
 */
public interface QueueMXBean {
    int getLcore();

    int getPortId();

    int getQueueId();

    long getRxPackets();

    long getRxBytes();

    long getTxPackets();

    long getTxBytes();

    /** Frames the Tx ring refused after every retry, freed by the loop. */
    long getTxDropped();

    long getTxRetries();

    /** Frames shorter than an Ethernet header, dropped before the swap. */
    long getRxRunts();

    long getRxBursts();

    long getEmptyPolls();

    /** Frames per non-empty poll: how full the bursts run. */
    double getAverageBurst();
}
