package io.l2echo.dpdk;

import java.util.ArrayList;
import java.util.List;

/**
 * Which lcore serves which queue. Share-nothing: each queue is polled by one lcore only, so no
 * queue, counter or cache line is written by two cores. Worker lcores poll; the main lcore polls
 * only when EAL was given no other.
 *
 * @param assignments the polling lcores, each with the queues it alone polls
 * @param idleLcores  lcores EAL has that no queue needs
 */
public record LcorePlan(List<Assignment> assignments, List<Integer> idleLcores) {

    /** One lcore and the queues it alone polls. */
    public record Assignment(int lcore, List<QueueRef> queues) {
        @Override
        public String toString() {
            return "lcore " + lcore + " -> " + queues;
        }
    }

    /**
     * {@code queuesPerPort} queues of every port ({@link EchoConfig#ONE_QUEUE_PER_LCORE}: as many
     * as there are polling lcores), spread so that a port's queues land on distinct lcores (RSS
     * then spreads its flows over cores) and ports start on different lcores: queue q of the p-th
     * port goes to polling lcore (p + q) mod n. With more ports than lcores, an lcore polls
     * several ports, as DPDK's l2fwd does. Lcores left without a queue stay idle.
     */
    public static LcorePlan spread(int mainLcore, List<Integer> workerLcores, List<Integer> ports, int queuesPerPort) {
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one port");
        }
        List<Integer> polling = workerLcores.isEmpty() ? List.of(mainLcore) : workerLcores;
        int queues = queuesPerPort == EchoConfig.ONE_QUEUE_PER_LCORE ? polling.size() : queuesPerPort;
        if (queues < 0) {
            throw new IllegalArgumentException("queues must not be negative, not " + queues);
        }
        if (queues > polling.size()) {
            throw new DpdkException("plan " + queues + " queues over lcores", queues
                    + " queues need as many polling lcores, EAL has " + polling.size() + " " + polling
                    + (workerLcores.isEmpty() ? " (the main lcore polls when there is no worker)" : " (workers)"),
                    "give EAL more lcores with -l (the first is the main lcore, the rest poll), or ask for fewer queues");
        }
        List<List<QueueRef>> perLcore = new ArrayList<>();
        polling.forEach(lcore -> perLcore.add(new ArrayList<>()));
        for (int p = 0; p < ports.size(); p++) {
            for (int q = 0; q < queues; q++) {
                perLcore.get((p + q) % polling.size()).add(new QueueRef(ports.get(p), q));
            }
        }
        List<Assignment> assignments = new ArrayList<>();
        List<Integer> idle = new ArrayList<>();
        for (int i = 0; i < polling.size(); i++) {
            if (perLcore.get(i).isEmpty()) {
                idle.add(polling.get(i));
            } else {
                assignments.add(new Assignment(polling.get(i), List.copyOf(perLcore.get(i))));
            }
        }
        return new LcorePlan(List.copyOf(assignments), List.copyOf(idle));
    }

    /** Queues over every port. */
    public int queueCount() {
        return assignments.stream().mapToInt(a -> a.queues().size()).sum();
    }

    /** Lcores that poll at least one queue. */
    public int pollingLcoreCount() {
        return assignments.size();
    }

    /** How many queues of {@code port} the plan polls. */
    public int queueCount(int port) {
        return (int) assignments.stream().flatMap(a -> a.queues().stream()).filter(q -> q.port() == port).count();
    }

    /** How many lcores poll a queue of {@code port}: the lcore caches its pool must cover. */
    public int lcoresPolling(int port) {
        return (int) assignments.stream().filter(a -> a.queues().stream().anyMatch(q -> q.port() == port)).count();
    }
}
