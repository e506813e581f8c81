package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The vhost-user bed against the reference echo: {@code dpdk-testpmd --forward-mode=macswap}
 * attached as virtio_user, where the apps will attach. Needs root, hugepages and DPDK.
 */
@Tag("dpdk")
@Timeout(120)
class VhostPeerTest {

    private static final int QUEUES = 2;
    private static final long RUN_MILLIS = 2_000;

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    /*
     * The peer's leftovers are what this test checks, so it looks for them itself; the echo is
     * testpmd, which leaves its runtime directory: its prefix fails on hugepage files only.
     */
    @Test
    void macswapOverVirtioUserCarriesTrafficOnEveryQueueAndLeavesNothing() throws IOException, InterruptedException {
        String echoPrefix = dpdk.filePrefixKeepingRuntimeDirectory();
        // On two CPUs: the peer forwards on CPU 1, the echo on CPU 0; both main lcores sleep in read(0).
        VhostPeer peer = dpdk.closeAfter(VhostPeer.builder().queues(QUEUES).cpus(0, 1).start());
        Path socket = peer.socketPath();
        assertTrue(Files.exists(socket), socket + " missing after start");
        ChildProcess echo = dpdk.closeAfter(ChildProcess.start(macswap(peer, echoPrefix)));
        assertTrue(peer.awaitAttached(Duration.ofSeconds(30)),
                () -> "virtio_user never attached.\nPeer:\n" + peer.outputTail(20) + "\nEcho:\n" + echo.outputTail(20));
        Thread.sleep(RUN_MILLIS);
        int status = echo.stop(Processes.Signal.INT, Duration.ofSeconds(20));
        assertTrue(status == 0 || status == 128 + Processes.Signal.INT.number(),
                "echo exited " + status + "\n" + echo.outputTail(30));
        TestpmdTotals echoTotals = TestpmdTotals.parse(echo.output());
        TestpmdTotals peerTotals = peer.stop();
        assertFalse(peer.isRunning());
        peer.close();

        String figures = "peer " + peerTotals + "\necho " + echoTotals;
        assertTrue(peerTotals.rxPackets() > 0, figures);
        assertEquals(List.of(), peerTotals.idleRxQueues(QUEUES), figures);
        assertEquals(List.of(), echoTotals.idleRxQueues(QUEUES), figures);
        assertTrue(peerTotals.streams().stream().allMatch(s -> s.txPackets() > 0), figures);
        // The echo sends back all it receives or counts it dropped; the peer cannot receive more than was sent.
        assertEquals(echoTotals.rxPackets(), echoTotals.txPackets() + echoTotals.txDropped(), figures);
        assertTrue(peerTotals.rxPackets() <= echoTotals.txPackets(), figures);

        assertFalse(Files.exists(socket), socket + " left behind");
        assertFalse(Files.exists(Leftovers.runtimeDirectory(peer.filePrefix())), "peer's runtime directory left behind");
        assertEquals(List.of(), hugepageFiles(peer.filePrefix()));
    }

    private static List<String> macswap(VhostPeer peer, String prefix) {
        List<String> command = new ArrayList<>(List.of("dpdk-testpmd", "--lcores=0@1,1@0", "--main-lcore=0",
                "--no-pci", "--in-memory", "--file-prefix=" + prefix));
        command.addAll(peer.virtioUserEalArgs(0));
        command.addAll(List.of("--", "--forward-mode=macswap", "--rxq=" + QUEUES, "--txq=" + QUEUES,
                "--nb-cores=1", "--total-num-mbufs=16384", "--auto-start"));
        return command;
    }

    private static List<Path> hugepageFiles(String prefix) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path mount : Leftovers.hugepageMounts()) {
            try (var files = Files.list(mount)) {
                files.filter(file -> file.getFileName().toString().startsWith(prefix)).forEach(found::add);
            }
        }
        return found;
    }
}
