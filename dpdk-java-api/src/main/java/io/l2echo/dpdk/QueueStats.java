package io.l2echo.dpdk;

/**
 * One queue's echo counters at one instant, as its lcore last published them. Runts (frames
 * shorter than an Ethernet header) are dropped and counted apart from rxPackets. Busy cycles are
 * TSC cycles of the polls that returned frames, from before the Rx poll to after the burst's
 * transmit (a Java handler's work included), empty polls excluded: testpmd's
 * {@code --record-core-cycles} measure, so {@link #cyclesPerFrame()} compares with its
 * "CPU cycles/packet".
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
        long rxRunts,
        long busyCycles) {

    /** Average frames per non-empty poll: how full the bursts run. */
    public double averageBurst() {
        return rxBursts == 0 ? 0 : (double) rxPackets / rxBursts;
    }

    /** Busy TSC cycles per frame received: what a frame costs the polling core, whatever the rate. */
    public double cyclesPerFrame() {
        return rxPackets == 0 ? 0 : (double) busyCycles / rxPackets;
    }
}
