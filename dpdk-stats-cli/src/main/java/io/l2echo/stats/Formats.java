package io.l2echo.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a poll looks like to a person (a table), to a program (one JSON object per poll) and to
 * Prometheus (the text exposition format). Rates are computed between two polls; the first
 * poll has none.
 */
final class Formats {
    /* DPDK's /ethdev/stats names, and ours: stable metric names are derived from ours. */
    private static final Map<String, String> PORT_COUNTERS = new LinkedHashMap<>();

    static {
        PORT_COUNTERS.put("ipackets", "rx_packets");
        PORT_COUNTERS.put("opackets", "tx_packets");
        PORT_COUNTERS.put("ibytes", "rx_bytes");
        PORT_COUNTERS.put("obytes", "tx_bytes");
        PORT_COUNTERS.put("imissed", "rx_missed");
        PORT_COUNTERS.put("ierrors", "rx_errors");
        PORT_COUNTERS.put("oerrors", "tx_errors");
        PORT_COUNTERS.put("rx_nombuf", "rx_nombuf");
    }

    private static final Map<String, String> PORT_HELP = Map.of(
            "rx_packets", "Frames received by the port.",
            "tx_packets", "Frames transmitted by the port.",
            "rx_bytes", "Bytes received by the port (without CRC).",
            "tx_bytes", "Bytes transmitted by the port.",
            "rx_missed", "Frames the port dropped because no Rx descriptor was free.",
            "rx_errors", "Erroneous frames received.",
            "tx_errors", "Frames that failed to transmit.",
            "rx_nombuf", "Rx mbuf allocation failures.");

    /* Our queue counters, as /l2echo/lcores names them. */
    private static final Map<String, String> QUEUE_HELP = new LinkedHashMap<>();

    static {
        QUEUE_HELP.put("rx_packets", "Frames the echo loop received on the queue.");
        QUEUE_HELP.put("rx_bytes", "Bytes the echo loop received on the queue.");
        QUEUE_HELP.put("tx_packets", "Frames the echo loop sent back on the queue.");
        QUEUE_HELP.put("tx_bytes", "Bytes the echo loop sent back on the queue.");
        QUEUE_HELP.put("tx_dropped", "Frames the Tx queue refused after retries, freed.");
        QUEUE_HELP.put("rx_bursts", "Polls that returned at least one frame.");
        QUEUE_HELP.put("empty_polls", "Polls that returned no frame.");
        QUEUE_HELP.put("tx_retries", "Extra transmit attempts for refused frames.");
        QUEUE_HELP.put("rx_runts", "Frames shorter than an Ethernet header, dropped.");
        QUEUE_HELP.put("busy_cycles", "TSC cycles of the polls that returned frames, Rx to Tx (per frame: "
                + "testpmd's --record-core-cycles).");
        QUEUE_HELP.put("rx_group_dst", "Frames to a multicast or broadcast address, not reflected.");
        QUEUE_HELP.put("rx_link_local", "Frames to an IEEE 802.1 link-local address (01:80:c2:00:00:0x), not reflected.");
        QUEUE_HELP.put("rx_group_src", "Frames from a group source address, dropped.");
        QUEUE_HELP.put("tx_own_source", "Group-destined frames reflected with the port's own MAC as source.");
    }

    private Formats() {
    }

    /** Per-second rates of a port between two polls, or null on the first poll. */
    record PortRates(double rxPps, double txPps, double rxBitsPerSecond, double txBitsPerSecond) {
        static PortRates between(Snapshot previous, Snapshot current, Snapshot.PortCounters now) {
            Snapshot.PortCounters before = previous == null ? null : previous.port(now.port());
            if (before == null) {
                return null;
            }
            double seconds = Math.max(1, current.nanoTime() - previous.nanoTime()) / 1e9;
            return new PortRates((now.get("ipackets") - before.get("ipackets")) / seconds,
                    (now.get("opackets") - before.get("opackets")) / seconds,
                    8 * (now.get("ibytes") - before.get("ibytes")) / seconds,
                    8 * (now.get("obytes") - before.get("obytes")) / seconds);
        }
    }

    static String table(Snapshot previous, Snapshot current, String source) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s  pid %d  %s%n", current.version(), current.pid(), source));
        out.append(String.format(Locale.ROOT, "%5s %13s %13s %11s %11s %16s %16s %10s %9s %9s %9s%n", "port", "rx pps",
                "tx pps", "rx Mbit/s", "tx Mbit/s", "rx packets", "tx packets", "missed", "rx-err", "tx-err",
                "no-mbuf"));
        for (Snapshot.PortCounters port : current.ports()) {
            PortRates rates = PortRates.between(previous, current, port);
            out.append(String.format(Locale.ROOT, "%5d %13s %13s %11s %11s %,16d %,16d %,10d %,9d %,9d %,9d%n",
                    port.port(), rate(rates == null ? null : rates.rxPps(), 1),
                    rate(rates == null ? null : rates.txPps(), 1),
                    rate(rates == null ? null : rates.rxBitsPerSecond(), 1e6),
                    rate(rates == null ? null : rates.txBitsPerSecond(), 1e6), port.get("ipackets"),
                    port.get("opackets"), port.get("imissed"), port.get("ierrors"), port.get("oerrors"),
                    port.get("rx_nombuf")));
            if (!port.xstats().isEmpty()) {
                Snapshot.PortCounters before = previous == null ? null : previous.port(port.port());
                port.xstats().forEach((name, value) -> {
                    if (value != 0) {
                        String perSecond = before == null ? "" : String.format(Locale.ROOT, "  (%,.0f/s)",
                                (value - before.xstats().getOrDefault(name, value))
                                        / (Math.max(1, current.nanoTime() - previous.nanoTime()) / 1e9));
                        out.append(String.format(Locale.ROOT, "      %-40s %,20d%s%n", name, value, perSecond));
                    }
                });
            }
        }
        if (!current.queues().isEmpty()) {
            out.append(String.format(Locale.ROOT, "%6s %8s %13s %13s %16s %16s %10s %6s %10s %10s %10s %10s  %s%n",
                    "lcore", "port/q", "rx pps", "tx pps", "rx packets", "tx packets", "dropped", "idle%", "group-dst",
                    "link-local", "group-src", "own-src", "swap/reflect"));
            for (Snapshot.QueueCounters queue : current.queues()) {
                Snapshot.QueueCounters before = previous == null ? null
                        : previous.queue(queue.lcore(), queue.port(), queue.queue());
                double seconds = previous == null ? 0 : Math.max(1, current.nanoTime() - previous.nanoTime()) / 1e9;
                long polls = before == null ? 0 : queue.get("rx_bursts") - before.get("rx_bursts")
                        + queue.get("empty_polls") - before.get("empty_polls");
                out.append(String.format(Locale.ROOT, "%6d %8s %13s %13s %,16d %,16d %,10d %6s %,10d %,10d %,10d %,10d  %s%n",
                        queue.lcore(),
                        queue.port() + "/" + queue.queue(),
                        rate(before == null ? null : (queue.get("rx_packets") - before.get("rx_packets")) / seconds, 1),
                        rate(before == null ? null : (queue.get("tx_packets") - before.get("tx_packets")) / seconds, 1),
                        queue.get("rx_packets"), queue.get("tx_packets"), queue.get("tx_dropped"),
                        polls == 0 ? "-" : String.format(Locale.ROOT, "%.1f",
                                100.0 * (queue.get("empty_polls") - before.get("empty_polls")) / polls),
                        queue.get("rx_group_dst"), queue.get("rx_link_local"), queue.get("rx_group_src"),
                        queue.get("tx_own_source"), queue.mode()));
            }
        }
        return out.toString();
    }

    private static String rate(Double value, double unit) {
        return value == null ? "-" : String.format(Locale.ROOT, unit == 1 ? "%,.0f" : "%,.2f", value / unit);
    }

    /** One line of JSON: counters as DPDK names them, rates under "rates" once there are two polls. */
    static String json(Snapshot previous, Snapshot current) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("time_ms", current.epochMillis());
        root.put("version", current.version());
        root.put("pid", current.pid());
        List<Object> ports = new ArrayList<>();
        for (Snapshot.PortCounters port : current.ports()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("port", port.port());
            entry.put("stats", port.stats());
            PortRates rates = PortRates.between(previous, current, port);
            if (rates != null) {
                entry.put("rates", Map.of("rx_pps", rates.rxPps(), "tx_pps", rates.txPps(), "rx_bps",
                        rates.rxBitsPerSecond(), "tx_bps", rates.txBitsPerSecond()));
            }
            if (!port.xstats().isEmpty()) {
                entry.put("xstats", port.xstats());
            }
            ports.add(entry);
        }
        root.put("ports", ports);
        if (current.hasQueueCounters()) {
            List<Object> queues = new ArrayList<>();
            current.queues().forEach(queue -> {
                Map<String, Object> row = new LinkedHashMap<>(queue.counters());
                row.putAll(queue.modes());
                queues.add(row);
            });
            root.put("lcores", queues);
        }
        return Json.write(root);
    }

    /** The text exposition format: HELP and TYPE once per family, one sample per port or queue. */
    static String prometheus(Snapshot current) {
        StringBuilder out = new StringBuilder();
        PORT_COUNTERS.forEach((dpdkName, ours) -> {
            String metric = "dpdk_port_" + ours + "_total";
            family(out, metric, PORT_HELP.get(ours), "counter");
            for (Snapshot.PortCounters port : current.ports()) {
                out.append(metric).append("{port=\"").append(port.port()).append("\"} ")
                        .append(Long.toUnsignedString(port.get(dpdkName))).append('\n');
            }
        });
        if (current.ports().stream().anyMatch(port -> !port.xstats().isEmpty())) {
            // Most xstats count, some are levels: untyped is the honest type for the lot.
            family(out, "dpdk_port_xstat", "A driver's extended statistic (rte_eth_xstats), by DPDK's name.",
                    "untyped");
            for (Snapshot.PortCounters port : current.ports()) {
                port.xstats().forEach((name, value) -> out.append("dpdk_port_xstat{port=\"").append(port.port())
                        .append("\",name=\"").append(escape(name)).append("\"} ").append(Long.toUnsignedString(value))
                        .append('\n'));
            }
        }
        if (!current.queues().isEmpty()) {
            QUEUE_HELP.forEach((name, help) -> {
                String metric = "l2echo_queue_" + name + "_total";
                family(out, metric, help, "counter");
                for (Snapshot.QueueCounters queue : current.queues()) {
                    out.append(metric).append("{lcore=\"").append(queue.lcore()).append("\",port=\"")
                            .append(queue.port()).append("\",queue=\"").append(queue.queue()).append("\"} ")
                            .append(Long.toUnsignedString(queue.get(name))).append('\n');
                }
            });
        }
        return out.toString();
    }

    private static void family(StringBuilder out, String metric, String help, String type) {
        out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(metric).append(' ').append(type).append('\n');
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
