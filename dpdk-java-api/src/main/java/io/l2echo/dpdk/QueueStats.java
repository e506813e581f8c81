package io.l2echo.dpdk;

/**
 * One queue's echo counters at one instant, as its lcore last published them. Runts (frames
 * shorter than an Ethernet header) are dropped and counted apart from rxPackets.
 */
public record QueueStats(
        int lcore,
        QueueRef queue,
        long rxPackets,
        long rxBytes,
        long txPackets,
        long txBytes,
        long txDropped,
        long rxBursts,
        long emptyPolls,
        long txRetries,
        long rxRunts) {

    /** Average frames per non-empty poll: how full the bursts run. */
    public double averageBurst() {
        return rxBursts == 0 ? 0 : (double) rxPackets / rxBursts;
    }
}
