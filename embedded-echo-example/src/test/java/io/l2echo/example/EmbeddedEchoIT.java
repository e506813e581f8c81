package io.l2echo.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.EchoReport;
import io.l2echo.testkit.EchoVerifier;
import io.l2echo.testkit.Leftovers;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.RawSocket;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The example service end to end: it starts, echoes frames on a veth, serves Prometheus metrics
 * that agree with the frames sent, and stops with the JVM on SIGTERM leaving nothing behind.
 */
@Tag("dpdk")
class EmbeddedEchoIT {
    private static final Path JAR = Path.of("target", "embedded-echo.jar");
    private static final Pattern URL = Pattern.compile("metrics at (http://\\S+/metrics)");

    @Test
    void itEchoesServesMetricsThatAgreeWithTheFramesAndStopsWithTheJvm() throws Exception {
        String prefix = EchoAppProcess.uniqueFilePrefix();
        Leftovers leftovers = Leftovers.snapshot(prefix);
        try (VethBed bed = VethBed.builder().up();
                EchoAppProcess service = EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                        "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + prefix), List.of("--metrics-port", "0"))) {
            service.awaitEchoing();
            assertTrue(service.awaitOutput("MBeans under", Duration.ofSeconds(5)), service::output); // the whole line
            Matcher url = URL.matcher(service.output());
            assertTrue(url.find(), service::output);

            List<byte[]> frames = bed.frames().flows(8).payloadSeed(0xe4b).build().sweep(0, 1500);
            EchoReport report;
            try (RawSocket peer = bed.openPeerSocket()) {
                report = EchoVerifier.builder().build().verify(peer, frames);
            }
            report.assertPerfect();
            Thread.sleep(200); // older than the snapshot a scrape may reuse

            String metrics = scrape(url.group(1));
            long expected = frames.size() + report.foreign();
            assertEquals(expected, metric(metrics, "dpdk_port_rx_packets_total"), metrics);
            assertEquals(expected, metric(metrics, "dpdk_port_tx_packets_total"), metrics);
            assertEquals(expected, metric(metrics, "dpdk_queue_rx_packets_total"), "the lcore's count, too");
            assertEquals(0, metric(metrics, "dpdk_queue_tx_dropped_total"));
            assertEquals(1, metric(metrics, "dpdk_port_link_up"));
            assertTrue(metrics.contains("jvm_memory_used_bytes"), "the JVM's own metrics beside ours");

            assertEquals(128 + 15, service.stopWith(Processes.Signal.TERM), service::output);
            assertTrue(service.output().contains("embedded-echo: echoed " + String.format("%,d", expected) + " of "
                    + String.format("%,d", expected) + " frames received"), service::output);
            assertTrue(service.output().contains("freed with all"), "the pool was freed in the shutdown hook");
        }
        leftovers.assertNoneLeft();
    }

    private static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /* A sample's value: "name{labels} 1234.0". */
    private static long metric(String metrics, String name) {
        Matcher sample = Pattern.compile("(?m)^" + name + "\\{[^}]*} ([0-9.Ee+]+)$").matcher(metrics);
        assertTrue(sample.find(), () -> "no " + name + " in\n" + metrics);
        return (long) Double.parseDouble(sample.group(1));
    }
}
