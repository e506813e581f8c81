package io.l2echo.dpdk;

import java.util.ArrayList;
import java.util.List;

/**
 * Which lcore serves which queue. Share-nothing: each polling lcore owns its queue pairs
 * outright, so no queue, counter or cache line is written by two cores. Worker lcores poll;
 * the main lcore polls only when EAL was given no other.
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
     * Queue {@code i} of {@code port} on the i-th polling lcore, for {@code queues} queues
     * ({@link EchoConfig#ONE_QUEUE_PER_LCORE}: as many as there are polling lcores). Lcores
     * beyond that stay idle.
     */
    public static LcorePlan queuePerLcore(int mainLcore, List<Integer> workerLcores, int port, int requestedQueues) {
        List<Integer> polling = workerLcores.isEmpty() ? List.of(mainLcore) : workerLcores;
        int queues = requestedQueues == EchoConfig.ONE_QUEUE_PER_LCORE ? polling.size() : requestedQueues;
        if (queues < 0) {
            throw new IllegalArgumentException("queues must not be negative, not " + queues);
        }
        if (queues > polling.size()) {
            throw new DpdkException("plan " + queues + " queues over lcores", queues
                    + " queues need as many polling lcores, EAL has " + polling.size() + " " + polling
                    + (workerLcores.isEmpty() ? " (the main lcore polls when there is no worker)" : " (workers)"),
                    "give EAL more lcores with -l (the first is the main lcore, the rest poll), or ask for fewer queues");
        }
        List<Assignment> assignments = new ArrayList<>(queues);
        for (int q = 0; q < queues; q++) {
            assignments.add(new Assignment(polling.get(q), List.of(new QueueRef(port, q))));
        }
        return new LcorePlan(List.copyOf(assignments), List.copyOf(polling.subList(queues, polling.size())));
    }

    public int queueCount() {
        return assignments.stream().mapToInt(a -> a.queues().size()).sum();
    }

    public int pollingLcoreCount() {
        return assignments.size();
    }
}
