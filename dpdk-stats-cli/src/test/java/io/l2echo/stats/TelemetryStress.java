package io.l2echo.stats;

import io.l2echo.dpdk.EalOptions;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.PortConfig;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One life of an embedded echo read over telemetry while it ends, the JVM of
 * {@link TelemetryStressDpdkTest}'s iterations (DPDK allows one EAL per process): an
 * {@link EchoService} on {@code net_null} polled by lcore 1, and {@value #READERS} threads of
 * this JVM each on a telemetry connection of its own, sending {@code /l2echo/lcores} and
 * {@code /ethdev/stats,0} in a tight loop, while the main thread stops the echo and closes the
 * EAL. They are served by DPDK's telemetry threads: ours from the shim's registry under its
 * lock, the port's by ethdev, so a row withdrawn after its counters were freed, or a port read
 * after its release, shows as a counter going back (DPDK's allocator zeroes what it frees), a
 * row that comes back, a reply that is not JSON, or a crash of the JVM.
 *
 * <p>Each reply is checked against what the echo was doing when it was asked and answered:
 * running, its row present and the port's stats there; after the close, no row and no port;
 * in between, either, each counter never going back. After the close the socket must be gone
 * with the runtime directory. On success it prints one line starting with {@link #PASSED} and
 * exits 0; a failed check exits 1 with what failed.
 */
final class TelemetryStress {
    static final String PASSED = "telemetry stress passed:";
    static final String ROW = "lcore1_port0_queue0";
    private static final int READERS = 3;
    /** Replies each reader must have had with the echo's row before the main thread stops it. */
    private static final int REPLIES_BEFORE_STOP = 200;
    /** Requests each reader sends on its connection once the EAL is closed. */
    private static final int REQUESTS_AFTER_CLOSE = 100;
    /** Connections are made anew now and then while the echo runs, so the server's accept path is in the mix. */
    private static final int RECONNECT_EVERY = 100;
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final long WAIT_NANOS = 30_000_000_000L;

    /** What the main thread is doing; a reply is checked against the phases at its request and at its answer. */
    enum Phase { RUNNING, STOPPING, CLOSING, CLOSED }

    private TelemetryStress() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TelemetryStress FILE_PREFIX");
            System.exit(2);
        }
        EalOptions eal = EalOptions.builder().lcores(0, 1).vdev("net_null0").memoryMb(64).filePrefix(args[0])
                .arg("--log-level=lib.eal:warning").build();
        EchoService service = EchoService.start(EchoConfig.builder().eal(eal)
                .port(PortConfig.builder().portName("net_null0").build()).build());
        Path runtimeDir = service.eal().runtimeDir();
        Path socket = runtimeDir.resolve("dpdk_telemetry.v2");
        AtomicReference<Phase> phase = new AtomicReference<>(Phase.RUNNING);
        List<Reader> readers = new ArrayList<>();
        try {
            for (int i = 0; i < READERS; i++) {
                Reader reader = new Reader(socket, phase);
                readers.add(reader);
                reader.thread = new Thread(reader, "telemetry-reader-" + i);
                reader.thread.start();
            }
            await(readers, r -> r.rowsSeen >= REPLIES_BEFORE_STOP, "each reader to see the echo's row "
                    + REPLIES_BEFORE_STOP + " times");
            phase.set(Phase.STOPPING);
            service.stopWorkers();
            phase.set(Phase.CLOSING);
            service.close();
            phase.set(Phase.CLOSED);
            check(!Files.exists(runtimeDir, LinkOption.NOFOLLOW_LINKS), "the runtime directory " + runtimeDir
                    + " outlived the close");
            await(readers, r -> r.requestsIn(Phase.CLOSED) >= REQUESTS_AFTER_CLOSE || r.lostItsConnection,
                    "each reader to ask " + REQUESTS_AFTER_CLOSE + " times after the close");
        } finally {
            readers.forEach(reader -> reader.stop = true);
            for (Reader reader : readers) {
                reader.thread.join(TIMEOUT_MILLIS * 2L);
            }
            service.close();
        }
        AssertionError failed = null;
        for (Reader reader : readers) {
            if (reader.thread.isAlive()) {
                reader.failure = new AssertionError(reader.thread.getName() + " is still reading");
            }
            if (reader.failure != null) {
                if (failed == null) {
                    failed = new AssertionError("a telemetry reader failed");
                }
                failed.addSuppressed(reader.failure);
            }
        }
        if (failed != null) {
            throw failed;
        }
        try (TelemetrySocket late = TelemetrySocket.connect(socket, TIMEOUT_MILLIS)) {
            throw new AssertionError("connected to " + socket + " after the EAL was closed: " + late.greeting());
        } catch (TelemetryException expected) {
            check(expected.getMessage().contains("no such socket"), expected.getMessage());
        }
        StringBuilder summary = new StringBuilder(PASSED).append(" readers=").append(READERS);
        for (Phase p : Phase.values()) {
            summary.append(' ').append(p.name().toLowerCase()).append('=')
                    .append(readers.stream().mapToLong(r -> r.requestsIn(p)).sum());
        }
        summary.append(" rows=").append(readers.stream().mapToLong(r -> r.rowsSeen).sum())
                .append(" connections=").append(readers.stream().mapToLong(r -> r.connections).sum())
                .append(" lost=").append(readers.stream().filter(r -> r.lostItsConnection).count());
        System.out.println(summary);
    }

    private interface Condition {
        boolean holds(Reader reader);
    }

    /* Waits until every reader meets the condition or has failed; a failure is reported by the caller. */
    private static void await(List<Reader> readers, Condition condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!readers.stream().allMatch(r -> r.failure != null || condition.holds(r))) {
            check(System.nanoTime() < deadline, "waited " + WAIT_NANOS / 1_000_000_000L + " s for " + what);
            Thread.sleep(1);
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** A thread of the JVM reading over a telemetry connection of its own, as a metrics scraper would. */
    private static final class Reader implements Runnable {
        private final Path socket;
        private final AtomicReference<Phase> phase;
        private final Map<Phase, Long> requests = new EnumMap<>(Phase.class);
        private final Map<String, Long> lastCounters = new HashMap<>();
        private final Set<String> withdrawnRows = new HashSet<>();
        private long lastPortPackets = -1;
        private boolean portReleased;
        Thread thread;
        volatile long rowsSeen;
        volatile long connections;
        volatile boolean lostItsConnection;
        volatile boolean stop;
        volatile Throwable failure;

        Reader(Path socket, AtomicReference<Phase> phase) {
            this.socket = socket;
            this.phase = phase;
        }

        synchronized long requestsIn(Phase p) {
            return requests.getOrDefault(p, 0L);
        }

        @Override
        public void run() {
            TelemetrySocket connection = null;
            int sinceConnect = 0;
            try {
                while (!stop) {
                    if (connection == null || (sinceConnect >= RECONNECT_EVERY && phase.get() == Phase.RUNNING)) {
                        if (connection != null) {
                            connection.close();
                        }
                        connection = connect();
                        if (connection == null) {
                            return;
                        }
                        sinceConnect = 0;
                    }
                    lcores(connection);
                    stats(connection);
                    sinceConnect++;
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (connection != null) {
                    connection.close();
                }
            }
        }

        /* Null when the socket went with the runtime directory: only a close can take it. */
        private TelemetrySocket connect() throws TelemetryException {
            Phase asked = phase.get();
            try {
                TelemetrySocket connection = TelemetrySocket.connect(socket, TIMEOUT_MILLIS);
                connections++;
                return connection;
            } catch (TelemetryException e) {
                if (phase.get().compareTo(Phase.CLOSING) >= 0 && e.getMessage().contains("no such socket")) {
                    lostItsConnection = true;
                    return null;
                }
                throw new TelemetryException("connecting while " + asked + ": " + e.getMessage(), null);
            }
        }

        private void lcores(TelemetrySocket connection) throws TelemetryException {
            Phase asked = phase.get();
            String raw = connection.request(TelemetryClient.LCORES_COMMAND);
            Phase answered = phase.get();
            Object rows = reply(raw, TelemetryClient.LCORES_COMMAND, asked, answered);
            check(rows instanceof Map<?, ?>, "/l2echo/lcores is not a dict: " + raw);
            Map<?, ?> dict = (Map<?, ?>) rows;
            boolean present = dict.containsKey(ROW);
            if (asked == Phase.RUNNING && answered == Phase.RUNNING) {
                check(dict.size() == 1 && present, "the running echo's one row, " + ROW + ", is not what "
                        + "/l2echo/lcores has: " + raw);
            }
            if (asked == Phase.CLOSED) {
                check(dict.isEmpty(), "/l2echo/lcores after the close: " + raw);
            }
            check(dict.size() <= 1, "/l2echo/lcores has rows of no loop of ours: " + raw);
            if (!present) {
                if (!lastCounters.isEmpty()) {
                    withdrawnRows.add(ROW);
                }
                return;
            }
            check(!withdrawnRows.contains(ROW), "the withdrawn row came back " + describe(asked, answered) + ": " + raw);
            check(dict.get(ROW) instanceof Map<?, ?>, "a row that is not a dict: " + raw);
            Map<?, ?> row = (Map<?, ?>) dict.get(ROW);
            check(Long.valueOf(1).equals(row.get("lcore")) && Long.valueOf(0).equals(row.get("port"))
                    && Long.valueOf(0).equals(row.get("queue")), "the row names another queue: " + raw);
            for (String counter : List.of("rx_packets", "tx_packets", "rx_bytes", "rx_bursts", "empty_polls")) {
                check(row.get(counter) instanceof Long, counter + " missing: " + raw);
                long value = (Long) row.get(counter);
                long last = lastCounters.getOrDefault(counter, 0L);
                check(value >= last, counter + " went back from " + last + " to " + value + " "
                        + describe(asked, answered) + ": freed counters read? " + raw);
                lastCounters.put(counter, value);
            }
            rowsSeen++;
        }

        private void stats(TelemetrySocket connection) throws TelemetryException {
            Phase asked = phase.get();
            String raw = connection.request("/ethdev/stats,0");
            Phase answered = phase.get();
            Object stats = reply(raw, "/ethdev/stats", asked, answered);
            if (answered.compareTo(Phase.STOPPING) <= 0) {
                check(stats instanceof Map<?, ?>, "the open port's stats are not a dict: " + raw);
            }
            if (asked == Phase.CLOSED) {
                check(stats == null, "port 0 still answers after the close: " + raw);
            }
            if (stats == null) {
                portReleased = true;
                return;
            }
            check(!portReleased, "port 0 answered again after it was gone " + describe(asked, answered) + ": " + raw);
            check(stats instanceof Map<?, ?> && ((Map<?, ?>) stats).get("ipackets") instanceof Long,
                    "no ipackets: " + raw);
            long packets = (Long) ((Map<?, ?>) stats).get("ipackets");
            check(packets >= lastPortPackets, "ipackets went back from " + lastPortPackets + " to " + packets + " "
                    + describe(asked, answered) + ": " + raw);
            lastPortPackets = packets;
        }

        /* The value of {"COMMAND": value}, counted against the phase it was asked in. */
        private Object reply(String raw, String key, Phase asked, Phase answered) {
            synchronized (this) {
                requests.merge(asked, 1L, Long::sum);
            }
            Object parsed;
            try {
                parsed = Json.parse(raw);
            } catch (IllegalArgumentException e) {
                throw new AssertionError("not JSON, " + describe(asked, answered) + ": " + raw, e);
            }
            check(parsed instanceof Map<?, ?> && ((Map<?, ?>) parsed).containsKey(key),
                    "no " + key + " in the reply " + describe(asked, answered) + ": " + raw);
            return ((Map<?, ?>) parsed).get(key);
        }

        private static String describe(Phase asked, Phase answered) {
            return asked == answered ? "while " + asked : "asked while " + asked + ", answered while " + answered;
        }
    }
}
