package io.l2echo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.Processes;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's quick mode, as CI runs it so the harness cannot rot: every system is started,
 * measured and written up, with plots. The numbers of a tiny run on a shared machine are not
 * checked; that they are there, and that every trial accounted for its frames, is.
 */
@Tag("dpdk")
class BenchmarkQuickIT {
    @Test
    void theQuickRunWritesTheReportAndItsPlots() throws IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path report = repo.resolve("l2bench/target/benchmark-it/BENCHMARKS.md");
        Processes.Result run = Processes.run(Duration.ofMinutes(8), Processes.javaJar(
                repo.resolve("l2bench/target/l2bench.jar"), List.of("-Duser.dir=" + repo),
                List.of("--quick", "--output", report.toString())));
        assertEquals(0, run.exitCode(), run.output());

        String text = Files.readString(report);
        for (SystemUnderTest system : SystemUnderTest.values()) {
            assertTrue(text.contains("| " + system.label() + " | "), () -> system.label() + " in\n" + text);
        }
        for (String section : List.of("## Machine", "## Throughput on the vhost-user bed",
                "## Round-trip latency on the vhost-user bed", "## Throughput on the veth bed",
                "## Round-trip latency on the veth bed", "## Targets", "## Nothing crosses JNI per packet",
                "dpdk-testpmd", "l2gen.jar", "kernel_echo")) {
            assertTrue(text.contains(section), () -> section + " in\n" + text);
        }
        assertFalse(text.contains(repo.toString()), "commands are written from the repository root, no machine path");
        assertTrue(text.contains("## Round-trip latency on a guest's PCI NIC"), () -> "guest section in\n" + text);
        if (Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            for (String system : List.of(GuestNicBed.KERNEL, GuestNicBed.TESTPMD, GuestNicBed.L2ECHO)) {
                assertTrue(text.matches("(?s).*\n\\| " + system + " \\| 1,000 pps \\| [\\d.]+ \\|.*"),
                        () -> system + " measured on the guest NIC in\n" + text);
            }
        }
        assertTrue(text.matches("(?s).*\\| vhost-user \\| l2echo \\| 1 \\| [\\d,]+ \\| [\\d,]+ \\|.*"),
                () -> "JNI count row in\n" + text);
        assertTrue(text.contains("## Java packet logic: cost per packet"), () -> "Java handler section in\n" + text);
        for (String bed : List.of("vhost-user", "veth")) {
            assertTrue(text.matches("(?s).*\n\\| " + bed + " \\| l2echo, Java handler \\| [\\d,]+ pps \\| ([\\d,]+ ns|n/a) "
                    + "\\| [\\d,]+ pps \\| [\\d,]+ ns \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\|.*"),
                    () -> "the Java handler's cost per frame on the " + bed + " bed in\n" + text);
            assertTrue(text.matches("(?s).*\n- " + bed + ": flat out the Java handler echoed [\\d.]+× the native echo's.*"),
                    () -> "the Java handler against the native echo on the " + bed + " bed in\n" + text);
        }
        assertTrue(text.contains("io.l2echo.bench.JavaHandlerEcho"), () -> "the Java handler's command in\n" + text);
        assertTrue(text.contains("## What a frame costs the polling core"), () -> "cycles section in\n" + text);
        for (String system : List.of("testpmd macswap", "l2echo", "l2echo, Java handler")) {
            // testpmd's own --record-core-cycles figure and our queues' busy_cycles, parsed from each one's output.
            assertTrue(text.matches("(?s).*\n\\| vhost-user \\| " + Pattern.quote(system) + " \\| [1-9][\\d.]* \\| .*"),
                    () -> system + "'s busy cycles per frame on the vhost-user bed in\n" + text);
        }
        assertTrue(text.matches("(?s).*\n\\| vhost-user \\| l2echo, Java handler \\| 1 \\| [\\d,]+ \\| [1-9][\\d,]* \\| "
                + "[\\d.]+ \\| \\d+ \\|.*"), () -> "the Java handler's allocation row in\n" + text);
        assertTrue(text.contains("taskset -c 0 ") && text.contains("taskset -c 1 "),
                () -> "every process confined to its CPU, as the commands show, in\n" + text);
        assertTrue(text.contains("## Where the polling lcore's time goes"), () -> "profile section in\n" + text);
        if (Profiler.available()) {
            // Samples of l2echo's polling thread, some of them in the shim's loop.
            assertTrue(text.matches("(?s).*\\| l2echo \\| [\\d,]+ pps \\| [\\d,]+ \\| [\\d,]+ \\| [1-9][\\d,]* \\|.*"),
                    () -> "l2echo's profile row in\n" + text);
            assertTrue(text.matches("(?s).*\n- l2echo: [^\n]*libdpdkj\\.so \\(our shim\\).*"),
                    () -> "the shim among l2echo's shared objects in\n" + text);
        }
        assertTrue(text.contains("## Swap levels beside testpmd"), () -> "swap level section in\n" + text);
        for (String level : List.of("mac", "ip", "ports")) {
            // Cycles measured at every level, and l2gen found every echo swapped exactly as the level says.
            assertTrue(text.matches("(?s).*\n\\| " + level + " \\| [1-9][\\d.]* \\| [^\n]* \\| 0 \\|\n.*"),
                    () -> "swap level " + level + " measured, nothing corrupted, in\n" + text);
        }
        // l2echo with dpdk-dumpcap attached: the tool received frames from the running echo.
        assertTrue(text.matches("(?s).*\n\\| l2echo \\+ dpdk-dumpcap \\| [\\d,]+ pps \\| [^\n]* \\| [1-9][\\d,]* \\| "
                + "[\\d,]+ \\|\n.*"), () -> "the capture's cost, with what dumpcap received, in\n" + text);
        // The swap kernels alone, by bench_reflect: a figure for each level on each kind of frame.
        assertTrue(text.matches("(?s).*\nIPv4/UDP( +[1-9][\\d.]*){7}\n.*"), () -> "bench_reflect's table in\n" + text);

        Path plots = report.resolveSibling("benchmarks");
        List<String> pictures = new ArrayList<>();
        for (String bed : List.of("vhost", "veth")) {
            pictures.add("throughput-" + bed + ".png");
            pictures.add("latency-" + bed + "-10000pps.png");
        }
        if (Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
            pictures.add("latency-guest-1000pps.png");
        }
        for (String picture : pictures) {
            assertTrue(text.contains("(benchmarks/" + picture + ")"), () -> picture + " linked from\n" + text);
            BufferedImage image = ImageIO.read(plots.resolve(picture).toFile());
            assertNotNull(image, picture + " is a PNG image");
            assertEquals(Plots.WIDTH, image.getWidth(), picture);
            assertEquals(Plots.HEIGHT, image.getHeight(), picture);
        }
        // Each run's round trips, kept in HdrHistogram's log format, every echo of the latency trial in it.
        for (Bed bed : Bed.values()) {
            for (SystemUnderTest system : bed.systems()) {
                Path log = plots.resolve("histograms").resolve(HistogramLogs.fileName(bed.name(), system.name(), 1));
                var latency = HistogramLogs.read(log).get("latency-10000pps");
                assertNotNull(latency, () -> log + " holds the latency trial");
                assertTrue(latency.getTotalCount() > 0, () -> log + " counts the echoes");
            }
        }
    }
}
