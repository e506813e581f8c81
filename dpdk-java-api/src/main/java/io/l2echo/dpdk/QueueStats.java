package io.l2echo.dpdk;

/**
 * One queue's echo counters at one instant, as its lcore last published them. Runts (frames
 * shorter than an Ethernet header) are dropped and counted apart from rxPackets, and so are the
 * frames the echo's {@link ReflectPolicy} does not reflect, each class in its own counter:
 * {@code rxPackets} counts the frames handed to Tx, so {@code txPackets + txDropped == rxPackets}. Busy cycles are
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
        long busyCycles,
        /* frames to a multicast or broadcast address, not reflected (unicast policy) */
        long rxGroupDst,
        /* frames to an IEEE 802.1 link-local address (01:80:c2:00:00:00-0f), not reflected */
        long rxLinkLocal,
        /* frames from a group source address, which no device may send: dropped */
        long rxGroupSrc,
        /* group-destined frames reflected with the port's own MAC as source (group policy) */
        long txOwnSource) {

    /** Every frame received and not reflected by the policy: group-destined, link-local, group-source. */
    public long rxNotReflected() {
        return rxGroupDst + rxLinkLocal + rxGroupSrc;
    }

    /** Average frames per non-empty poll: how full the bursts run. */
    public double averageBurst() {
        return rxBursts == 0 ? 0 : (double) rxPackets / rxBursts;
    }

    /** Busy TSC cycles per frame received: what a frame costs the polling core, whatever the rate. */
    public double cyclesPerFrame() {
        return rxPackets == 0 ? 0 : (double) busyCycles / rxPackets;
    }
}
