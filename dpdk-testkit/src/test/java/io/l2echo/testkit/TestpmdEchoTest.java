package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The testkit against the reference echo, {@code dpdk-testpmd --forward-mode=macswap} on
 * {@code net_af_packet} over the veth bed: what the apps' integration tests will do with the app.
 * Needs root, hugepages and DPDK.
 */
@Tag("dpdk")
@Timeout(180)
class TestpmdEchoTest {

    private static final Path TESTPMD = Path.of("/usr/bin/dpdk-testpmd");
    private static final int FRAMES = 3000;

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    /* testpmd leaves its runtime directory: its prefix fails the test on hugepage files only (--in-memory keeps none). */
    @Test
    void testpmdMacswapEchoesEveryFrameOnceAndIntact() throws IOException {
        assertTrue(Files.isExecutable(TESTPMD), TESTPMD + " missing: apt-get install -y dpdk (LAB-NOTES.md)");
        String prefix = dpdk.filePrefixKeepingRuntimeDirectory();
        VethBed bed = dpdk.up(VethBed.builder());
        RawSocket peer = dpdk.closeAfter(bed.openPeerSocket());
        ChildProcess testpmd = dpdk.closeAfter(ChildProcess.start(testpmd(bed, prefix)));
        UdpFrameTemplate template = bed.frames().flows(8).build();
        EchoVerifier verifier = EchoVerifier.builder().window(64).build();
        assertTrue(verifier.awaitEcho(peer, template, Duration.ofSeconds(30)),
                () -> "testpmd never echoed a probe:\n" + testpmd.outputTail(40));

        EchoReport report = verifier.verify(peer, template.sweep(0, FRAMES));
        assertTrue(report.isPerfect(), () -> report.summary() + "\ntestpmd:\n" + testpmd.outputTail(30));
        assertEquals(FRAMES, report.echoed());

        int status = testpmd.stop(Processes.Signal.INT, Duration.ofSeconds(20));
        // Debian's 22.11 LTS build cleans up and exits 0; some releases re-raise the signal after cleanup.
        assertTrue(status == 0 || status == 128 + Processes.Signal.INT.number(),
                "status " + status + "\n" + testpmd.outputTail(30));
        assertTrue(testpmd.output().contains("Bye..."), testpmd.outputTail(30));
    }

    private static List<String> testpmd(VethBed bed, String prefix) {
        return List.of(TESTPMD.toString(), "-l", "0-1", "--no-pci", "--vdev=" + bed.afPacketVdev(0), "--in-memory",
                "--file-prefix=" + prefix, "--",
                "--forward-mode=macswap", "--auto-start", "--total-num-mbufs=16384");
    }
}
