package io.l2echo.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.ChildProcess;
import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Telemetry read while an embedded echo ends: the read path a JVM service's operators use
 * ({@code dpdk-stats}, {@code dpdk-telemetry.py}) against {@code EchoService.stopWorkers()} and
 * {@code close()}, as {@code LifecycleStressDpdkTest} does for the API's own read paths. DPDK
 * allows one EAL per process, so each iteration is a JVM of its own running
 * {@link TelemetryStress} (see there what its readers check); here each must exit 0 having
 * passed, and leave nothing under its file prefix: no hugepage file, no runtime directory. A
 * crash of that JVM fails the iteration with its hs_err file. Needs root, hugepages and DPDK.
 *
 * <p>{@code -Dl2echo.telemetryStress.iterations=N} runs N iterations instead of
 * {@value #DEFAULT_ITERATIONS}; {@code scripts/asan_stress.sh} runs it against a shim built with
 * AddressSanitizer.
 */
@Tag("dpdk")
class TelemetryStressDpdkTest {
    private static final int DEFAULT_ITERATIONS = 8;
    private static final Duration ITERATION_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern COUNT = Pattern.compile(" ([a-z]+)=(\\d+)");

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void telemetryIsReadWhileTheEchoStopsAndTheEalClosesAndNothingIsLeft() throws IOException {
        int iterations = Integer.getInteger("l2echo.telemetryStress.iterations", DEFAULT_ITERATIONS);
        Map<String, Long> totals = new TreeMap<>();
        for (int i = 1; i <= iterations; i++) {
            String prefix = dpdk.filePrefix();
            Path errorFile = Path.of("target", "telemetry-stress-" + prefix + "-hs_err.log").toAbsolutePath();
            ChildProcess jvm = dpdk.closeAfter(ChildProcess.start(command(prefix, errorFile)));
            OptionalInt status = jvm.awaitExit(ITERATION_TIMEOUT);
            String iteration = "iteration " + i + " of " + iterations + " (file prefix " + prefix + ")";
            assertTrue(status.isPresent(), () -> iteration + " still runs after " + ITERATION_TIMEOUT.toSeconds()
                    + " s:\n" + jvm.outputTail(40));
            assertEquals(0, status.getAsInt(), () -> iteration + " exited " + status.getAsInt() + ":\n"
                    + jvm.outputTail(60) + crashReport(errorFile));
            String passed = jvm.output().lines().filter(line -> line.startsWith(TelemetryStress.PASSED)).findFirst()
                    .orElseThrow(() -> new AssertionError(iteration + " exited 0 without passing:\n"
                            + jvm.outputTail(40)));
            dpdk.assertNoneLeft(prefix);
            Matcher count = COUNT.matcher(passed);
            while (count.find()) {
                totals.merge(count.group(1), Long.parseLong(count.group(2)), Long::sum);
            }
        }
        System.out.println("telemetry stress, " + iterations + " iterations: " + totals);
        assertTrue(totals.getOrDefault("rows", 0L) >= iterations * 600L, "the readers read the running echo: "
                + totals);
        assertTrue(totals.getOrDefault("stopping", 0L) + totals.getOrDefault("closing", 0L) > 0,
                "some requests met the echo stopping or the EAL closing: " + totals);
        assertTrue(totals.getOrDefault("closed", 0L) > 0, "and some came after the close: " + totals);
    }

    /* This JVM's java and class path; the environment (a preloaded libasan) is inherited. */
    private static List<String> command(String prefix, Path errorFile) {
        return List.of(Processes.currentJava().toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:ErrorFile=" + errorFile, "-cp", System.getProperty("java.class.path"),
                TelemetryStress.class.getName(), prefix);
    }

    /* The head of the JVM's fatal error log: the signal, the frame, the thread. */
    private static String crashReport(Path errorFile) {
        try (Stream<String> lines = Files.exists(errorFile) ? Files.lines(errorFile) : Stream.empty()) {
            String head = lines.limit(60).collect(Collectors.joining("\n"));
            return head.isEmpty() ? "" : "\n" + errorFile + ":\n" + head;
        } catch (IOException | UncheckedIOException e) {
            return "\n" + errorFile + " unreadable: " + e;
        }
    }
}
