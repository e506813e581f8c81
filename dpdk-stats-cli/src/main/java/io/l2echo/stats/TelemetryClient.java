package io.l2echo.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a DPDK process's counters through its telemetry commands, read-only, from any DPDK process. */
final class TelemetryClient implements AutoCloseable {
    /** Our apps' per-queue counters (registered by the shim's dpdkj_telemetry.cpp). */
    static final String LCORES_COMMAND = "/l2echo/lcores";

    private final TelemetryTransport transport;
    private final String version;
    private final long pid;

    TelemetryClient(TelemetryTransport transport) throws TelemetryException {
        this.transport = transport;
        Map<String, Object> greeting = object(parse(transport.greeting(), "the greeting"), "the greeting");
        this.version = String.valueOf(greeting.get("version"));
        this.pid = greeting.get("pid") instanceof Long p ? p : -1;
    }

    String version() {
        return version;
    }

    long pid() {
        return pid;
    }

    /** Reads every port, each with its xstats when asked, and our queue counters if present. */
    Snapshot poll(boolean withXstats) throws TelemetryException {
        long nanoTime = System.nanoTime();
        List<Snapshot.PortCounters> ports = new ArrayList<>();
        for (Object id : list(reply("/ethdev/list"), "/ethdev/list")) {
            int port = ((Number) id).intValue();
            Map<String, Long> stats = numbers(object(reply("/ethdev/stats," + port), "/ethdev/stats"));
            Map<String, Long> xstats = withXstats
                    ? numbers(object(reply("/ethdev/xstats," + port), "/ethdev/xstats")) : Map.of();
            ports.add(new Snapshot.PortCounters(port, stats, xstats));
        }
        Object lcores = reply(LCORES_COMMAND);
        List<Snapshot.QueueCounters> queues = new ArrayList<>();
        if (lcores instanceof Map<?, ?> rows) {
            for (Object row : rows.values()) {
                Map<String, Long> counters = numbers(object(row, LCORES_COMMAND));
                queues.add(new Snapshot.QueueCounters(counters.getOrDefault("lcore", -1L).intValue(),
                        counters.getOrDefault("port", -1L).intValue(), counters.getOrDefault("queue", -1L).intValue(),
                        counters, texts(object(row, LCORES_COMMAND))));
            }
        }
        return new Snapshot(nanoTime, System.currentTimeMillis(), version, pid, List.copyOf(ports),
                List.copyOf(queues), lcores != null);
    }

    /* The reply is {"<command without parameters>": value}; an unknown command's value is null. */
    private Object reply(String command) throws TelemetryException {
        String raw = transport.request(command);
        Map<String, Object> reply = object(parse(raw, command), command);
        String key = command.contains(",") ? command.substring(0, command.indexOf(',')) : command;
        if (!reply.containsKey(key)) {
            throw unexpected(command, raw);
        }
        return reply.get(key);
    }

    private static Object parse(String raw, String what) throws TelemetryException {
        try {
            return Json.parse(raw);
        } catch (IllegalArgumentException e) {
            throw unexpected(what, raw);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) throws TelemetryException {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw unexpected(what, Json.write(value));
    }

    private static List<?> list(Object value, String what) throws TelemetryException {
        if (value instanceof List<?> values && values.stream().allMatch(v -> v instanceof Number)) {
            return values;
        }
        throw unexpected(what, Json.write(value));
    }

    /* The string fields of a row. */
    private static Map<String, String> texts(Map<String, Object> values) {
        Map<String, String> texts = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (value instanceof String text) {
                texts.put(name, text);
            }
        });
        return texts;
    }

    /* Scalars only: per-queue arrays such as q_ipackets are left out. */
    private static Map<String, Long> numbers(Map<String, Object> values) {
        Map<String, Long> numbers = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (value instanceof Long number) {
                numbers.put(name, number);
            }
        });
        return numbers;
    }

    private static TelemetryException unexpected(String what, String raw) {
        String shown = raw == null ? "nothing" : raw.length() > 200 ? raw.substring(0, 200) + "..." : raw;
        return new TelemetryException("unexpected reply to " + what + ": " + shown,
                "is this DPDK's telemetry socket (dpdk_telemetry.v2 of DPDK 20.05 or later)?");
    }

    @Override
    public void close() {
        transport.close();
    }
}
