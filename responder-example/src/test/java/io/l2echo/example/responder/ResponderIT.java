package io.l2echo.example.responder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.PacketBurst;
import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The responder on a veth bed whose namespace has no static neighbour: the namespace's kernel
 * resolves the echo IP by ARP and pings it with the real {@code ping}, the Java handler answers
 * both (checked bursts on), and the root namespace's kernel, which sees the same frames, answers
 * neither. Each test stops the responder with SIGINT and leaves nothing behind.
 */
@Tag("dpdk")
class ResponderIT {
    private static final Path JAR = Path.of("target", "responder.jar");
    private static final String CHECKED = PacketBurst.CHECKED_PROPERTY;
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern ANSWERED = Pattern.compile("responder: answered ([\\d,]+) ARP requests, ([\\d,]+) echo "
            + "requests; dropped ([\\d,]+) frames not for us, ([\\d,]+) malformed");
    private static final Pattern RTT = Pattern.compile("rtt min/avg/max/mdev = [\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+ ms");

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void pingGetsEveryReplyFromJavaWhileTheKernelAnswersNothing() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder().staticNeighbour(false));
        EchoAppProcess responder = dpdk.closeAfter(start(bed, prefix));
        assertEquals("", Processes.run(PING_TIMEOUT, "ip", "-4", "-o", "addr", "show", "dev", bed.dutInterface())
                .requireSuccess().output().strip(), "the DUT has no IPv4 address: its kernel owns nothing to answer");
        long kernelEchoRepliesBefore = kernelEchoReplies();

        Processes.Result ping = ping(bed, bed.echoIp(), "20", "0.05", "2");
        assertTrue(ping.output().contains(", 0% packet loss"), ping.output());
        Matcher rtt = RTT.matcher(ping.output());
        assertTrue(rtt.find(), ping.output());
        System.out.println("ping " + bed.echoIp() + " answered by the Java responder: " + rtt.group());
        assertEquals(0, ping.exitCode(), ping.output());

        String neighbour = Processes.run(PING_TIMEOUT, "ip", "netns", "exec", bed.namespace(), "ip", "neigh", "show",
                bed.echoIp()).requireSuccess().output();
        assertTrue(neighbour.contains("lladdr " + bed.dutMac()), () -> "the DUT's MAC, learned by ARP: " + neighbour);
        assertFalse(neighbour.contains("PERMANENT"), neighbour);
        assertEquals(kernelEchoRepliesBefore, kernelEchoReplies(), "the root namespace's kernel sent no echo reply");

        assertEquals(0, responder.stopWithSigint(), () -> responder.outputTail(20));
        long[] answered = answered(responder);
        assertTrue(answered[0] >= 1, () -> "the namespace's ARP requests answered: " + responder.outputTail(10));
        assertEquals(20, answered[1], () -> "one reply per echo request: " + responder.outputTail(10));
        EchoAppProcess.Totals totals = responder.totals();
        long handled = Arrays.stream(answered).sum();
        assertEquals(totals.rxPackets(), handled, () -> "every frame the handler got is answered or counted dropped: "
                + responder.outputTail(10));
        assertEquals(answered[0] + answered[1], totals.txPackets(), "one frame sent per answer");
        assertTrue(totals.portRxPackets() >= handled, totals::toString);
    }

    @Test
    void anAddressTheResponderDoesNotOwnGetsNoAnswer() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder().staticNeighbour(false));
        EchoAppProcess responder = dpdk.closeAfter(start(bed, prefix));
        String stranger = "10.99.0.3"; // in the bed's subnet, not the responder's --ip
        Processes.Result ping = ping(bed, stranger, "3", "0.2", "1");
        assertTrue(ping.output().contains("100% packet loss"), ping.output());

        assertEquals(0, responder.stopWithSigint(), () -> responder.outputTail(20));
        long[] answered = answered(responder);
        assertEquals(0, answered[0], () -> "no ARP answered for " + stranger + ": " + responder.outputTail(10));
        assertEquals(0, answered[1], () -> responder.outputTail(10));
        assertTrue(answered[2] > 0, () -> "the namespace's ARP requests for " + stranger + " were dropped: "
                + responder.outputTail(10));
    }

    @Test
    void aWrongCommandLineExits2NamingTheOptionBeforeEalStarts() throws IOException {
        List<String> eal = List.of("-l", "0,1", "--no-pci");
        EchoAppProcess.Exit badAddress = EchoAppProcess.runToExitLeavingNothing(JAR, eal, List.of("--ip", "300.1.1.1"));
        assertEquals(2, badAddress.status(), badAddress.output());
        assertTrue(badAddress.output().contains("--ip takes an IPv4 address like 10.99.0.2, not '300.1.1.1'"),
                badAddress.output());
        assertFalse(badAddress.output().contains("EAL"), "refused before EAL started: " + badAddress.output());

        EchoAppProcess.Exit missing = EchoAppProcess.runToExitLeavingNothing(JAR, eal, List.of());
        assertEquals(2, missing.status(), missing.output());
        assertTrue(missing.output().contains("missing --ip"), missing.output());

        EchoAppProcess.Exit unknown = EchoAppProcess.runToExitLeavingNothing(JAR, eal,
                List.of("--ip", "10.99.0.2", "--answer-everything"));
        assertEquals(2, unknown.status(), unknown.output());
        assertTrue(unknown.output().contains("--answer-everything") && unknown.output().contains("--help"),
                unknown.output());
    }

    private static EchoAppProcess start(VethBed bed, String prefix) throws IOException {
        EchoAppProcess responder = EchoAppProcess.startMain(JAR, Responder.class.getName(), Responder.NAME,
                List.of("-D" + CHECKED + "=" + System.getProperty(CHECKED, "false")),
                List.of("-l", "0,1", "--no-pci", "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix),
                List.of("--ip", bed.echoIp()));
        String ready = "responder: answering ARP and ping for " + bed.echoIp() + " at " + bed.dutMac();
        if (!responder.awaitOutput(ready, EchoAppProcess.START_TIMEOUT)) {
            responder.close();
            throw new AssertionError("no '" + ready + "':\n" + responder.outputTail(30));
        }
        return responder;
    }

    /* The real ping, from the namespace; it exits 1 when replies are missing, so its status is the caller's to judge. */
    private static Processes.Result ping(VethBed bed, String ip, String count, String interval, String wait)
            throws IOException {
        return Processes.run(PING_TIMEOUT, "ip", "netns", "exec", bed.namespace(), "ping", "-c", count, "-i", interval,
                "-W", wait, ip);
    }

    /* The handlers' counters the responder printed at stop: ARP answered, echo answered, not for us, malformed. */
    private static long[] answered(EchoAppProcess responder) {
        Matcher line = ANSWERED.matcher(responder.output());
        assertTrue(line.find(), () -> "no counters in:\n" + responder.outputTail(20));
        long[] counts = new long[4];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Long.parseLong(line.group(i + 1).replace(",", ""));
        }
        return counts;
    }

    /* The root namespace's Icmp OutEchoReps (/proc/net/snmp: a line of names, then a line of values). */
    private static long kernelEchoReplies() throws IOException {
        List<String> icmp = Files.readAllLines(Path.of("/proc/net/snmp")).stream()
                .filter(line -> line.startsWith("Icmp: ")).toList();
        List<String> names = List.of(icmp.get(0).split(" "));
        return Long.parseLong(icmp.get(1).split(" ")[names.indexOf("OutEchoReps")]);
    }
}
