package io.l2echo.dpdk;

import java.util.List;
import java.util.Optional;

/** The echo at one instant: each queue's counters, the port's counters and link, and the pool's occupancy. */
public record EchoStats(long nanoTime, List<QueueStats> queues, PortStats port, LinkStatus link, int mbufsInUse) {

    /** The same figures stamped with another time, to compare snapshots by value. */
    public EchoStats withNanoTime(long otherNanoTime) {
        return new EchoStats(otherNanoTime, queues, port, link, mbufsInUse);
    }

    /** One polling lcore's queue; empty when this snapshot does not list it. */
    public Optional<QueueStats> queue(int lcore, QueueRef queue) {
        return queues.stream().filter(q -> q.lcore() == lcore && q.queue().equals(queue)).findFirst();
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
