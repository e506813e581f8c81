package io.l2echo.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command's own logic: exit statuses, the socket it picks, and what it prints. */
class DpdkStatsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path connectedTo;

    private int run(TelemetryTransport transport, String... args) {
        return DpdkStats.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), socket -> {
                    connectedTo = socket;
                    if (transport == null) {
                        throw TelemetrySocket.connectFailure(socket, 2);
                    }
                    return transport;
                });
    }

    private static TelemetryTransport process() throws TelemetryException {
        TelemetryTransport transport = mock(TelemetryTransport.class);
        when(transport.greeting()).thenReturn("{\"version\": \"DPDK 22.11.11\", \"pid\": 1, \"max_output_len\": 16384}");
        when(transport.request("/ethdev/list")).thenReturn("{\"/ethdev/list\": [0]}");
        when(transport.request("/ethdev/stats,0")).thenReturn("{\"/ethdev/stats\": {\"ipackets\": 5}}");
        when(transport.request("/l2echo/lcores")).thenReturn("{\"/l2echo/lcores\": null}");
        return transport;
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(DpdkStats.EXIT_USAGE, run(null, "--interval", "0"));
        assertEquals(DpdkStats.EXIT_USAGE, run(null, "--interval", "Infinity"));
        assertEquals(DpdkStats.EXIT_USAGE, run(null, "--json", "--prometheus"));
        assertEquals(DpdkStats.EXIT_USAGE, run(null, "--count", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--help"));
    }

    @Test
    void theFilePrefixNamesTheSocket() {
        assertEquals(DpdkStats.EXIT_FAILURE, run(null, "-f", "gen"));
        assertEquals(Path.of("/var/run/dpdk/gen/dpdk_telemetry.v2"), connectedTo);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no DPDK process is listening"));
    }

    @Test
    void oneJsonLinePerPollThenExit() throws TelemetryException {
        TelemetryTransport transport = process();
        assertEquals(DpdkStats.EXIT_OK, run(transport, "--json", "--count", "2", "--interval", "0.01"));
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[1].contains("\"rates\""), lines[1]);
        verify(transport).close();
    }

    @Test
    void resetCountsFromTheFirstPollWithoutTouchingTheProcess() throws TelemetryException {
        TelemetryTransport transport = process();
        when(transport.request("/ethdev/stats,0")).thenReturn("{\"/ethdev/stats\": {\"ipackets\": 5}}",
                "{\"/ethdev/stats\": {\"ipackets\": 12}}");
        assertEquals(DpdkStats.EXIT_OK, run(transport, "--reset", "--json", "--count", "2", "--interval", "0.01"));
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertTrue(lines[0].contains("\"ipackets\":0"), lines[0]);
        assertTrue(lines[1].contains("\"ipackets\":7"), lines[1]);
    }

    @Test
    void helpExitsZero() {
        assertEquals(DpdkStats.EXIT_OK, run(null, "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: java -jar dpdk-stats.jar"));
    }
}
