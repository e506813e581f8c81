package io.l2echo.apps.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * l2echo as a vhost-user backend, as a switch serves VMs: its peer (l2gen on virtio_user, the
 * PMD of a VM's virtio-net NIC) goes away and a new one attaches. The echo keeps running,
 * says when the link went down and came up, and echoes every frame of each peer.
 */
@Tag("dpdk")
class EchoReconnectIT {
    private static final Path GEN = Path.of("target", "l2gen.jar");
    private static final Path ECHO = Path.of("..", "l2echo-app", "target", "l2echo.jar");
    private static final int PEERS = 2;
    private static final int FRAMES = 10_000;
    /*
     * What this test proves is the reconnect, not a rate: at 20 kpps a stall of a dozen
     * milliseconds of either process on a busy two-CPU machine filled the rings and lost frames.
     */
    private static final int RATE_PPS = 5_000;

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void aVhostUserPeerLeavesAndANewOneIsEchoedWithoutARestart() throws IOException {
        assertTrue(Files.exists(ECHO), "build l2echo-app first (mvn install)");
        String echoPrefix = dpdk.filePrefix();
        Path socket = Path.of("/tmp", echoPrefix + ".sock");
        try (EchoAppProcess echo = EchoAppProcess.start(ECHO, List.of("--lcores=0@1,1@1", "--no-pci",
                "--file-prefix=" + echoPrefix, "--vdev=net_vhost0,iface=" + socket + ",queues=1"),
                List.of("--stats-interval", "200"))) {
            echo.awaitEchoing();
            long sentInAll = 0;
            for (int peer = 1; peer <= PEERS; peer++) {
                String genPrefix = dpdk.filePrefix();
                EchoAppProcess.Exit gen = EchoAppProcess.runToExit(GEN, List.of("--lcores=0@0,1@0", "--no-pci",
                        "--single-file-segments", "--file-prefix=" + genPrefix,
                        "--vdev=virtio_user0,path=" + socket + ",queues=1"),
                        List.of("--count", String.valueOf(FRAMES), "--rate", String.valueOf(RATE_PPS), "--json"));
                dpdk.assertNoneLeft(genPrefix);
                assertEquals(0, gen.status(), gen.output());
                String result = gen.output().lines().filter(l -> l.startsWith("{\"phase\":\"latency\"")).findFirst()
                        .orElseThrow(() -> new AssertionError("no trial result:\n" + gen.output()));
                long sent = field(result, "sent");
                assertTrue(sent > FRAMES / 2, result);
                assertEquals(sent, field(result, "echoed"), "peer " + peer + " got back every frame it sent: "
                        + result);
                sentInAll += sent + gen.output().lines().filter(l -> l.startsWith("{\"phase\":\"probe\""))
                        .mapToLong(probe -> field(probe, "sent")).sum();
                assertTrue(awaitLines(echo, "l2echo: link down", peer, Duration.ofSeconds(5)),
                        () -> "the echo reported the peer's leaving:\n" + echo.outputTail(20));
            }
            assertEquals(PEERS, occurrences(echo.output(), "l2echo: link up"), echo::output);

            assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
            EchoAppProcess.Totals totals = echo.totals();
            assertEquals(sentInAll, totals.rxPackets(), "the same process received every peer's frames");
            assertEquals(totals.rxPackets(), totals.txPackets(), "and echoed them all");
        } finally {
            assertFalse(Files.exists(socket), "the echo removes its socket when it stops");
        }
    }

    /* Waits until {@code count} lines start with {@code line}; the stats thread notices within its interval. */
    private static boolean awaitLines(EchoAppProcess echo, String line, int count, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (occurrences(echo.output(), line) < count) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting for '" + line + "'");
            }
        }
        return true;
    }

    private static long occurrences(String text, String line) {
        return text.lines().filter(l -> l.startsWith(line)).count();
    }

    private static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), () -> name + " in " + json);
        return Long.parseLong(m.group(1));
    }
}
