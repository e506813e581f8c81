package io.l2echo.apps.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.EchoVerifier;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.UdpFrameTemplate;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The network goes away under a running echo and comes back, as rows of
 * docs/failure-modes.md: the echo resumes without a restart and its output says what happened.
 */
@Tag("dpdk")
class L2EchoFaultsIT {
    private static final Path JAR = Path.of("target", "l2echo.jar");
    private static final Duration LINK_NOTICE = Duration.ofSeconds(5);

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void theVethLinkGoesDownAndUpAndTheEchoResumes() throws IOException {
        String prefix = dpdk.filePrefix();
        VethBed bed = dpdk.up(VethBed.builder());
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix), List.of("--stats-interval", "200")));
        echo.awaitEchoing();
        UdpFrameTemplate template = bed.frames().flows(4).payloadSeed(0xfa17).build();
        try (RawSocket peer = bed.openPeerSocket()) {
            EchoVerifier.builder().build().verify(peer, template.sweep(0, 500)).assertPerfect();
        }

        link(bed, "down");
        assertTrue(echo.awaitOutput("l2echo: link down", LINK_NOTICE), () -> echo.outputTail(20));
        link(bed, "up");
        assertTrue(echo.awaitOutput("l2echo: link up", LINK_NOTICE), () -> echo.outputTail(20));

        // The same process, the same port: frames echo again, byte for byte.
        try (RawSocket peer = bed.openPeerSocket()) {
            EchoVerifier.builder().build().verify(peer, template.sweep(500, 500)).assertPerfect();
        }
        assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
        EchoAppProcess.Totals totals = echo.totals();
        assertTrue(totals.rxPackets() >= 1000, totals::toString);
        assertEquals(totals.rxPackets(), totals.txPackets() + totals.txDropped(), "every frame sent or dropped");
    }

    /* The DUT end, the interface DPDK's net_af_packet holds, as an operator's ifdown would. */
    private static void link(VethBed bed, String state) throws IOException {
        Processes.run(Duration.ofSeconds(10), "ip", "link", "set", bed.dutInterface(), state).requireSuccess();
    }
}
