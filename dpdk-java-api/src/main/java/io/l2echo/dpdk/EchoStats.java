package io.l2echo.dpdk;

import java.util.List;

/** The echo at one instant: each queue's counters, the port's counters and link, and the pool's occupancy. */
public record EchoStats(long nanoTime, List<QueueStats> queues, PortStats port, LinkStatus link, int mbufsInUse) {

    /** The same figures stamped with another time, to compare snapshots by value. */
    public EchoStats withNanoTime(long otherNanoTime) {
        return new EchoStats(otherNanoTime, queues, port, link, mbufsInUse);
    }

    public long rxPackets() {
        return queues.stream().mapToLong(QueueStats::rxPackets).sum();
    }

    public long txPackets() {
        return queues.stream().mapToLong(QueueStats::txPackets).sum();
    }

    public long txDropped() {
        return queues.stream().mapToLong(QueueStats::txDropped).sum();
    }
}
