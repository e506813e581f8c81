package io.l2echo.apps.multi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.EchoReport;
import io.l2echo.testkit.EchoVerifier;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.TestpmdTotals;
import io.l2echo.testkit.VethBed;
import io.l2echo.testkit.VhostPeer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * l2multi on real multi-queue virtual ports: a veth pair with two queues per end under
 * {@code net_af_packet,qpairs=2}, where the kernel's fanout hash spreads flows over the queues.
 * The machine has two CPUs, so the two polling lcores share CPU 1 ({@code --lcores}): slow,
 * and exactly as correct.
 */
@Tag("dpdk")
class L2MultiIT {
    private static final Path JAR = Path.of("target", "l2multi.jar");
    private static final String TWO_WORKERS = "--lcores=0@0,1@1,2@1";

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    private static List<String> eal(VethBed bed, String prefix, String lcores) {
        return List.of(lcores, "--no-pci", "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix);
    }

    @Test
    void flowsSpreadOverEveryQueueAndEachFrameComesBackOnceWithMacsSwapped() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder().queues(2));
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, eal(bed, prefix, TWO_WORKERS),
                List.of("--stats-interval", "500")));
        echo.awaitEchoing();
        assertTrue(echo.output().contains("lcore 1 -> [port 0 queue 0]"), () -> echo.outputTail(30));
        assertTrue(echo.output().contains("lcore 2 -> [port 0 queue 1]"), () -> echo.outputTail(30));
        assertTrue(echo.output().contains("RSS off: the device hashes none of [ip, tcp, udp]"),
                () -> echo.outputTail(30));

        List<byte[]> frames = bed.frames().flows(64).payloadSeed(0xc0ffee).build().sweep(0, 3000);
        EchoReport report;
        try (RawSocket peer = bed.openPeerSocket()) {
            report = EchoVerifier.builder().build().verify(peer, frames);
        }
        report.assertPerfect();

        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
        EchoAppProcess.Totals totals = echo.totals();
        assertEquals(frames.size() + report.foreign(), totals.rxPackets(), "frames the app counted in");
        assertEquals(totals.rxPackets(), totals.txPackets());
        assertEquals(2, totals.queues().size(), totals::toString);
        long perQueueSum = 0;
        for (EchoAppProcess.QueueTotals queue : totals.queues()) {
            assertTrue(queue.rxPackets() > 0, () -> "queue " + queue.queue() + " carried no flow: " + totals);
            assertEquals(queue.rxPackets(), queue.txPackets() + queue.txDropped());
            perQueueSum += queue.rxPackets();
        }
        assertEquals(totals.portRxPackets(), perQueueSum, "the queues add up to the port's own count");
        assertEquals(totals.portTxPackets(), totals.txPackets(), "and so does what they sent");
    }

    /**
     * DPDK on both sides: testpmd's flowgen on a vhost-user server, l2multi on virtio_user (the
     * PMD a VM's virtio-net NIC uses), two queue pairs. Frames are the generator's, so this
     * checks counts and spread; bytes are checked on the veth bed above.
     */
    @Test
    void overVhostUserEveryQueueCarriesTrafficAndTheCountsAddUp() throws IOException, InterruptedException {
        String prefix = dpdk.filePrefix();
        VhostPeer peer = dpdk.closeAfter(VhostPeer.builder().queues(2).cpus(0, 1).start());
        List<String> eal = new ArrayList<>(List.of("--lcores=0@0,1@0,2@1", "--no-pci", "--file-prefix=" + prefix));
        eal.addAll(peer.virtioUserEalArgs(0));
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, eal, List.of("--stats-interval", "0")));
        echo.awaitEchoing();
        assertTrue(peer.awaitAttached(Duration.ofSeconds(10)), () -> peer.outputTail(20));
        Thread.sleep(2000); // the generator runs flat out: two seconds is plenty of traffic
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(30));
        TestpmdTotals generated = peer.stop();
        EchoAppProcess.Totals echoed = echo.totals();

        assertEquals(2, echoed.queues().size(), echoed::toString);
        long perQueueSum = 0;
        for (EchoAppProcess.QueueTotals queue : echoed.queues()) {
            assertTrue(queue.rxPackets() > 0, () -> "queue " + queue.queue() + " idle: " + echoed);
            perQueueSum += queue.rxPackets();
        }
        assertEquals(echoed.portRxPackets(), perQueueSum, "the queues add up to the port's own count");
        assertEquals(echoed.portTxPackets(), echoed.txPackets(), "and so does what they sent");
        assertEquals(echoed.rxPackets(), echoed.txPackets() + echoed.txDropped(), "every frame sent or dropped");
        assertTrue(generated.rxPackets() > 0 && generated.rxPackets() <= echoed.txPackets(),
                () -> "the generator got back " + generated + ", the echo sent " + echoed);
        assertEquals(List.of(), generated.idleRxQueues(2), "echoes came back on both queues");
    }

    @Test
    void moreWorkersThanTheDeviceHasQueuesEndsWithTheLimitAndTheFix() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder().queues(1));
        EchoAppProcess.Exit exit = EchoAppProcess.runToExitLeavingNothing(JAR, List.of("--lcores=0@0,1@1,2@1,3@1",
                "--no-pci", "--vdev=" + bed.afPacketVdev(0)), List.of());
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2multi: configure port 0 failed: net_af_packet0 (net_af_packet) "
                + "offers at most 1 Rx / 1 Tx queues, 3 / 3 asked for"), exit.output());
        assertTrue(exit.output().contains("virtio-net-pci,mq=on"), exit.output());
    }

    @Test
    void anUnknownRssTypeIsNamed() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder().queues(2));
        EchoAppProcess.Exit exit = EchoAppProcess.runToExitLeavingNothing(JAR, List.of(TWO_WORKERS, "--no-pci",
                "--vdev=" + bed.afPacketVdev(0)), List.of("--rss", "ip,quic"));
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("'quic' is not an RSS hash type (errno 22 EINVAL"), exit.output());
    }
}
