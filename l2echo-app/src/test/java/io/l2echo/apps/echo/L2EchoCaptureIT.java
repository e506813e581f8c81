package io.l2echo.apps.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.l2echo.testkit.ChildProcess;
import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.Pcap;
import io.l2echo.testkit.Pcapng;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.UdpFrameTemplate;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A running echo captured by DPDK's own tools (issue 18), which no one here wrote: l2echo
 * {@code --capturable} on the veth bed, {@code dpdk-dumpcap} or {@code dpdk-pdump} attached as a
 * secondary process, their files read back. The fixture checks that neither side leaves hugepage files or a
 * runtime directory behind.
 */
@Tag("dpdk")
class L2EchoCaptureIT {
    private static final Path JAR = Path.of("target", "l2echo.jar");
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    private static final int FRAMES = 40;
    /** dpdk-pdump keeps a file name in 64 bytes (TX_STREAM_SIZE) and cuts what is longer. */
    private static final int PDUMP_MAX_PATH = 63;

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void dumpcapRecordsBothDirectionsByteForByteInOrderAndTheEchoOutlivesTheCapture() throws IOException {
        CapturableEcho running = capturableEcho();
        EchoAppProcess echo = running.echo();
        RawSocket peer = running.peer();
        UdpFrameTemplate template = running.frames();
        Path pcapng = Path.of("target", running.prefix() + ".pcapng").toAbsolutePath();
        ChildProcess dumpcap = startDumpcap(running.prefix(), pcapng);
        long probes = awaitCapturing(dumpcap, peer, template, pcapng);

        Exchanged exchanged = exchange(peer, template, 1_000, FRAMES, i -> 60 + 23 * i);
        List<byte[]> sent = exchanged.sent();
        List<byte[]> echoed = exchanged.echoed();
        // dumpcap writes from its ring as it goes, and a SIGINT ends it without draining the ring.
        awaitWritten(() -> {
            Pcapng.Capture written = Pcapng.read(pcapng);
            return ours(written, Pcapng.Direction.INBOUND, sent).size() == FRAMES
                    && ours(written, Pcapng.Direction.OUTBOUND, echoed).size() == FRAMES;
        });
        // SIGINT is how a user ends dumpcap: it writes its statistics and closes the file.
        assertEquals(0, dumpcap.stop(Processes.Signal.INT, TOOL_TIMEOUT), () -> dumpcap.outputTail(20));

        Pcapng.Capture capture = Pcapng.read(pcapng);
        assertEquals(List.of(running.bed().dutInterface()), capture.interfaces(),
                "named as the PMD names it: its interface");
        assertEquals(sent.stream().map(ByteBuffer::wrap).toList(), ours(capture, Pcapng.Direction.INBOUND, sent),
                "every frame the port received, whole and in order");
        assertEquals(echoed.stream().map(ByteBuffer::wrap).toList(), ours(capture, Pcapng.Direction.OUTBOUND, echoed),
                "every echo the port sent, MACs swapped, whole and in order");
        for (Pcapng.Packet packet : capture.packets()) {
            assertEquals(packet.originalLength(), packet.data().length, "not cut by a snap length");
        }

        // The capture ended; the echo did not, and it still counts what it echoes.
        exchange(peer, template, 2_000, 10, i -> 128);
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
        EchoAppProcess.Totals totals = echo.totals();
        assertTrue(totals.txPackets() >= probes + FRAMES + 10, totals::toString);
    }

    @Test
    void dpdkPdumpWritesWhatThePortReceivesAndSendsToPcapFilesInOrder() throws IOException {
        CapturableEcho running = capturableEcho();
        String prefix = running.prefix();
        EchoAppProcess echo = running.echo();
        RawSocket peer = running.peer();
        UdpFrameTemplate template = running.frames();
        // dpdk-pdump cuts rx-dev and tx-dev at 63 characters, silently: a checkout's target/ can be deeper.
        Path files = Files.createTempDirectory("pdump");
        dpdk.closeAfter(() -> Files.deleteIfExists(files));
        Path rx = files.resolve("rx.pcap");
        Path tx = files.resolve("tx.pcap");
        dpdk.closeAfter(() -> Files.deleteIfExists(rx));
        dpdk.closeAfter(() -> Files.deleteIfExists(tx));
        assertTrue(rx.toString().length() <= PDUMP_MAX_PATH, () -> rx + ": too long for dpdk-pdump; set java.io.tmpdir");
        ChildProcess pdump = dpdk.closeAfter(ChildProcess.start(List.of("dpdk-pdump", "--file-prefix=" + prefix, "--",
                "--pdump", "port=0,queue=*,rx-dev=" + rx + ",tx-dev=" + tx)));
        // The pcap PMD flushes after every burst: once a probe is in the file, the copies flow.
        long deadline = System.nanoTime() + TOOL_TIMEOUT.toNanos();
        for (long probe = 0; !hasFrames(rx); probe++) {
            if (!pdump.isAlive() || System.nanoTime() > deadline) {
                fail("dpdk-pdump captured nothing:\n" + pdump.outputTail(20));
            }
            peer.send(template.frame(probe, 60));
            sleep(100);
        }
        peer.drain();

        Exchanged exchanged = exchange(peer, template, 3_000, FRAMES, i -> 60 + 29 * i);
        List<byte[]> sent = exchanged.sent();
        List<byte[]> echoed = exchanged.echoed();
        awaitWritten(() -> ours(Pcap.read(rx), sent).size() == FRAMES && ours(Pcap.read(tx), echoed).size() == FRAMES);
        assertEquals(0, pdump.stop(Processes.Signal.INT, TOOL_TIMEOUT), () -> pdump.outputTail(20));

        assertEquals(sent.stream().map(ByteBuffer::wrap).toList(), ours(Pcap.read(rx), sent),
                "every frame the port received, whole and in order");
        assertEquals(echoed.stream().map(ByteBuffer::wrap).toList(), ours(Pcap.read(tx), echoed),
                "every echo it sent, MACs swapped, whole and in order");
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
    }

    @Test
    void anEchoStoppingUnderARunningCaptureLeavesNothingOnEitherSide() throws IOException {
        CapturableEcho running = capturableEcho();
        EchoAppProcess echo = running.echo();
        Path pcapng = Path.of("target", running.prefix() + ".pcapng").toAbsolutePath();
        ChildProcess dumpcap = startDumpcap(running.prefix(), pcapng);
        awaitCapturing(dumpcap, running.peer(), running.frames(), pcapng);

        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
        // dumpcap notices its primary has gone and ends by itself; what it wrote stays readable.
        OptionalInt status = dumpcap.awaitExit(TOOL_TIMEOUT);
        assertTrue(status.isPresent(), () -> "dumpcap outlived its primary:\n" + dumpcap.outputTail(20));
        assertTrue(Pcapng.read(pcapng).packets().size() > 0, "the frames captured before the echo stopped");
        // The fixture, after this test: no hugepage file or runtime directory under the prefix.
    }

    /** l2echo --capturable on the veth bed under a prefix of the fixture's, echoing, and the peer's end. */
    private record CapturableEcho(VethBed bed, String prefix, EchoAppProcess echo, RawSocket peer,
            UdpFrameTemplate frames) {
    }

    private CapturableEcho capturableEcho() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder());
        String prefix = dpdk.filePrefix();
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix),
                List.of("--stats-interval", "0", "--capturable")));
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        echo.awaitEchoing();
        return new CapturableEcho(bed, prefix, echo, peer, bed.frames().build());
    }

    /* dpdk-dumpcap on port 0 of the echo with this prefix, into a pcapng file removed after the test. */
    private ChildProcess startDumpcap(String prefix, Path pcapng) throws IOException {
        dpdk.closeAfter(() -> Files.deleteIfExists(pcapng));
        return dpdk.closeAfter(ChildProcess.start(List.of("dpdk-dumpcap", "--file-prefix=" + prefix, "-i", "0", "-w",
                pcapng.toString())));
    }

    /*
     * Probe frames go out until one is in the file: then the echo copies what it receives and
     * sends, and dumpcap writes it. Returns how many probes it took.
     */
    private static long awaitCapturing(ChildProcess dumpcap, RawSocket peer, UdpFrameTemplate template, Path pcapng)
            throws IOException {
        // On stderr once its capture is enabled ("Capturing on" goes to a block-buffered stdout).
        assertTrue(dumpcap.awaitOutput("Packets captured", TOOL_TIMEOUT), () -> dumpcap.outputTail(20));
        long deadline = System.nanoTime() + TOOL_TIMEOUT.toNanos();
        for (long probe = 0; System.nanoTime() < deadline; probe++) {
            if (!dumpcap.isAlive()) {
                fail("dpdk-dumpcap ended before capturing:\n" + dumpcap.outputTail(20));
            }
            peer.send(template.frame(probe, 60));
            sleep(100);
            try {
                if (Files.exists(pcapng) && !Pcapng.read(pcapng).packets().isEmpty()) {
                    peer.drain();
                    return probe + 1;
                }
            } catch (IOException blockBeingWritten) {
                // read again on the next probe
            }
        }
        fail("dpdk-dumpcap captured nothing within " + TOOL_TIMEOUT.toSeconds() + " s:\n" + dumpcap.outputTail(20));
        return 0;
    }

    /* Our frames among what went one way (probes and anything else skipped), as captured. */
    private static List<ByteBuffer> ours(Pcapng.Capture capture, Pcapng.Direction direction, List<byte[]> frames) {
        return ours(capture.packets(direction).stream().map(Pcapng.Packet::data).toList(), frames);
    }

    private static List<ByteBuffer> ours(List<byte[]> captured, List<byte[]> frames) {
        Set<ByteBuffer> wanted = new HashSet<>();
        frames.forEach(frame -> wanted.add(ByteBuffer.wrap(frame)));
        return captured.stream().map(ByteBuffer::wrap).filter(wanted::contains).toList();
    }

    /* A check of a file the tool is still writing, which may end in a record half written. */
    private interface FileCheck {
        boolean holds() throws IOException;
    }

    private static void awaitWritten(FileCheck written) throws IOException {
        long deadline = System.nanoTime() + TOOL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (written.holds()) {
                    return;
                }
            } catch (IOException recordBeingWritten) {
                // read again
            }
            sleep(50);
        }
        // The assertions on the finished files say what is missing.
    }

    private static boolean hasFrames(Path pcap) {
        try {
            return Files.exists(pcap) && !Pcap.read(pcap).isEmpty();
        } catch (IOException recordBeingWritten) {
            return false;
        }
    }

    /* Frames sent to the echo, and the echoes expected back (MACs swapped). */
    private record Exchanged(List<byte[]> sent, List<byte[]> echoed) {
    }

    /* Sends count frames, numbered from firstSequence with the lengths given, and receives every echo. */
    private static Exchanged exchange(RawSocket peer, UdpFrameTemplate template, long firstSequence, int count,
            IntUnaryOperator length) throws IOException {
        List<byte[]> sent = new ArrayList<>();
        List<byte[]> echoed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] frame = template.frame(firstSequence + i, length.applyAsInt(i));
            sent.add(frame);
            echoed.add(macsSwapped(frame));
            peer.send(frame);
        }
        receiveAll(peer, echoed);
        return new Exchanged(sent, echoed);
    }

    private static void receiveAll(RawSocket peer, List<byte[]> expected) throws IOException {
        Set<ByteBuffer> missing = new HashSet<>();
        expected.forEach(frame -> missing.add(ByteBuffer.wrap(frame)));
        byte[] buffer = new byte[2048];
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            int length = peer.receive(buffer, 500);
            if (length > 0) {
                missing.remove(ByteBuffer.wrap(Arrays.copyOf(buffer, length)));
            }
        }
        assertTrue(missing.isEmpty(), () -> missing.size() + " of " + expected.size() + " echoes never came back");
    }

    private static byte[] macsSwapped(byte[] frame) {
        byte[] echo = frame.clone();
        System.arraycopy(frame, 0, echo, 6, 6);
        System.arraycopy(frame, 6, echo, 0, 6);
        return echo;
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
