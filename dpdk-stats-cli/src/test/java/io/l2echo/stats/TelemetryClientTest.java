package io.l2echo.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted server: what it asks, and what it makes of the replies. */
class TelemetryClientTest {
    private final TelemetryTransport transport = mock(TelemetryTransport.class);

    @BeforeEach
    void greeting() {
        when(transport.greeting()).thenReturn("{\"version\": \"DPDK 22.11.11\", \"pid\": 4242, \"max_output_len\": 16384}");
    }

    @Test
    void readsEveryPortAndOurQueueCounters() throws TelemetryException {
        when(transport.request("/ethdev/list")).thenReturn("{\"/ethdev/list\": [0, 1]}");
        when(transport.request("/ethdev/stats,0")).thenReturn("{\"/ethdev/stats\": {\"ipackets\": 10, \"opackets\": 9, "
                + "\"q_ipackets\": [10]}}");
        when(transport.request("/ethdev/stats,1")).thenReturn("{\"/ethdev/stats\": {\"ipackets\": 3}}");
        when(transport.request("/l2echo/lcores")).thenReturn("{\"/l2echo/lcores\": {\"lcore1_port0_queue0\": "
                + "{\"lcore\": 1, \"port\": 0, \"queue\": 0, \"rx_packets\": 10, \"swap\": \"ip\", \"reflect\": \"group\"}}}");

        TelemetryClient client = new TelemetryClient(transport);
        Snapshot snapshot = client.poll(false);

        assertEquals("DPDK 22.11.11", client.version());
        assertEquals(4242, client.pid());
        assertEquals(2, snapshot.ports().size());
        assertEquals(10, snapshot.port(0).get("ipackets"));
        assertFalse(snapshot.port(0).stats().containsKey("q_ipackets"), "per-queue arrays are left out");
        assertEquals(3, snapshot.port(1).get("ipackets"));
        assertTrue(snapshot.hasQueueCounters());
        assertEquals(1, snapshot.queues().get(0).lcore());
        assertEquals(10, snapshot.queues().get(0).get("rx_packets"));
        assertEquals("ip/group", snapshot.queues().get(0).mode());
        verify(transport, never()).request("/ethdev/xstats,0");
    }

    @Test
    void aProcessWithoutOurCommandHasNoQueueCounters() throws TelemetryException {
        when(transport.request("/ethdev/list")).thenReturn("{\"/ethdev/list\": []}");
        when(transport.request("/l2echo/lcores")).thenReturn("{\"/l2echo/lcores\": null}");
        Snapshot snapshot = new TelemetryClient(transport).poll(true);
        assertFalse(snapshot.hasQueueCounters());
        assertTrue(snapshot.queues().isEmpty());
    }

    @Test
    void aReplyThatIsNotTelemetryIsNamed() throws TelemetryException {
        when(transport.request("/ethdev/list")).thenReturn("HTTP/1.1 400 Bad Request");
        TelemetryException e = assertThrows(TelemetryException.class, () -> new TelemetryClient(transport).poll(false));
        assertTrue(e.getMessage().startsWith("unexpected reply to /ethdev/list: HTTP/1.1 400"), e.getMessage());
        assertTrue(e.getMessage().contains("dpdk_telemetry.v2"), e.getMessage());
    }

    @Test
    void aReplyForAnotherCommandIsUnexpected() {
        when(transport.greeting()).thenReturn("[1, 2]");
        TelemetryException e = assertThrows(TelemetryException.class, () -> new TelemetryClient(transport));
        assertTrue(e.getMessage().startsWith("unexpected reply to the greeting"), e.getMessage());
    }
}
