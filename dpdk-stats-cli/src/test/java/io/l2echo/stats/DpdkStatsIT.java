package io.l2echo.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.ChildProcess;
import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.EchoReport;
import io.l2echo.testkit.EchoVerifier;
import io.l2echo.testkit.Leftovers;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.TestpmdTotals;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code java -jar dpdk-stats.jar} as a user runs it, against DPDK processes this test starts:
 * a plain {@code dpdk-testpmd} (DPDK's telemetry only) and our l2echo (plus /l2echo/lcores),
 * each on a veth bed with frames counted by the sender, and the ways it
 * can fail to read a process. Needs root, hugepages and DPDK.
 */
@Tag("dpdk")
@Timeout(240)
class DpdkStatsIT {
    private static final Path JAR = Path.of("target", "dpdk-stats.jar");
    /** Built before this module in the reactor. */
    private static final Path L2ECHO_JAR = Path.of("..", "l2echo-app", "target", "l2echo.jar");
    private static final Path TESTPMD = Path.of("/usr/bin/dpdk-testpmd");
    private static final int FRAMES = 2000;
    /** A CLI run is a JVM start and a few requests; far less than this on a busy 2-CPU machine. */
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TESTPMD_START = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /** testpmd without -i prints this once forwarding has started; its telemetry socket is up before. */
    private static final String TESTPMD_READY = "Press enter to exit";

    /* testpmd leaves its runtime directory after it exits: its prefixes are checked for hugepage files only. */
    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void readsTestpmdsCountersAsItsOwnFinalStatisticsHaveThem() throws IOException {
        String prefix = dpdk.filePrefixKeepingRuntimeDirectory();
        VethBed bed = dpdk.up(VethBed.builder());
        ChildProcess testpmd = dpdk.closeAfter(startTestpmd(prefix, "--vdev=" + bed.afPacketVdev(0)));
        EchoReport report;
        try (RawSocket peer = bed.openPeerSocket()) {
            report = EchoVerifier.builder().build().verify(peer, bed.frames().flows(8).build().sweep(0, FRAMES));
        }
        assertTrue(report.isPerfect(), () -> report.summary() + "\ntestpmd:\n" + testpmd.outputTail(30));
        long expected = FRAMES + report.foreign();

        Map<String, Object> json = jsonPoll(cli("-f", prefix, "--json", "--count", "1"));
        assertEquals(testpmd.pid(), json.get("pid"), "the greeting's pid is testpmd's");
        assertFalse(json.containsKey("lcores"), "testpmd has no /l2echo/lcores: " + json);
        Map<String, Object> stats = object(port0(json).get("stats"));
        assertEquals(expected, stats.get("ipackets"), () -> "frames testpmd received: " + json);
        assertEquals(expected, stats.get("opackets"), () -> "frames testpmd sent back: " + json);
        assertEquals(0L, stats.get("imissed"), json::toString);

        Processes.Result prometheus = cli("-f", prefix, "--prometheus", "--count", "1").requireSuccess();
        assertTrue(prometheus.output().contains("# TYPE dpdk_port_rx_packets_total counter\n"), prometheus.output());
        assertTrue(prometheus.output().contains("dpdk_port_rx_packets_total{port=\"0\"} " + expected + "\n"),
                prometheus.output());
        assertTrue(prometheus.output().contains("dpdk_port_tx_packets_total{port=\"0\"} " + expected + "\n"),
                prometheus.output());

        Map<String, Object> withXstats = jsonPoll(cli("-f", prefix, "--xstats", "--json", "--count", "1"));
        Map<String, Object> port = port0(withXstats);
        assertTrue(port.containsKey("xstats"), withXstats::toString);
        assertEquals(object(port.get("stats")).get("ipackets"), object(port.get("xstats")).get("rx_good_packets"),
                withXstats::toString);
        assertEquals(expected, object(port.get("xstats")).get("rx_good_packets"), withXstats::toString);

        Map<String, Object> counted = jsonPoll(cli("-f", prefix, "--reset", "--json", "--count", "1"));
        assertEquals(0L, object(port0(counted).get("stats")).get("ipackets"), "--reset counts from zero");
        assertEquals(expected, object(port0(jsonPoll(cli("-f", prefix, "--json", "--count", "1"))).get("stats"))
                .get("ipackets"), "and leaves testpmd's own counters untouched");

        int status = testpmd.stop(Processes.Signal.INT, STOP_GRACE);
        // Debian's 22.11 build exits 0 after SIGINT; other releases re-raise the signal after cleanup.
        assertTrue(status == 0 || status == 128 + Processes.Signal.INT.number(),
                "status " + status + "\n" + testpmd.outputTail(30));
        TestpmdTotals totals = TestpmdTotals.parse(testpmd.output());
        assertEquals(stats.get("ipackets"), totals.rxPackets(), () -> "testpmd's own RX-packets: " + totals);
        assertEquals(stats.get("opackets"), totals.txPackets(), () -> "testpmd's own TX-packets: " + totals);
    }

    @Test
    void readsL2echosPerQueueCountersAndResetsItsPort() throws IOException {
        assertTrue(Files.isRegularFile(L2ECHO_JAR), L2ECHO_JAR.toAbsolutePath().normalize()
                + " missing: build l2echo-app first (cd .. && mvn -B -o install -DskipTests)");
        String prefix = dpdk.filePrefix(); // l2echo leaves nothing behind
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(L2ECHO_JAR, List.of("-l", "0,1", "--no-pci",
                "--in-memory", "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix),
                List.of("--stats-interval", "0")));
        echo.awaitEchoing();
        EchoReport report;
        try (RawSocket peer = bed.openPeerSocket()) {
            report = EchoVerifier.builder().build().verify(peer, bed.frames().flows(8).build().sweep(0, FRAMES));
        }
        assertTrue(report.isPerfect(), () -> report.summary() + "\nl2echo:\n" + echo.outputTail(30));
        long expected = FRAMES + report.foreign();

        Map<String, Object> json = jsonPoll(cli("-f", prefix, "--json", "--count", "1"));
        assertEquals(echo.pid(), json.get("pid"), json::toString);
        Map<String, Object> stats = object(port0(json).get("stats"));
        assertEquals(expected, stats.get("ipackets"), json::toString);
        assertEquals(expected, stats.get("opackets"), json::toString);
        List<?> lcores = assertInstanceOf(List.class, json.get("lcores"), json::toString);
        assertEquals(1, lcores.size(), json::toString);
        Map<String, Object> row = object(lcores.get(0));
        assertEquals(1L, row.get("lcore"), json::toString);
        assertEquals(0L, row.get("port"), json::toString);
        assertEquals(0L, row.get("queue"), json::toString);
        assertEquals(stats.get("ipackets"), row.get("rx_packets"), "the loop received what the port did");
        assertEquals(stats.get("ipackets"), row.get("tx_packets"), "and sent all of it back");
        assertEquals(0L, row.get("tx_dropped"), json::toString);
        assertEquals("mac", row.get("swap"), "the loop's swap level, from the shim: " + json);
        assertEquals("unicast", row.get("reflect"), "and its reflect policy, the default: " + json);

        Processes.Result table = cli("-f", prefix, "--count", "2", "--interval", "0.2").requireSuccess();
        String text = table.output();
        assertEquals(2, text.split("DPDK ", -1).length - 1, () -> "one block per poll:\n" + text);
        assertTrue(text.contains("pid " + echo.pid()), text);
        assertTrue(text.contains("lcore") && text.contains("port/q"), () -> "the lcore rows' header:\n" + text);
        assertTrue(text.lines().anyMatch(line -> line.trim().matches("1\\s+0/0\\s.*")),
                () -> "a row for lcore 1, port 0 queue 0:\n" + text);
        assertTrue(text.contains("  mac/unicast"), () -> "the loop's swap/reflect:\n" + text);
        assertFalse(text.contains("\033["), "no terminal escapes on a pipe");

        // Nothing flows on the bed by itself (IPv6 is off there): from zero, everything stays at zero.
        Map<String, Object> afterReset = jsonPoll(cli("-f", prefix, "--reset", "--json", "--count", "1"));
        assertEquals(0L, object(port0(afterReset).get("stats")).get("ipackets"), () -> "--reset: " + afterReset);
        assertEquals(0L, object(port0(afterReset).get("stats")).get("opackets"), () -> "--reset: " + afterReset);
        Map<?, ?> lcoreAfterReset = (Map<?, ?>) ((List<?>) afterReset.get("lcores")).get(0);
        assertEquals(0L, lcoreAfterReset.get("rx_packets"), () -> "the lcore rows too: " + afterReset);
        assertEquals(1L, lcoreAfterReset.get("lcore"), "identity fields are not subtracted");

        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
    }

    /* DPDK's own dpdk-proc-info, a secondary process, against a --capturable echo: the same counts as ours. */
    @Test
    void dpdkProcInfoReadsTheSameCountsOfACapturableEcho() throws IOException {
        assertTrue(Files.isRegularFile(L2ECHO_JAR), L2ECHO_JAR.toAbsolutePath().normalize()
                + " missing: build l2echo-app first (cd .. && mvn -B -o install -DskipTests)");
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(L2ECHO_JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix),
                List.of("--stats-interval", "0", "--capturable")));
        echo.awaitEchoing();
        EchoReport report;
        try (RawSocket peer = bed.openPeerSocket()) {
            report = EchoVerifier.builder().build().verify(peer, bed.frames().build().sweep(0, 500));
        }
        assertTrue(report.isPerfect(), () -> report.summary() + "\nl2echo:\n" + echo.outputTail(30));

        Processes.Result procInfo = Processes.run(CLI_TIMEOUT, "dpdk-proc-info", "--file-prefix=" + prefix, "--",
                "--stats").requireSuccess();
        Map<String, Object> stats = object(port0(jsonPoll(cli("-f", prefix, "--json", "--count", "1"))).get("stats"));
        assertEquals(stats.get("ipackets"), procInfoCount(procInfo, "RX-packets"), procInfo::output);
        assertEquals(stats.get("opackets"), procInfoCount(procInfo, "TX-packets"), procInfo::output);
        assertEquals(500L + report.foreign(), stats.get("ipackets"), stats::toString);
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
    }

    private static long procInfoCount(Processes.Result procInfo, String name) {
        Matcher count = Pattern.compile(name + ":\\s+(\\d+)").matcher(procInfo.output());
        assertTrue(count.find(), () -> name + " in\n" + procInfo.output());
        return Long.parseLong(count.group(1));
    }

    @Test
    void withoutAProcessItSaysNoneListensAndExitsOne() throws IOException {
        String prefix = dpdk.filePrefix();
        assertFalse(Files.exists(Leftovers.runtimeDirectory(prefix), LinkOption.NOFOLLOW_LINKS));
        Processes.Result result = cli("-f", prefix, "--json", "--count", "1");
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("no DPDK process is listening"), result.output());
        assertTrue(result.output().contains(prefix), "names the socket it tried: " + result.output());
    }

    @Test
    void aKilledProcesssSocketIsCalledStaleAndExitsOne() throws IOException {
        // SIGKILL leaves the runtime directory and its socket; --in-memory leaves no hugepage files.
        String prefix = dpdk.filePrefixKeepingRuntimeDirectory();
        Path socket = Leftovers.runtimeDirectory(prefix).resolve("dpdk_telemetry.v2");
        ChildProcess testpmd = dpdk.closeAfter(startTestpmd(prefix, "--vdev=net_null0"));
        Processes.signal(testpmd.pid(), Processes.Signal.KILL);
        assertTrue(testpmd.awaitExit(STOP_GRACE).isPresent(), "testpmd survived SIGKILL");
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), socket + " is gone after SIGKILL");

        Processes.Result result = cli("-f", prefix, "--json", "--count", "1");
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("exists but nobody listens"), result.output());
    }

    @Test
    void anotherUserIsDeniedAndToldToRunAsTheOwner() throws IOException {
        String prefix = dpdk.filePrefixKeepingRuntimeDirectory();
        // A copy user 65534 can read, wherever the build tree lives.
        Path dir = Files.createDirectories(Path.of("/tmp", "l2e-stats-it-jar-" + ProcessHandle.current().pid()));
        Path jar = dir.resolve("dpdk-stats.jar");
        dpdk.closeAfter(() -> {
            Files.deleteIfExists(jar);
            Files.deleteIfExists(dir);
        });
        ChildProcess testpmd = dpdk.closeAfter(startTestpmd(prefix, "--vdev=net_null0"));
        Files.copy(JAR, jar, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--inh-caps=-all"));
        command.addAll(Processes.javaJar(jar, List.of("-Djava.io.tmpdir=/tmp"),
                List.of("-f", prefix, "--json", "--count", "1")));
        Processes.Result result = Processes.run(CLI_TIMEOUT, command);
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("permission denied"), result.output());
        assertTrue(result.output().contains("sudo"), result.output());
        assertTrue(testpmd.isAlive(), "testpmd is unaffected");
        int status = testpmd.stop(Processes.Signal.INT, STOP_GRACE);
        assertTrue(status == 0 || status == 128 + Processes.Signal.INT.number(),
                "status " + status + "\n" + testpmd.outputTail(30));
    }

    @Test
    void aZeroIntervalIsAUsageErrorAndExitsTwo() throws IOException {
        Processes.Result result = cli("-f", dpdk.filePrefix(), "--interval", "0");
        assertEquals(2, result.exitCode(), result.output());
        assertTrue(result.output().contains("--interval must be from 0.01 to 86400 seconds"), result.output());
        assertTrue(result.output().contains("--help"), result.output());
    }

    /**
     * testpmd as anyone runs it; stdbuf, because on a pipe its stdout is block-buffered and the
     * readiness line would come only at exit.
     */
    private static ChildProcess startTestpmd(String prefix, String vdev) throws IOException {
        assertTrue(Files.isExecutable(TESTPMD), TESTPMD + " missing: apt-get install -y dpdk (LAB-NOTES.md)");
        ChildProcess testpmd = ChildProcess.start(List.of("stdbuf", "-oL", TESTPMD.toString(), "-l", "0-1",
                "--no-pci", vdev, "--in-memory", "--file-prefix=" + prefix, "--",
                "--forward-mode=macswap", "--auto-start", "--total-num-mbufs=16384"));
        if (!testpmd.awaitOutput(TESTPMD_READY, TESTPMD_START)) {
            String tail = testpmd.outputTail(30);
            testpmd.close();
            throw new AssertionError("testpmd did not start forwarding within " + TESTPMD_START.toSeconds()
                    + " s (free hugepages? grep Huge /proc/meminfo):\n" + tail);
        }
        return testpmd;
    }

    private static Processes.Result cli(String... args) throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " missing: run mvn package first");
        return Processes.run(CLI_TIMEOUT, Processes.javaJar(JAR, List.of(), List.of(args)));
    }

    /** The one JSON line of a successful --json --count 1 run. */
    private static Map<String, Object> jsonPoll(Processes.Result result) throws IOException {
        result.requireSuccess();
        List<String> lines = result.output().lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), () -> "one line per poll:\n" + result.output());
        return object(Json.parse(lines.get(0)));
    }

    private static Map<String, Object> port0(Map<String, Object> poll) {
        List<?> ports = assertInstanceOf(List.class, poll.get("ports"), poll::toString);
        assertEquals(1, ports.size(), poll::toString);
        Map<String, Object> port = object(ports.get(0));
        assertEquals(0L, port.get("port"), poll::toString);
        return port;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return (Map<String, Object>) assertInstanceOf(Map.class, value, String.valueOf(value));
    }
}
