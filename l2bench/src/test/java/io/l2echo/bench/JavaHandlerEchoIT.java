package io.l2echo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.PacketBurst;
import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.EchoReport;
import io.l2echo.testkit.EchoVerifier;
import io.l2echo.testkit.ProcThreads;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java-handler echo on a veth bed ({@code net_af_packet}): real frames from the namespace
 * side, swapped by Java code on Java threads in the received mbufs (zero-copy bursts, checked
 * mode on), one queue or two, checked byte for byte, stopped by SIGINT, nothing left behind.
 */
@Tag("dpdk")
class JavaHandlerEchoIT {
    private static final Path JAR = Path.of("target", "l2bench.jar");
    private static final Pattern JNI = Pattern.compile("([\\d,]+) JNI calls into the shim in the whole run, for "
            + "([\\d,]+) frames echoed");
    private static final String CHECKED = PacketBurst.CHECKED_PROPERTY;
    private static final Pattern ALLOCATED = Pattern.compile(
            "thread packets-p0q0 allocated ([\\d,]+) bytes on the Java heap while it polled");
    private static final Pattern POLLS = Pattern.compile("  bursts ([\\d,]+)  empty polls ([\\d,]+)");

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void everyFrameComesBackOnceByteForByteAtOneJniCallPerBurst() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.startMain(JAR, JavaHandlerEcho.class.getName(),
                JavaHandlerEcho.NAME, List.of("-D" + CHECKED + "=" + System.getProperty(CHECKED, "false")),
                List.of("-l", "0,1", "--no-pci", "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix),
                List.of("--stats-interval", "0")));
        echo.awaitEchoing();
        assertTrue(echo.output().contains("thread packets-p0q0 polls port 0 queue 0 on lcore 1's CPUs [1] as lcore "),
                () -> echo.outputTail(20));
        // Failsafe turns checked bursts on; -D...=false on Maven's command line runs the unchecked path.
        assertEquals(Boolean.getBoolean(CHECKED),
                echo.output().contains("with Java packet logic, bursts checked (" + CHECKED + ")"),
                () -> "the app says whether bursts are checked, as " + CHECKED + " asks:\n" + echo.outputTail(20));

        List<byte[]> frames = bed.frames().flows(16).payloadSeed(0x5eed).build().sweep(0, 3000); // 60..1514, twice
        EchoReport report;
        try (RawSocket peer = bed.openPeerSocket()) {
            report = EchoVerifier.builder().build().verify(peer, frames);
        }
        report.assertPerfect();
        assertEquals(frames.size(), report.echoed());

        long poller = ProcThreads.named(echo.pid(), List.of("packets-p0q0"))
                .orElseThrow(() -> new AssertionError("no polling thread:\n" + echo.outputTail(20)));
        assertEquals(Set.of(1), ProcThreads.allowedCpus(echo.pid(), poller), "pinned to lcore 1's CPU");

        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
        EchoAppProcess.Totals totals = echo.totals();
        // Whatever the namespace's kernel sent on its own came back too, as "foreign" frames.
        assertEquals(frames.size() + report.foreign(), totals.rxPackets(), "frames the handler got");
        assertEquals(totals.rxPackets(), totals.txPackets(), "every frame received was sent back");
        assertEquals(totals.rxPackets(), totals.portRxPackets(), "the queue's count is the port driver's");
        assertEquals(totals.txPackets(), totals.portTxPackets(), "both ways");
        assertEquals(0, totals.txDropped(), "none dropped");

        Matcher jni = JNI.matcher(echo.output());
        Matcher polls = POLLS.matcher(echo.output());
        assertTrue(jni.find() && polls.find(), () -> echo.outputTail(10));
        long calls = number(jni.group(1));
        long bursts = number(polls.group(1));
        long emptyPolls = number(polls.group(2));
        // Every poll is one receive, every burst with frames one transmit; what is left is the control path:
        // configuration, the link watch (10 reads a second), log drains (1 a second). Fewer than the frames:
        // a call per frame would not fit.
        long controlCalls = calls - emptyPolls - 2 * bursts;
        assertTrue(controlCalls > 0 && controlCalls < 1000, () -> calls + " JNI calls for " + bursts + " bursts and "
                + emptyPolls + " empty polls leave " + controlCalls + " for the control path");
        assertTrue(bursts <= totals.rxPackets(), "bursts, not frames");
        // The polling thread's heap allocation, HotSpot's count: a few kB of first-burst class linking, then none.
        Matcher allocated = ALLOCATED.matcher(echo.output());
        assertTrue(allocated.find(), () -> echo.outputTail(10));
        long bytes = number(allocated.group(1));
        assertTrue(bytes >= 0 && bytes < 64 * 1024, () -> "the polling thread allocated " + bytes + " bytes");
    }

    /**
     * Two worker lcores, two queues, two Java loops sharing nothing: the kernel's fanout hash
     * spreads 64 flows over the veth's two queues, each loop swaps its own queue's frames. The
     * machine has two CPUs, so both loops share CPU 1 ({@code --lcores}): slow, and exactly as
     * correct.
     */
    @Test
    void twoQueuesTwoJavaLoopsEveryFlowComesBackByteForByte() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder().queues(2));
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.startMain(JAR, JavaHandlerEcho.class.getName(),
                JavaHandlerEcho.NAME, List.of("-D" + CHECKED + "=" + System.getProperty(CHECKED, "false")),
                List.of("--lcores=0@0,1@1,2@1", "--no-pci", "--vdev=" + bed.afPacketVdev(0),
                        "--file-prefix=" + prefix),
                List.of("--stats-interval", "0")));
        echo.awaitEchoing();
        for (int queue = 0; queue < 2; queue++) {
            String line = "thread packets-p0q" + queue + " polls port 0 queue " + queue + " on lcore " + (queue + 1)
                    + "'s CPUs [1] as lcore ";
            assertTrue(echo.output().contains(line), () -> "no '" + line + "':\n" + echo.outputTail(20));
        }

        List<byte[]> frames = bed.frames().flows(64).payloadSeed(0xfeed).build().sweep(0, 3000);
        EchoReport report;
        try (RawSocket peer = bed.openPeerSocket()) {
            report = EchoVerifier.builder().build().verify(peer, frames);
        }
        report.assertPerfect();
        for (String thread : List.of("packets-p0q0", "packets-p0q1")) {
            long tid = ProcThreads.named(echo.pid(), List.of(thread))
                    .orElseThrow(() -> new AssertionError("no thread " + thread + ":\n" + echo.outputTail(20)));
            assertEquals(Set.of(1), ProcThreads.allowedCpus(echo.pid(), tid), thread + " pinned to its lcore's CPU");
        }

        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
        EchoAppProcess.Totals totals = echo.totals();
        assertEquals(frames.size() + report.foreign(), totals.rxPackets(), "frames the handlers got");
        assertEquals(2, totals.queues().size(), totals::toString);
        long perQueueSum = 0;
        for (EchoAppProcess.QueueTotals queue : totals.queues()) {
            assertTrue(queue.rxPackets() > 0, () -> "queue " + queue.queue() + " carried no flow: " + totals);
            assertEquals(queue.rxPackets(), queue.txPackets(), () -> "queue " + queue.queue() + " sent all back");
            perQueueSum += queue.rxPackets();
        }
        assertEquals(totals.portRxPackets(), perQueueSum, "the queues add up to the port's own count");
        assertEquals(totals.portTxPackets(), totals.txPackets(), "and so does what they sent");
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
