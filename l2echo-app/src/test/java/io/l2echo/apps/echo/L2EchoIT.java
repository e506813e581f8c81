package io.l2echo.apps.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.EchoReport;
import io.l2echo.testkit.EchoVerifier;
import io.l2echo.testkit.ProcThreads;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.UdpFrameTemplate;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * l2echo as a user runs it: {@code java -jar l2echo.jar} on {@code net_af_packet} over a
 * veth bed, real frames from the namespace side checked byte for byte, stopped by SIGINT.
 */
@Tag("dpdk")
class L2EchoIT {
    private static final Path JAR = Path.of("target", "l2echo.jar");

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    private static EchoAppProcess startEcho(List<String> eal, String... appArgs) throws IOException {
        return EchoAppProcess.start(JAR, eal, List.of(appArgs));
    }

    /* IFF_PROMISC on a kernel interface. */
    private static boolean promiscuous(String iface) throws IOException {
        return (Long.decode(Files.readString(Path.of("/sys/class/net", iface, "flags")).trim()) & 0x100) != 0;
    }

    private static EchoAppProcess.Exit runToExit(List<String> eal, String... appArgs) throws IOException {
        return EchoAppProcess.runToExitLeavingNothing(JAR, eal, List.of(appArgs));
    }

    @Test
    void echoesThousandsOfFramesOnceEachWithMacsSwappedAndItsCountersAgree() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess echo = dpdk.closeAfter(startEcho(List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix), "--stats-interval", "500"));
        echo.awaitEchoing();
        assertTrue(echo.output().contains("lcore 1 -> [port 0 queue 0]"), () -> echo.outputTail(30));
        assertTrue(echo.output().contains("INFO: EAL: Detected CPU lcores"), "EAL's log, through SLF4J");

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

        assertTrue(promiscuous(bed.dutInterface()), "the echo takes frames for any MAC");
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
        assertFalse(promiscuous(bed.dutInterface()), "and leaves the interface as it found it");
        EchoAppProcess.Totals totals = echo.totals();
        // Whatever the namespace's kernel sent on its own came back too, as "foreign" frames.
        assertEquals(frames.size() + report.foreign(), totals.rxPackets(), "frames the app counted in");
        assertEquals(totals.rxPackets(), totals.txPackets(), "every frame received was sent back");
        assertEquals(totals.rxPackets(), totals.portRxPackets(), "the loop's count is the port driver's");
        assertEquals(totals.txPackets(), totals.portTxPackets(), "both ways");
        assertEquals(0, totals.txDropped(), "none dropped");
        Matcher jni = Pattern.compile("([\\d,]+) JNI calls into the shim").matcher(echo.output());
        assertTrue(jni.find(), () -> echo.outputTail(5));
        long jniCalls = Long.parseLong(jni.group(1).replace(",", ""));
        assertTrue(jniCalls < frames.size() / 10, "JNI calls are per run and per second, not per frame: "
                + jniCalls + " for " + frames.size() + " frames");
        assertTrue(echo.output().contains("SIGINT received, stopping"), () -> echo.outputTail(30));
    }

    @Test
    void withOneLcoreTheMainLcorePollsAndTheKernelNeverAnswersAPing() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess echo = dpdk.closeAfter(startEcho(List.of("-l", "1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix), "--stats-interval", "0"));
        echo.awaitEchoing();
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

        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
        EchoAppProcess.Totals totals = echo.totals();
        assertTrue(totals.rxPackets() >= frames.size() + pings, "the echo took every ping: " + totals);
        assertEquals(totals.rxPackets(), totals.txPackets(), "and sent each back");
    }

    @Test
    void anUnknownPortSaysWhichPortsExistAndExitsOne() throws IOException {
        EchoAppProcess.Exit exit = runToExit(List.of("-l", "0", "--no-pci", "--vdev=net_null0"), "--port", "3");
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: open port 3 failed: there is no port 3; EAL probed port(s) 0 "
                + "(net_null0, net_null)"), exit.output());
        assertTrue(exit.output().contains("--vdev"), "says how to give EAL a device");
    }

    @Test
    void aBadEalOptionExitsOneAndSaysWhereOptionsGo() throws IOException {
        EchoAppProcess.Exit exit = runToExit(List.of("-l", "0", "--no-pci", "--burst", "64"));
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: initialise EAL failed"), exit.output());
        assertTrue(exit.output().contains("application options go after '--'"), exit.output());
        // DPDK's own line comes through SLF4J (java.util.logging prints ERR as SEVERE), before ours.
        int dpdkLine = exit.output().indexOf("SEVERE: EAL: Invalid 'command line' arguments.");
        assertTrue(dpdkLine >= 0 && dpdkLine < exit.output().indexOf("l2echo: initialise EAL failed"), exit.output());
    }

    @Test
    void aBadAppOptionExitsTwoBeforeDpdkStarts() throws IOException {
        EchoAppProcess.Exit exit = runToExit(List.of("-l", "0", "--no-pci"), "--burst", "0");
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
            Processes.Result result = Processes.run(EchoAppProcess.START_TIMEOUT, command);
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
            Processes.Result result = Processes.run(EchoAppProcess.START_TIMEOUT, "unshare", "--mount",
                    "--propagation", "private",
                    "sh", "-c", script);
            assertEquals(1, result.exitCode(), result.output());
            assertTrue(result.output().contains("no hugepages are reserved"), result.output());
            assertTrue(result.output().contains("scripts/setup_env.sh"), result.output());
        } finally {
            Files.deleteIfExists(fake);
        }
    }

    /*
     * No thread but the polling lcore's may run on its CPU (lcore 1 runs on CPU 1 here): the
     * stats thread, main, and the JVM's own (GC, JIT, VM) get the rest of the process's CPUs.
     */
    private static void assertControlPlaneOffThePollingCore(long pid) throws IOException {
        long worker = ProcThreads.ealWorker(pid, 1).orElseThrow(() -> new AssertionError("no EAL thread for lcore 1"));
        assertEquals(Set.of(1), ProcThreads.allowedCpus(pid, worker), "the polling lcore is pinned to its CPU");
        assertTrue(ProcThreads.named(pid, List.of("l2echo-stats")).isPresent(), "the stats thread runs");
        List<String> onThePollingCpu = new ArrayList<>();
        for (long tid : ProcThreads.all(pid)) {
            try {
                if (tid != worker && ProcThreads.allowedCpus(pid, tid).contains(1)) {
                    onThePollingCpu.add(ProcThreads.name(pid, tid));
                }
            } catch (NoSuchFileException ended) {
                // A JIT compiler thread the JVM retired meanwhile.
            }
        }
        assertEquals(List.of(), onThePollingCpu, "threads allowed on the polling CPU besides lcore 1's");
    }
}
