package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bed, raw sockets and the verifier against a kernel-side echo written here, with faults
 * injected on purpose: proves the testkit catches what it claims to, without DPDK. Needs root.
 * The tests of the bed's own life put it up and take it down themselves, to check what its
 * close removed; the others take it from {@link DpdkFixture}, as the integration tests do.
 */
@Tag("dpdk")
@Timeout(120)
class VethBedTest {

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void bedComesUpWithUniqueNamesAndGoesAway() throws IOException {
        String namespace;
        String dut;
        try (VethBed bed = VethBed.builder().queues(2).up(); VethBed second = VethBed.builder().up()) {
            namespace = bed.namespace();
            dut = bed.dutInterface();
            assertNotEquals(bed.namespace(), second.namespace());
            assertNotEquals(bed.dutInterface(), second.dutInterface());
            assertTrue(bed.dutInterface().length() <= 15 && bed.peerInterface().length() <= 15, bed.toString());
            assertTrue(Files.exists(Path.of("/run/netns", bed.namespace())));
            assertEquals(Files.readString(Path.of("/sys/class/net", dut, "address"), StandardCharsets.US_ASCII).strip(),
                    bed.dutMac().toString());
            assertFalse(bed.peerMac().isMulticast());
            assertNotEquals(bed.dutMac(), bed.peerMac());
            assertEquals("net_af_packet0,iface=" + dut + ",qpairs=2", bed.afPacketVdev(0));
            assertEquals("10.99.0.1", bed.peerIp());
            String neighbour = Processes.run(Duration.ofSeconds(10), "ip", "-n", namespace, "neigh", "show", bed.echoIp())
                    .requireSuccess().output();
            assertTrue(neighbour.contains(bed.dutMac().toString()) && neighbour.contains("PERMANENT"), neighbour);
            assertEquals("0", dutForwarding(bed), "the root namespace never routes the bed's frames elsewhere");
        }
        assertFalse(Files.exists(Path.of("/run/netns", namespace)), "namespace removed");
        assertFalse(Files.exists(Path.of("/sys/class/net", dut)), "veth removed");
    }

    @Test
    void withoutAStaticNeighbourTheNamespaceLeavesTheEchoIpToArp() throws IOException {
        String namespace;
        try (VethBed bed = VethBed.builder().staticNeighbour(false).up()) {
            namespace = bed.namespace();
            String neighbour = Processes.run(Duration.ofSeconds(10), "ip", "-n", namespace, "neigh", "show", bed.echoIp())
                    .requireSuccess().output();
            assertEquals("", neighbour.strip(), "no entry until ARP makes one");
            assertEquals("0", dutForwarding(bed));
        }
        assertFalse(Files.exists(Path.of("/run/netns", namespace)), "namespace removed");
    }

    @Test
    void framesCrossTheVethUnchangedBothWays() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder());
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        RawSocket dut = dpdk.closeAfter(RawSocket.open(bed.dutInterface()));
        UdpFrameTemplate template = bed.frames().build();
        byte[] buffer = new byte[2048];
        for (int length : new int[] {60, 61, 1000, 1514}) {
            byte[] frame = template.frame(length, length);
            peer.send(frame);
            assertArrayEquals(frame, receiveTestFrame(dut, buffer), "peer to DUT, " + length + " bytes");
            dut.send(Frames.macSwapped(frame));
            assertArrayEquals(Frames.macSwapped(frame), receiveTestFrame(peer, buffer), "DUT to peer");
        }
        assertEquals(-1, peer.receive(buffer, 100), "PACKET_IGNORE_OUTGOING: no copy of our own sends");
    }

    @Test
    void verifierPassesAFaithfulEcho() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder());
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        KernelEcho echo = dpdk.closeAfter(new KernelEcho(RawSocket.open(bed.dutInterface()), Map.of()));
        UdpFrameTemplate template = bed.frames().build();
        EchoVerifier verifier = EchoVerifier.builder().build();
        assertTrue(verifier.awaitEcho(peer, template, Duration.ofSeconds(5)));
        EchoReport report = verifier.verify(peer, template.sweep(0, 1500));
        report.assertPerfect();
        assertEquals(1500, echo.handled() - echo.probes());
    }

    @Test
    void verifierReportsEachInjectedFault() throws IOException {
        Map<Long, Fault> faults = Map.of(10L, Fault.DROP, 20L, Fault.DUPLICATE, 30L, Fault.CORRUPT_SOURCE_IP,
                40L, Fault.TRUNCATE, 50L, Fault.NO_SWAP);
        VethBed bed = dpdk.up(VethBed.builder());
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        KernelEcho echo = dpdk.closeAfter(new KernelEcho(RawSocket.open(bed.dutInterface()), faults));
        EchoReport report = EchoVerifier.builder().lossTimeout(Duration.ofMillis(300)).build()
                .verify(peer, bed.frames().build().sweep(0, 100));
        assertFalse(report.isPerfect());
        assertEquals(List.of(new EchoReport.Missing(10, UdpFrameTemplate.sweepLength(10))), report.missing(), report.summary());
        assertEquals(Map.of(20L, 1), report.duplicates(), report.summary());
        assertEquals(3, report.mismatches().size(), report.summary());
        EchoReport.Mismatch ip = report.mismatches().stream().filter(m -> m.sequence() == 30).findFirst().orElseThrow();
        assertEquals("IPv4 source address", Frames.fieldAt(ip.offset()), report.summary());
        EchoReport.Mismatch truncated = report.mismatches().stream().filter(m -> m.sequence() == 40).findFirst().orElseThrow();
        assertEquals(UdpFrameTemplate.sweepLength(40) - 1, truncated.receivedLength());
        EchoReport.Mismatch unswapped = report.mismatches().stream().filter(m -> m.sequence() == 50).findFirst().orElseThrow();
        assertEquals("destination MAC", Frames.fieldAt(unswapped.offset()));
        assertEquals(99, report.echoed());
        assertEquals("", report.stoppedEarly());
        assertEquals(100, echo.handled());
    }

    @Test
    void verifierGivesUpFastWhenNothingEchoes() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder());
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        long start = System.nanoTime();
        EchoReport report = EchoVerifier.builder().stallTimeout(Duration.ofMillis(500)).window(16).build()
                .verify(peer, bed.frames().build().sweep(0, 2000));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5, report.summary());
        assertEquals("no echo of ours for 500 ms", report.stoppedEarly());
        assertEquals(0, report.echoed());
        assertEquals(report.sent(), report.missing().size());
        assertTrue(report.sent() < 2000 && report.sent() >= 16, report.summary());
    }

    private static String dutForwarding(VethBed bed) throws IOException {
        return Files.readString(Path.of("/proc/sys/net/ipv4/conf", bed.dutInterface(), "forwarding")).strip();
    }

    private static byte[] receiveTestFrame(RawSocket socket, byte[] buffer) throws IOException {
        for (int i = 0; i < 100; i++) {
            int length = socket.receive(buffer, 1000);
            if (length < 0) {
                throw new AssertionError("nothing arrived on " + socket);
            }
            if (Frames.isTestFrame(buffer, length)) {
                return Arrays.copyOf(buffer, length);
            }
        }
        throw new AssertionError("only foreign frames on " + socket);
    }

    enum Fault { NONE, DROP, DUPLICATE, CORRUPT_SOURCE_IP, TRUNCATE, NO_SWAP }

    /** A MAC-swapping echo on a raw socket, with faults for chosen sequence numbers. */
    private static final class KernelEcho implements AutoCloseable {
        private final RawSocket socket;
        private final Map<Long, Fault> faults;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile int handled;
        private volatile int probes;
        private volatile IOException failure;

        KernelEcho(RawSocket socket, Map<Long, Fault> faults) {
            this.socket = socket;
            this.faults = faults;
            this.thread = new Thread(this::loop, "kernel-echo-" + socket.interfaceName());
            thread.start();
        }

        private void loop() {
            byte[] buffer = new byte[2048];
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            try {
                while (running && System.nanoTime() < deadline) {
                    int length = socket.receive(buffer, 20);
                    if (length < 0 || !Frames.isTestFrame(buffer, length)) {
                        continue;
                    }
                    long sequence = Frames.sequenceOf(buffer, length);
                    if (sequence >= EchoVerifier.PROBE_SEQUENCE_BASE) {
                        probes++;
                    }
                    byte[] received = Arrays.copyOf(buffer, length);
                    byte[] echo = Frames.macSwapped(received);
                    switch (faults.getOrDefault(sequence, Fault.NONE)) {
                        case NONE -> socket.send(echo);
                        case DROP -> { }
                        case DUPLICATE -> {
                            socket.send(echo);
                            socket.send(echo);
                        }
                        case CORRUPT_SOURCE_IP -> {
                            echo[Frames.IPV4_OFFSET + 12] ^= 1;
                            socket.send(echo);
                        }
                        case TRUNCATE -> socket.send(echo, echo.length - 1);
                        case NO_SWAP -> socket.send(received);
                    }
                    handled++;
                }
            } catch (IOException e) {
                failure = e;
            }
        }

        /** Test frames received, probes included, whatever their fault. */
        int handled() {
            return handled;
        }

        int probes() {
            return probes;
        }

        @Override
        public void close() throws IOException {
            running = false;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socket.close();
            if (failure != null) {
                throw failure;
            }
        }
    }
}
