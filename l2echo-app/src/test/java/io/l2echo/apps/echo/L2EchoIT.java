package io.l2echo.apps.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.ChildProcess;
import io.l2echo.testkit.EchoReport;
import io.l2echo.testkit.EchoVerifier;
import io.l2echo.testkit.Leftovers;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.UdpFrameTemplate;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * l2echo as a user runs it: {@code java -jar l2echo.jar} on {@code net_af_packet} over a
 * veth bed, real frames from the namespace side checked byte for byte, stopped by SIGINT.
 */
@Tag("dpdk")
class L2EchoIT {
    private static final Path JAR = Path.of("target", "l2echo.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Pattern FINAL = Pattern.compile("final: rx ([\\d,]+)  tx ([\\d,]+)  dropped ([\\d,]+)");
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private static String uniquePrefix() {
        return "l2e-it-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
    }

    private static ChildProcess startEcho(List<String> eal, String... appArgs) throws IOException {
        List<String> args = new ArrayList<>(eal);
        args.add("--");
        args.addAll(List.of(appArgs));
        return ChildProcess.start(Processes.javaJar(JAR, List.of(), args));
    }

    /** How a run that ends by itself ended. */
    private record Exit(int status, String output) {
    }

    private static Exit runToExit(List<String> eal, String... appArgs) throws IOException {
        try (ChildProcess echo = startEcho(eal, appArgs)) {
            OptionalInt status = echo.awaitExit(START_TIMEOUT);
            assertTrue(status.isPresent(), () -> "still running after " + START_TIMEOUT + ":\n" + echo.outputTail(30));
            return new Exit(status.getAsInt(), echo.output());
        }
    }

    /** The app's own final totals: rx, tx, dropped. */
    private static long[] finalTotals(ChildProcess echo) {
        Matcher m = FINAL.matcher(echo.output());
        assertTrue(m.find(), () -> "no final stats in:\n" + echo.outputTail(30));
        return new long[] {parse(m.group(1)), parse(m.group(2)), parse(m.group(3))};
    }

    private static long parse(String number) {
        return Long.parseLong(number.replace(",", ""));
    }

    private static int stopWithSigint(ChildProcess echo) throws IOException {
        return echo.stop(Processes.Signal.INT, STOP_GRACE);
    }

    @Test
    void echoesThousandsOfFramesOnceEachWithMacsSwappedAndItsCountersAgree() throws IOException {
        String prefix = uniquePrefix();
        Leftovers leftovers = Leftovers.snapshot(prefix);
        try (VethBed bed = VethBed.builder().up();
                ChildProcess echo = startEcho(List.of("-l", "0,1", "--no-pci", "--vdev=" + bed.afPacketVdev(0),
                        "--file-prefix=" + prefix), "--stats-interval", "500")) {
            assertTrue(echo.awaitOutput("l2echo: echoing", START_TIMEOUT), () -> echo.outputTail(30));
            assertTrue(echo.output().contains("lcore 1 -> [port 0 queue 0]"), () -> echo.outputTail(30));

            UdpFrameTemplate template = bed.frames().flows(16).payloadSeed(0x5eed).build();
            List<byte[]> frames = template.sweep(0, 3000); // every length from 60 to 1514, twice over
            EchoReport report;
            try (RawSocket peer = bed.openPeerSocket()) {
                report = EchoVerifier.builder().build().verify(peer, frames);
            }
            report.assertPerfect();
            assertEquals(frames.size(), report.echoed());

            assertControlPlaneOffThePollingCore(echo.pid());
            assertTrue(echo.awaitOutput("rx pps", Duration.ofSeconds(5)), "live stats are printed");

            assertEquals(0, stopWithSigint(echo), () -> echo.outputTail(30));
            long[] totals = finalTotals(echo);
            // Whatever the namespace's kernel sent on its own came back too, as "foreign" frames.
            assertEquals(frames.size() + report.foreign(), totals[0], "frames the app counted in");
            assertEquals(totals[0], totals[1], "every frame received was sent back");
            assertEquals(0, totals[2], "none dropped");
            assertTrue(echo.output().contains("SIGINT received, stopping"), () -> echo.outputTail(30));
        } finally {
            assertTrue(leftovers.check().isEmpty(), () -> "left behind: " + leftoversRemoved(leftovers));
        }
    }

    @Test
    void withOneLcoreTheMainLcorePollsAndTheKernelNeverAnswersAPing() throws IOException {
        String prefix = uniquePrefix();
        Leftovers leftovers = Leftovers.snapshot(prefix);
        try (VethBed bed = VethBed.builder().up();
                ChildProcess echo = startEcho(List.of("-l", "1", "--no-pci", "--vdev=" + bed.afPacketVdev(0),
                        "--file-prefix=" + prefix), "--stats-interval", "0")) {
            assertTrue(echo.awaitOutput("l2echo: echoing", START_TIMEOUT), () -> echo.outputTail(30));
            assertTrue(echo.output().contains("lcore 1 -> [port 0 queue 0] (on the main lcore)"),
                    () -> echo.outputTail(30));

            List<byte[]> frames = bed.frames().payloadSeed(7).build().sweep(10_000, 1455);
            try (RawSocket peer = bed.openPeerSocket()) {
                EchoVerifier.builder().build().verify(peer, frames).assertPerfect();
            }

            int pings = 5;
            Processes.Result ping = Processes.run(Duration.ofSeconds(20), "ip", "netns", "exec", bed.namespace(),
                    "ping", "-c", String.valueOf(pings), "-i", "0.2", "-W", "1", bed.echoIp());
            assertEquals(1, ping.exitCode(), ping.output());
            assertTrue(ping.output().contains("100% packet loss"), ping.output());

            assertEquals(0, stopWithSigint(echo), () -> echo.outputTail(30));
            long[] totals = finalTotals(echo);
            assertTrue(totals[0] >= frames.size() + pings, "the echo took every ping: " + totals[0]);
            assertEquals(totals[0], totals[1], "and sent each back");
        } finally {
            assertTrue(leftovers.check().isEmpty(), () -> "left behind: " + leftoversRemoved(leftovers));
        }
    }

    @Test
    void anUnknownPortSaysWhichPortsExistAndExitsOne() throws IOException {
        String prefix = uniquePrefix();
        Leftovers leftovers = Leftovers.snapshot(prefix);
        Exit exit = runToExit(List.of("-l", "0", "--no-pci", "--vdev=net_null0", "--file-prefix=" + prefix),
                "--port", "3");
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: open port 3 failed: there is no port 3; EAL probed port(s) 0 "
                + "(net_null0, net_null)"), exit.output());
        assertTrue(exit.output().contains("--vdev"), "says how to give EAL a device");
        assertTrue(leftovers.check().isEmpty(), () -> "left behind: " + leftoversRemoved(leftovers));
    }

    @Test
    void aBadEalOptionExitsOneAndSaysWhereOptionsGo() throws IOException {
        String prefix = uniquePrefix();
        Leftovers leftovers = Leftovers.snapshot(prefix);
        Exit exit = runToExit(List.of("-l", "0", "--no-pci", "--burst", "64", "--file-prefix=" + prefix));
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: initialise EAL failed"), exit.output());
        assertTrue(exit.output().contains("application options go after '--'"), exit.output());
        assertTrue(leftovers.check().isEmpty(), () -> "left behind: " + leftoversRemoved(leftovers));
    }

    @Test
    void aBadAppOptionExitsTwoBeforeDpdkStarts() throws IOException {
        Exit exit = runToExit(List.of("-l", "0", "--no-pci"), "--burst", "0");
        assertEquals(2, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: burst size must be in 1..512, not 0"), exit.output());
        assertFalse(exit.output().contains("EAL:"), "DPDK was never started");
    }

    @Test
    void withoutRootItSaysSoAndExitsOne() throws IOException {
        // A copy nobody can read, wherever the build tree lives.
        Path dir = Files.createDirectories(Path.of("/tmp", "l2e-it-jar-" + ProcessHandle.current().pid()));
        Path jar = dir.resolve("l2echo.jar");
        try {
            Files.copy(JAR, jar, StandardCopyOption.REPLACE_EXISTING);
            Processes.run(Duration.ofSeconds(5), "chmod", "755", dir.toString());
            Processes.run(Duration.ofSeconds(5), "chmod", "644", jar.toString());
            List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "--inh-caps=-all"));
            command.addAll(Processes.javaJar(jar, List.of("-Djava.io.tmpdir=/tmp"),
                    List.of("-l", "0", "--no-pci", "--vdev=net_null0")));
            Processes.Result result = Processes.run(START_TIMEOUT, command);
            assertEquals(1, result.exitCode(), result.output());
            assertTrue(result.output().contains("not running as root"), result.output());
            assertTrue(result.output().contains("sudo"), result.output());
            assertFalse(result.output().contains("EAL:"), "stopped before DPDK printed anything");
        } finally {
            Files.deleteIfExists(jar);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void withoutFreeHugepagesItSaysHowToReserveThem() throws IOException {
        // The machine's hugepages stay as they are: a private mount namespace shows the app none.
        Path fake = Files.createTempFile("l2e-it-nohuge", ".txt");
        try {
            Files.writeString(fake, "0\n");
            String sizes = "/sys/kernel/mm/hugepages";
            StringBuilder binds = new StringBuilder();
            try (Stream<Path> dirs = Files.list(Path.of(sizes))) {
                for (Path dir : dirs.toList()) {
                    binds.append("mount --bind ").append(fake).append(' ').append(dir.resolve("nr_hugepages"))
                            .append(" && ");
                }
            }
            List<String> java = Processes.javaJar(JAR.toAbsolutePath(), List.of(),
                    List.of("-l", "0", "--no-pci", "--vdev=net_null0"));
            String script = binds + "exec " + String.join(" ", java);
            Processes.Result result = Processes.run(START_TIMEOUT, "unshare", "--mount", "--propagation", "private",
                    "sh", "-c", script);
            assertEquals(1, result.exitCode(), result.output());
            assertTrue(result.output().contains("no hugepages are reserved"), result.output());
            assertTrue(result.output().contains("scripts/setup_env.sh"), result.output());
        } finally {
            Files.deleteIfExists(fake);
        }
    }

    /* The stats thread must not share the polling lcore's CPU (lcore 1 runs on CPU 1 here). */
    private static void assertControlPlaneOffThePollingCore(long pid) throws IOException {
        boolean sawStats = false;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String name = Files.readString(task.resolve("comm")).trim();
                String cpus = Files.readAllLines(task.resolve("status")).stream()
                        .filter(line -> line.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                        .substring("Cpus_allowed_list:".length()).trim();
                if (name.equals("l2echo-stats")) {
                    sawStats = true;
                    assertEquals("0", cpus, "the stats thread runs on the control CPU only");
                } else if (name.startsWith("lcore-worker-1") || name.startsWith("rte-worker-1")) {
                    assertEquals("1", cpus, "the polling lcore is pinned to its CPU");
                }
            }
        }
        assertTrue(sawStats, "found the l2echo-stats thread");
    }

    private static String leftoversRemoved(Leftovers leftovers) {
        try {
            return leftovers.remove().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
