package io.l2echo.apps.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.Leftovers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The generator against our echo, DPDK on both sides: l2gen on a vhost-user server, l2echo
 * on virtio_user. Every frame is accounted for on both sides, exactly.
 */
@Tag("dpdk")
class L2GenIT {
    private static final Path GEN = Path.of("target", "l2gen.jar");
    private static final Path ECHO = Path.of("..", "l2echo-app", "target", "l2echo.jar");

    private static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), () -> name + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void everyFrameSentComesBackOnceAndIsTimed() throws IOException {
        assertTrue(Files.exists(ECHO), "build l2echo-app first (mvn install)");
        String genPrefix = EchoAppProcess.uniqueFilePrefix();
        String echoPrefix = EchoAppProcess.uniqueFilePrefix();
        Leftovers genLeftovers = Leftovers.snapshot(genPrefix);
        Leftovers echoLeftovers = Leftovers.snapshot(echoPrefix);
        Path socket = Path.of("/tmp", genPrefix + ".sock");
        int count = 20_000;
        try (EchoAppProcess gen = EchoAppProcess.start(GEN, List.of("--lcores=0@0,1@0", "--no-pci",
                "--file-prefix=" + genPrefix, "--vdev=net_vhost0,iface=" + socket + ",queues=1"),
                List.of("--count", String.valueOf(count), "--rate", "20000", "--flows", "8", "--size", "128",
                        "--json"))) {
            assertTrue(gen.awaitOutput("waiting up to", EchoAppProcess.START_TIMEOUT), () -> gen.outputTail(20));
            try (EchoAppProcess echo = EchoAppProcess.start(ECHO, List.of("--lcores=0@1,1@1", "--no-pci",
                    "--file-prefix=" + echoPrefix, "--single-file-segments",
                    "--vdev=virtio_user0,path=" + socket + ",queues=1"), List.of("--stats-interval", "0"))) {
                echo.awaitEchoing();
                assertTrue(gen.awaitOutput("{\"phase\":\"latency\"", EchoAppProcess.START_TIMEOUT),
                        () -> gen.outputTail(20));
                assertEquals(0, echo.stopWithSigint(), () -> echo.outputTail(20));
                EchoAppProcess.Totals echoed = echo.totals();

                // Every trial reports itself, the probes that waited for the echo too; on two busy CPUs
                // a ring may fill now and then: every frame must still be accounted for.
                List<String> trials = gen.output().lines().filter(l -> l.startsWith("{")).toList();
                String result = trials.get(trials.size() - 1);
                assertTrue(result.startsWith("{\"phase\":\"latency\""), result);
                long sent = field(result, "sent");
                assertEquals(count, sent + field(result, "tx_refused"), result);
                assertTrue(sent > count / 2, result);
                long sentInAll = trials.stream().mapToLong(t -> field(t, "sent")).sum();
                long echoedInAll = trials.stream().mapToLong(t -> field(t, "echoed")).sum();
                assertEquals(sentInAll, echoed.rxPackets(), "the echo received every frame the generator sent");
                assertEquals(echoed.txPackets(), echoedInAll, "the generator got back what was echoed");
                assertEquals(count - field(result, "echoed"), field(result, "lost"), result);
                long lostInAll = trials.stream().mapToLong(t -> field(t, "lost")).sum();
                long refusedInAll = trials.stream().mapToLong(t -> field(t, "tx_refused")).sum();
                assertEquals(refusedInAll + echoed.txDropped(), lostInAll,
                        "each lost frame was refused by one side's Tx ring: " + trials + " " + echoed);
                assertEquals(0, field(result, "duplicated"), result);
                assertEquals(0, field(result, "reordered"), result);
                assertEquals(0, field(result, "foreign"), result);
                assertTrue(result.matches(".*\"p50\":[0-9.]+.*") && !result.contains("\"p50\":0.000"), result);
            }
        } finally {
            Files.deleteIfExists(socket);
            genLeftovers.assertNoneLeft();
            echoLeftovers.assertNoneLeft();
        }
    }
}
