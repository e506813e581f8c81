package io.l2echo.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    /**
     * One row of our apps' {@code /l2echo/lcores}: an echo loop's counters for one queue, and its
     * text fields (an echo loop's {@code swap} level and {@code reflect} policy; none for a Java
     * packet queue).
     */
    record QueueCounters(int lcore, int port, int queue, Map<String, Long> counters, Map<String, String> modes) {
        QueueCounters(int lcore, int port, int queue, Map<String, Long> counters) {
            this(lcore, port, queue, counters, Map.of());
        }

        /** "swap/reflect" (mac/unicast), or "-" for a queue without them. */
        String mode() {
            return modes.containsKey("swap") ? modes.get("swap") + "/" + modes.getOrDefault("reflect", "?") : "-";
        }

        long get(String name) {
            return counters.getOrDefault(name, 0L);
        }
    }

    /**
     * These counters less {@code baseline}'s, as if they had been reset when it was taken; a
     * port or queue the baseline lacks keeps its own figures.
     */
    Snapshot since(Snapshot baseline) {
        List<PortCounters> ports = new ArrayList<>();
        for (PortCounters port : this.ports) {
            PortCounters before = baseline.port(port.port());
            ports.add(before == null ? port
                    : new PortCounters(port.port(), minus(port.stats(), before.stats()), minus(port.xstats(),
                            before.xstats())));
        }
        List<QueueCounters> queues = new ArrayList<>();
        for (QueueCounters queue : this.queues) {
            QueueCounters before = baseline.queue(queue.lcore(), queue.port(), queue.queue());
            queues.add(before == null ? queue : new QueueCounters(queue.lcore(), queue.port(), queue.queue(),
                    minusCounters(queue.counters(), before.counters()), queue.modes()));
        }
        return new Snapshot(nanoTime, epochMillis, version, pid, List.copyOf(ports), List.copyOf(queues),
                hasQueueCounters);
    }

    /* Identity fields of a queue row (lcore, port, queue) are kept, counters subtracted. */
    private static Map<String, Long> minusCounters(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> result = minus(now, before);
        for (String identity : List.of("lcore", "port", "queue")) {
            if (now.containsKey(identity)) {
                result.put(identity, now.get(identity));
            }
        }
        return result;
    }

    private static Map<String, Long> minus(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> result = new LinkedHashMap<>();
        now.forEach((name, value) -> result.put(name, value - before.getOrDefault(name, 0L)));
        return result;
    }

    QueueCounters queue(int lcore, int port, int queue) {
        for (QueueCounters candidate : queues) {
            if (candidate.lcore() == lcore && candidate.port() == port && candidate.queue() == queue) {
                return candidate;
            }
        }
        return null;
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
