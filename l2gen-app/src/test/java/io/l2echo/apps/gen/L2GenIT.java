package io.l2echo.apps.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generator against our echo, DPDK on both sides: l2gen on a vhost-user server, l2echo
 * on virtio_user. Every frame is accounted for on both sides, exactly, and every echo is the
 * frame sent with its MACs swapped, byte for byte (l2gen's "corrupted" count).
 */
@Tag("dpdk")
class L2GenIT {
    private static final Path GEN = Path.of("target", "l2gen.jar");
    private static final Path ECHO = Path.of("..", "l2echo-app", "target", "l2echo.jar");

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    /** What both sides said: l2gen's JSON trials, the last one the measured trial, and the echo's totals. */
    private record Run(List<String> trials, EchoAppProcess gen, String echoOutput, EchoAppProcess.Totals echoed) {
        String result() {
            return trials.get(trials.size() - 1);
        }
    }

    private static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), () -> name + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void everyFrameSentComesBackOnceAndIsTimed() throws IOException {
        int count = 20_000;
        Path histogramLog = Path.of("target", dpdk.filePrefix() + ".hlog");
        dpdk.closeAfter(() -> Files.deleteIfExists(histogramLog));
        Run run = run(List.of("--count", String.valueOf(count), "--rate", "20000", "--flows", "8", "--size", "128",
                "--histogram-log", histogramLog.toString()), List.of());
        String result = run.result();
        long sent = field(result, "sent");
        assertEquals(count, sent + field(result, "tx_refused"), result);
        assertTrue(sent > count / 2, result);
        assertEquals(count - field(result, "echoed"), field(result, "lost"), result);
        // On two busy CPUs a ring may fill now and then: every lost frame was refused by one side's Tx ring.
        long lostInAll = run.trials().stream().mapToLong(t -> field(t, "lost")).sum();
        long refusedInAll = run.trials().stream().mapToLong(t -> field(t, "tx_refused")).sum();
        assertEquals(refusedInAll + run.echoed().txDropped(), lostInAll,
                "each lost frame was refused by one side's Tx ring: " + run.trials() + " " + run.echoed());
        assertEquals(0, field(result, "reordered"), result);
        assertEquals(0, field(result, "foreign"), result);
        assertTrue(result.matches(".*\"p50\":[0-9.]+.*") && !result.contains("\"p50\":0.000"), result);

        // The trial's histogram in HdrHistogram's log, read back by HdrHistogram's own reader: every echo, tagged.
        assertEquals(0, run.gen().awaitExit(EchoAppProcess.START_TIMEOUT).orElse(-1), run.gen().outputTail(20));
        List<Histogram> logged = new ArrayList<>();
        try (HistogramLogReader reader = new HistogramLogReader(histogramLog.toFile())) {
            for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
                logged.add((Histogram) h);
            }
        }
        assertEquals(1, logged.size(), "one trial, the probes left out: " + logged);
        Histogram trial = logged.get(0);
        assertEquals("latency-20000pps", trial.getTag());
        assertEquals(field(result, "echoed"), trial.getTotalCount(), result);
        assertEquals(Double.parseDouble(result.replaceAll(".*\"p99\":([0-9.]+).*", "$1")),
                trial.getValueAtPercentile(99) / 1000.0, 0.0005, result);
    }

    /*
     * An echo whose mbufs hold 1024 bytes of frame: virtio_user's Rx scatter chains each
     * 1514-byte frame over two, the echo sends the chain back, and l2gen gets the frame whole.
     */
    @Test
    void framesLongerThanAnMbufComeBackWholeWhenTheEchoScatters() throws IOException {
        Run run = run(List.of("--count", "10000", "--rate", "10000", "--size", "1514"), List.of("--mbuf-size", "1024"));
        assertTrue(run.echoOutput().contains("Rx scatter on: frames of up to 1518 bytes span up to 2 mbufs of 1024 "
                + "bytes"), run.echoOutput());
        String result = run.result();
        assertTrue(field(result, "echoed") > 5_000, result);
        assertEquals(field(result, "sent") + field(result, "tx_refused") - field(result, "echoed"),
                field(result, "lost"), result);
    }

    /* At each swap level, l2gen told the echo's level finds every echo exactly as that level returns it. */
    @ParameterizedTest
    @ValueSource(strings = {"mac", "ip", "ports"})
    void atEachSwapLevelTheGeneratorChecksExactlyThatLevelsFields(String level) throws IOException {
        Run run = run(List.of("--count", "5000", "--rate", "10000", "--flows", "4", "--swap", level),
                List.of("--swap", level));
        assertTrue(run.echoOutput().contains("l2echo: swap " + level), run.echoOutput());
        assertTrue(field(run.result(), "echoed") > 500, run.result()); // the rest refused by a busy machine's Tx ring
    }

    /* An echo at another level than l2gen expects: every echo counts as corrupted, none as foreign. */
    @Test
    void anEchoAtAnotherLevelThanExpectedIsCountedCorrupted() throws IOException {
        Run run = run(List.of("--count", "2000", "--rate", "10000", "--flows", "4", "--swap", "mac"),
                List.of("--swap", "ports"), false);
        String result = run.result();
        assertTrue(field(result, "echoed") > 200, result);
        assertEquals(field(result, "echoed"), field(result, "corrupted"), result);
        assertEquals(0, field(result, "foreign"), result);
    }

    private Run run(List<String> genOptions, List<String> echoOptions) throws IOException {
        return run(genOptions, echoOptions, true);
    }

    /*
     * l2gen on a vhost-user server, the echo attaching on virtio_user; checks what holds for
     * every run (each frame the generator sent reached the echo, each echo came back once and,
     * when `intact`, as the generator expects) and returns the rest. Both are our apps: the
     * fixture checks that they left nothing.
     */
    private Run run(List<String> genOptions, List<String> echoOptions, boolean intact) throws IOException {
        assertTrue(Files.exists(ECHO), "build l2echo-app first (mvn install)");
        String genPrefix = dpdk.filePrefix();
        String echoPrefix = dpdk.filePrefix();
        Path socket = Path.of("/tmp", genPrefix + ".sock");
        dpdk.closeAfter(() -> Files.deleteIfExists(socket));
        List<String> genArgs = new ArrayList<>(genOptions);
        genArgs.add("--json");
        List<String> echoArgs = new ArrayList<>(echoOptions);
        echoArgs.addAll(List.of("--stats-interval", "0"));
        EchoAppProcess gen = dpdk.closeAfter(EchoAppProcess.start(GEN, List.of("--lcores=0@0,1@0", "--no-pci",
                "--file-prefix=" + genPrefix, "--vdev=net_vhost0,iface=" + socket + ",queues=1"), genArgs));
        assertTrue(gen.awaitOutput("waiting up to", EchoAppProcess.START_TIMEOUT), () -> gen.outputTail(20));
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(ECHO, List.of("--lcores=0@1,1@1", "--no-pci",
                "--file-prefix=" + echoPrefix, "--single-file-segments",
                "--vdev=virtio_user0,path=" + socket + ",queues=1"), echoArgs));
        echo.awaitEchoing();
        assertTrue(gen.awaitOutput("{\"phase\":\"latency\"", EchoAppProcess.START_TIMEOUT), () -> gen.outputTail(20));
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
        EchoAppProcess.Totals echoed = echo.totals();

        // Every trial reports itself, the probes that waited for the echo too.
        List<String> trials = gen.output().lines().filter(l -> l.startsWith("{")).toList();
        assertTrue(trials.get(trials.size() - 1).startsWith("{\"phase\":\"latency\""), trials::toString);
        long sentInAll = trials.stream().mapToLong(t -> field(t, "sent")).sum();
        long echoedInAll = trials.stream().mapToLong(t -> field(t, "echoed")).sum();
        assertEquals(sentInAll, echoed.rxPackets(), "the echo received every frame the generator sent");
        assertEquals(echoed.txPackets(), echoedInAll, "the generator got back what was echoed");
        for (String trial : trials) {
            assertEquals(0, field(trial, "duplicated"), trial);
            if (intact) {
                assertEquals(0, field(trial, "corrupted"), "every echo is the frame sent, swapped as expected: "
                        + trial);
            }
        }
        return new Run(trials, gen, echo.output(), echoed);
    }
}
