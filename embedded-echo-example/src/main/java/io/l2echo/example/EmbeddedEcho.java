package io.l2echo.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.l2echo.dpdk.DpdkException;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.PortConfig;
import io.l2echo.dpdk.metrics.EchoMBeans;
import io.l2echo.dpdk.metrics.EchoMeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A tiny JVM service that embeds the echo, the way a gateway or a market-data handler would: the
 * data path runs in this process on DPDK's lcores, never entering the JVM; the service serves its
 * metrics, the JVM's and the echo's alike, over HTTP in Prometheus' format, JMX shows the ports
 * and their queues, and link changes reach its log from a control-plane thread. It stops with the
 * JVM: SIGTERM or Ctrl-C runs the shutdown hook, which stops the loops and closes the ports, the
 * pools and EAL in order.
 *
 * <pre>java -jar embedded-echo.jar [EAL options] -- [--metrics-port N] [--port ID|NAME]...</pre>
 */
public final class EmbeddedEcho {
    private static final String NAME = "embedded-echo";
    private static final String USAGE = "usage: java -jar embedded-echo.jar [EAL options] -- [--metrics-port N] "
            + "[--port ID|NAME]... (every --port is echoed; default port 0)";
    private static final int DEFAULT_METRICS_PORT = 9464;

    private EmbeddedEcho() {
    }

    public static void main(String[] args) {
        List<String> all = Arrays.asList(args);
        int separator = all.indexOf("--");
        List<String> eal = separator < 0 ? all : all.subList(0, separator);
        List<String> options = separator < 0 ? List.of() : all.subList(separator + 1, all.size());
        int metricsPort = DEFAULT_METRICS_PORT;
        EchoConfig.Builder config = EchoConfig.builder().ealArgs(eal);
        try {
            for (int i = 0; i < options.size(); i += 2) {
                String value = i + 1 < options.size() ? options.get(i + 1) : "";
                switch (options.get(i)) {
                    case "--metrics-port" -> metricsPort = tcpPort(value);
                    case "--port" -> config.port(PortConfig.builder().port(value).build());
                    default -> throw new IllegalArgumentException("unknown option " + options.get(i));
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(NAME + ": " + e.getMessage() + "; " + USAGE);
            System.exit(2);
        }

        EchoService echo;
        try {
            echo = EchoService.start(config.build());
        } catch (DpdkException e) {
            System.err.println(NAME + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        // On the echo's control-plane thread, never on a polling lcore: where a gateway would fail over.
        echo.addLinkListener(event -> System.out.println(NAME + ": " + event));
        // The JVM's threads, and those created from here on, keep off the polling CPUs.
        echo.eal().pinToControlPlane();

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new EchoMeterBinder(echo).bindTo(registry);
        EchoMBeans beans = EchoMBeans.register(echo);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), metricsPort), 0);
        } catch (IOException e) {
            beans.close();
            echo.close();
            System.err.println(NAME + ": cannot serve metrics on port " + metricsPort + ": " + e.getMessage()
                    + ". Choose another with --metrics-port N (0 for any free port)");
            System.exit(1);
            return;
        }
        http.createContext("/metrics", exchange -> respond(exchange, registry.scrape()));
        http.start();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(NAME + ": stopping");
            http.stop(0);
            beans.close();
            echo.stopWorkers();
            System.out.printf("%s: echoed %,d of %,d frames received%n", NAME, echo.stats().txPackets(),
                    echo.stats().rxPackets());
            echo.close();
        }, NAME + "-shutdown"));
        // The HTTP server's thread keeps the JVM alive until a signal starts the shutdown.
        System.out.printf("%s: echoing; metrics at http://%s:%d/metrics, MBeans under %s%n", NAME,
                http.getAddress().getHostString(), http.getAddress().getPort(), EchoMBeans.DOMAIN);
    }

    private static int tcpPort(String value) {
        int port = Integer.parseInt(value);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-port must be in 0..65535, not " + port);
        }
        return port;
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
