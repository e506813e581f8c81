package io.l2echo.dpdk;

import java.util.List;
import java.util.Optional;

/**
 * The echo at one instant: each polling lcore's queues, and each port's counters, link and pool
 * occupancy. Taken without pausing the loops: each counter is exact, the set is not atomic.
 *
 * @param nanoTime {@link System#nanoTime()} when the snapshot was taken, for rates
 * @param queues   every queue of every port, in the plan's order
 * @param ports    every port, in the configuration's order
 */
public record EchoStats(long nanoTime, List<QueueStats> queues, List<PortSnapshot> ports) {

    /** The same figures stamped with another time, to compare snapshots by value. */
    public EchoStats withNanoTime(long otherNanoTime) {
        return new EchoStats(otherNanoTime, queues, ports);
    }

    /** One polling lcore's queue; empty when this snapshot does not list it. */
    public Optional<QueueStats> queue(int lcore, QueueRef queue) {
        return queues.stream().filter(q -> q.lcore() == lcore && q.queue().equals(queue)).findFirst();
    }

    /** One port; empty when this snapshot does not list it. */
    public Optional<PortSnapshot> port(int portId) {
        return ports.stream().filter(p -> p.portId() == portId).findFirst();
    }

    /** Frames the loops received, over every queue of every port. */
    public long rxPackets() {
        return queues.stream().mapToLong(QueueStats::rxPackets).sum();
    }

    /** Frames the loops sent back, over every queue of every port. */
    public long txPackets() {
        return queues.stream().mapToLong(QueueStats::txPackets).sum();
    }

    /** Frames the Tx rings refused after every retry, over every queue of every port. */
    public long txDropped() {
        return queues.stream().mapToLong(QueueStats::txDropped).sum();
    }
}
