package io.l2echo.apps.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Frames the echo should not expect, as rows of docs/failure-modes.md: garbage of every length
 * (fuzz), and frames longer than the port takes.
 */
@Tag("dpdk")
class L2EchoFramesIT {
    private static final Path JAR = Path.of("target", "l2echo.jar");
    private static final Pattern IN_USE = Pattern.compile("mbufs in use ([\\d,]+)");
    private static final int BATCHES = 40;
    private static final int FRAMES_PER_BATCH = 250;
    private static final Duration TIME_BOUND = Duration.ofSeconds(20);

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    /*
     * Random lengths, random bytes, random MACs and EtherTypes, for a bounded time. The echo
     * stays up, sends back exactly what its default policy reflects (both MACs unicast) with the
     * MACs swapped, nothing else, counts the rest by class, and once the traffic stops every mbuf
     * is back in the pool.
     */
    @Test
    void randomFramesAreEchoedVerbatimAndEveryMbufReturns() throws IOException, InterruptedException {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix), List.of("--stats-interval", "200")));
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        echo.awaitEchoing();
        long baseline = awaitMbufsInUse(echo, OptionalLong.empty());

        Map<ByteBuffer, Integer> expected = new HashMap<>();
        byte[] buffer = new byte[2048];
        long sent = 0;
        long echoed = 0;
        long groupSource = 0;
        long linkLocal = 0;
        long groupDestination = 0;
        long deadline = System.nanoTime() + TIME_BOUND.toNanos();
        // Batches the peer socket's buffer holds, their echoes read before the next batch.
        for (int batch = 0; batch < BATCHES && System.nanoTime() < deadline; batch++) {
            for (int i = 0; i < FRAMES_PER_BATCH; i++) {
                byte[] frame = garbage(random, 1514);
                peer.send(frame);
                if ((frame[6] & 1) != 0) {
                    groupSource++;
                } else if ((frame[0] & 1) == 0) {
                    expected.merge(ByteBuffer.wrap(macsSwapped(frame)), 1, Integer::sum);
                    sent++;
                } else if (isLinkLocal(frame)) {
                    linkLocal++;
                } else {
                    groupDestination++;
                }
            }
            int length;
            while ((length = peer.receive(buffer, 300)) >= 0) {
                ByteBuffer back = ByteBuffer.wrap(Arrays.copyOf(buffer, length));
                if (expected.containsKey(back)) {
                    expected.compute(back, (k, v) -> v == 1 ? null : v - 1);
                    echoed++;
                } else {
                    int shown = Math.min(length, 64);
                    assertTrue(isTheNamespacesOwn(buffer), () -> "a frame nobody sent, or one changed on the "
                            + "way (seed " + seed + "): " + hex(buffer, shown));
                }
            }
        }
        long echoedFinal = echoed;
        long sentFinal = sent;
        // The peer's socket may drop under a burst; the echo may not mangle, and must not stop.
        assertTrue(echoed >= sent * 95 / 100, () -> echoedFinal + " of " + sentFinal + " came back (seed " + seed
                + ")\n" + echo.outputTail(20));

        assertEquals(baseline, awaitMbufsInUse(echo, OptionalLong.of(baseline)),
                () -> "every mbuf back in the pool once traffic stopped:\n" + echo.outputTail(20));
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
        EchoAppProcess.Totals totals = echo.totals();
        assertTrue(totals.rxPackets() >= sent * 95 / 100, totals::toString);
        assertEquals(totals.rxPackets(), totals.txPackets() + totals.txDropped(), "every frame sent or dropped");
        // Each class counted apart, as often as it was sent (the port may miss a few under a burst).
        assertTrue(totals.rxGroupSrc() <= groupSource && totals.rxGroupSrc() >= groupSource * 95 / 100,
                groupSource + " sent: " + totals);
        assertTrue(totals.rxLinkLocal() <= linkLocal && totals.rxLinkLocal() >= linkLocal * 95 / 100,
                linkLocal + " sent: " + totals);
        assertTrue(totals.rxGroupDst() >= groupDestination * 95 / 100, groupDestination + " sent: " + totals);
    }

    private static boolean isLinkLocal(byte[] frame) {
        return (frame[0] & 0xff) == 0x01 && (frame[1] & 0xff) == 0x80 && (frame[2] & 0xff) == 0xc2
                && frame[3] == 0 && frame[4] == 0 && (frame[5] & 0xf0) == 0;
    }

    /*
     * The peer sends 3000-byte frames over a 9000-byte MTU; the DUT end keeps 1500, so the
     * kernel drops them before net_af_packet sees them: nothing is echoed cut short, and the
     * frames around them still come back.
     */
    @Test
    void framesLongerThanThePortsMtuAreDroppedAndTheRestEchoed() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder());
        Processes.run(Duration.ofSeconds(10), "ip", "netns", "exec", bed.namespace(), "ip", "link", "set",
                bed.peerInterface(), "mtu", "9000").requireSuccess();
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix), List.of("--stats-interval", "0")));
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        echo.awaitEchoing();
        SplittableRandom random = new SplittableRandom(3000);
        byte[] buffer = new byte[10_000];
        int echoed = 0;
        for (int i = 0; i < 20; i++) {
            byte[] normal = garbage(random, 1514);
            normal[0] &= ~1; // unicast both ways: the default policy reflects it
            normal[6] &= ~1;
            byte[] jumbo = Arrays.copyOf(normal, 3000);
            try {
                peer.send(jumbo);
            } catch (IOException dropped) {
                // veth drops a frame over the receiving end's MTU in the sender's send() call.
                assertTrue(dropped.getMessage().contains("errno 105"), dropped::getMessage);
            }
            peer.send(normal);
            int length = peer.receive(buffer, 2000);
            while (length >= 0 && isTheNamespacesOwn(buffer)) {
                length = peer.receive(buffer, 2000);
            }
            assertEquals(normal.length, length, "the 1514-byte frame, not the 3000-byte one, came back");
            assertArrayEquals(macsSwapped(normal), Arrays.copyOf(buffer, length));
            echoed++;
        }
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
        EchoAppProcess.Totals totals = echo.totals();
        assertTrue(totals.rxPackets() >= echoed && totals.rxPackets() < 2 * echoed,
                "the port never received the 3000-byte frames: " + totals);
        assertEquals(totals.rxPackets(), totals.txPackets(), "and echoed all it received");
    }

    /* net_af_packet would pass frames longer than its ring slot on cut short: refused at start. */
    @Test
    void anMtuTheRingCannotHoldIsRefusedAtStart() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder());
        Processes.run(Duration.ofSeconds(10), "ip", "link", "set", bed.dutInterface(), "mtu", "9000")
                .requireSuccess();
        EchoAppProcess.Exit exit = EchoAppProcess.runToExitLeavingNothing(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0)), List.of());
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains(bed.dutInterface() + " has MTU 9000, so frames of up to 9014 bytes, "
                + "and net_af_packet's ring holds 1982: it would echo longer frames cut short: lower the MTU to "
                + "at most 1968"), exit.output());
    }

    /* net_af_packet copies each frame into one mbuf: a smaller mbuf than a frame is refused at start. */
    @Test
    void anMbufSmallerThanAFrameIsRefusedWhereThePortCannotScatter() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess.Exit exit = EchoAppProcess.runToExitLeavingNothing(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0)), List.of("--mbuf-size", "1024"));
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: configure port 0 (net_af_packet0) failed: frames of up to "
                + "1518 bytes do not fit one 1024-byte mbuf, and net_af_packet cannot spread a frame over several "
                + "(no Rx scatter and Tx multi-segment offloads). raise --mbuf-size to at least 1518"),
                exit.output());
    }

    /*
     * 14 to maxLength bytes of random data. EtherTypes the namespace's kernel would act on (IPv4,
     * ARP, IPv6) are replaced by a local experimental one, so no stack answers the garbage.
     */
    private static byte[] garbage(SplittableRandom random, int maxLength) {
        byte[] frame = new byte[random.nextInt(14, maxLength + 1)];
        random.nextBytes(frame);
        int etherType = ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
        if (etherType == 0x0800 || etherType == 0x0806 || etherType == 0x86dd || etherType == 0x8100
                || etherType == 0x88a8) {
            frame[12] = (byte) 0x88;
            frame[13] = (byte) 0xb5;
        }
        return frame;
    }

    private static byte[] macsSwapped(byte[] frame) {
        byte[] echo = frame.clone();
        System.arraycopy(frame, 6, echo, 0, 6);
        System.arraycopy(frame, 0, echo, 6, 6);
        return echo;
    }

    /* The namespace's kernel sends IPv6 neighbour and router solicitations of its own; they come back too. */
    private static boolean isTheNamespacesOwn(byte[] frame) {
        int etherType = ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
        return etherType == 0x86dd || etherType == 0x0806;
    }

    /*
     * The "mbufs in use" of the newest stats line: the first one seen, or, given a baseline, the
     * first that equals it (what is still in flight drains within a few stats intervals).
     */
    private static long awaitMbufsInUse(EchoAppProcess echo, OptionalLong baseline) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            Matcher m = IN_USE.matcher(echo.output());
            while (m.find()) {
                last = Long.parseLong(m.group(1).replace(",", ""));
            }
            if (last >= 0 && (baseline.isEmpty() || last == baseline.getAsLong())) {
                return last;
            }
            Thread.sleep(100);
        }
        if (last < 0) {
            throw new AssertionError("no stats line with 'mbufs in use':\n" + echo.outputTail(20));
        }
        return last;
    }

    private static String hex(byte[] bytes, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(String.format("%02x", bytes[i]));
        }
        return text.toString();
    }
}
