package io.l2echo.stats;

import java.util.List;
import java.util.Map;

/** Everything one poll read from the process. */
record Snapshot(long nanoTime, long epochMillis, String version, long pid, List<PortCounters> ports,
        List<QueueCounters> queues, boolean hasQueueCounters) {

    /**
     * One port's counters as DPDK names them in {@code /ethdev/stats} (ipackets, opackets,
     * ibytes, obytes, imissed, ierrors, oerrors, rx_nombuf) and, on request, its xstats.
     */
    record PortCounters(int port, Map<String, Long> stats, Map<String, Long> xstats) {
        long get(String name) {
            return stats.getOrDefault(name, 0L);
        }
    }

    /** One row of our apps' {@code /l2echo/lcores}: an echo loop's counters for one queue. */
    record QueueCounters(int lcore, int port, int queue, Map<String, Long> counters) {
        long get(String name) {
            return counters.getOrDefault(name, 0L);
        }
    }

    PortCounters port(int id) {
        for (PortCounters port : ports) {
            if (port.port() == id) {
                return port;
            }
        }
        return null;
    }
}
