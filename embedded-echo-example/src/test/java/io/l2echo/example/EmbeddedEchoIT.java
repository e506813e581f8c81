package io.l2echo.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.EchoReport;
import io.l2echo.testkit.EchoVerifier;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The example service end to end, on two ports: it starts, echoes frames on two veths, serves
 * Prometheus metrics that agree with the frames sent on each, reports one port's link going down
 * and coming back while the other's holds, and stops with the JVM on SIGTERM leaving nothing behind.
 */
@Tag("dpdk")
class EmbeddedEchoIT {
    private static final Path JAR = Path.of("target", "embedded-echo.jar");
    private static final Pattern URL = Pattern.compile("metrics at (http://\\S+/metrics)");
    private static final Duration LINK_NOTICE = Duration.ofSeconds(5);

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void itEchoesOnTwoPortsServesMetricsThatAgreeReportsLinkChangesAndStopsWithTheJvm() throws Exception {
        String prefix = dpdk.filePrefix();
        VethBed first = dpdk.up(VethBed.builder());
        VethBed second = dpdk.up(VethBed.builder());
        EchoAppProcess service = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=" + first.afPacketVdev(0), "--vdev=" + second.afPacketVdev(1), "--file-prefix=" + prefix),
                List.of("--metrics-port", "0", "--port", "net_af_packet0", "--port", "net_af_packet1")));
        service.awaitEchoing();
        assertTrue(service.awaitOutput("MBeans under", Duration.ofSeconds(5)), service::output); // the whole line
        Matcher url = URL.matcher(service.output());
        assertTrue(url.find(), service::output);

        List<byte[]> frames = first.frames().flows(8).payloadSeed(0xe4b).build().sweep(0, 1500);
        List<byte[]> framesOnSecond = second.frames().flows(4).payloadSeed(0xe4c).build().sweep(0, 700);
        long expected = echoed(first, frames);
        long expectedOnSecond = echoed(second, framesOnSecond);
        Thread.sleep(200); // older than the snapshot a scrape may reuse

        String metrics = scrape(url.group(1));
        assertEquals(expected, metric(metrics, "dpdk_port_rx_packets_total", "port=\"0\""), metrics);
        assertEquals(expected, metric(metrics, "dpdk_port_tx_packets_total", "port=\"0\""), metrics);
        assertEquals(expected, metric(metrics, "dpdk_queue_rx_packets_total", "port=\"0\""), "the lcore's count");
        assertEquals(expectedOnSecond, metric(metrics, "dpdk_port_rx_packets_total", "port=\"1\""), metrics);
        assertEquals(expectedOnSecond, metric(metrics, "dpdk_queue_tx_packets_total", "port=\"1\""), metrics);
        assertEquals(0, metric(metrics, "dpdk_queue_tx_dropped_total", "port=\"0\""));
        assertEquals(1, metric(metrics, "dpdk_port_link_up", "port=\"1\""));
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "the JVM's own metrics beside ours");

        link(second, "down");
        assertTrue(service.awaitOutput("embedded-echo: port 1 link down", LINK_NOTICE), service::output);
        Thread.sleep(200);
        String whileDown = scrape(url.group(1));
        assertEquals(0, metric(whileDown, "dpdk_port_link_up", "port=\"1\""), whileDown);
        assertEquals(1, metric(whileDown, "dpdk_port_link_up", "port=\"0\""), "the other port's link held");
        link(second, "up");
        assertTrue(service.awaitOutput("embedded-echo: port 1 link up", LINK_NOTICE), service::output);
        assertFalse(service.output().contains("embedded-echo: port 0 link"), service::output);

        assertEquals(128 + 15, service.stopWith(Processes.Signal.TERM), service::output);
        long total = expected + expectedOnSecond;
        assertTrue(service.output().contains("embedded-echo: echoed " + String.format("%,d", total) + " of "
                + String.format("%,d", total) + " frames received"), service::output);
        assertTrue(service.output().contains("echo_pool_p1 freed with all"), "the pools were freed in the hook");
    }

    /* Every frame back byte for byte; what the port saw: ours and the kernel's few foreign frames. */
    private static long echoed(VethBed bed, List<byte[]> frames) throws IOException {
        EchoReport report;
        try (RawSocket peer = bed.openPeerSocket()) {
            report = EchoVerifier.builder().build().verify(peer, frames);
        }
        report.assertPerfect();
        return frames.size() + report.foreign();
    }

    /* The DUT end, the interface DPDK's net_af_packet holds, as an operator's ifdown would. */
    private static void link(VethBed bed, String state) throws IOException {
        Processes.run(Duration.ofSeconds(10), "ip", "link", "set", bed.dutInterface(), state).requireSuccess();
    }

    private static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /* A sample's value: "name{labels} 1234.0", the one whose labels include {@code label}. */
    private static long metric(String metrics, String name, String label) {
        Matcher sample = Pattern.compile("(?m)^" + name + "\\{[^}]*" + label + "[^}]*} ([0-9.Ee+]+)$").matcher(metrics);
        assertTrue(sample.find(), () -> "no " + name + " with " + label + " in\n" + metrics);
        return (long) Double.parseDouble(sample.group(1));
    }
}
