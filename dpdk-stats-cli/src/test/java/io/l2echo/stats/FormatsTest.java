package io.l2echo.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatsTest {
    private static Snapshot at(long seconds, long rx, long rxBytes, boolean withQueue) {
        Snapshot.PortCounters port = new Snapshot.PortCounters(0,
                Map.of("ipackets", rx, "opackets", rx, "ibytes", rxBytes, "obytes", rxBytes, "imissed", 2L),
                Map.of("rx_good_packets", rx));
        List<Snapshot.QueueCounters> queues = withQueue ? List.of(new Snapshot.QueueCounters(1, 0, 0,
                Map.of("rx_packets", rx, "tx_packets", rx, "rx_bursts", rx / 10, "empty_polls", 100L, "rx_group_dst", 7L,
                        "rx_link_local", 3L, "rx_group_src", 2L, "tx_own_source", 0L),
                Map.of("swap", "ports", "reflect", "unicast"))) : List.of();
        return new Snapshot(seconds * 1_000_000_000L, 1000 * seconds, "DPDK 22.11.11", 7, List.of(port), queues,
                withQueue);
    }

    @Test
    void ratesNeedTwoPolls() {
        String first = Formats.table(null, at(1, 1000, 64_000, false), "sock");
        assertTrue(first.contains("    0             -             -"), first);
        String second = Formats.table(at(1, 1000, 64_000, false), at(3, 5000, 320_000, false), "sock");
        assertTrue(second.contains("2,000"), second); // 4000 frames in 2 s
        assertTrue(second.contains("1.02"), second); // 256,000 B * 8 / 2 s = 1.024 Mbit/s
        assertTrue(second.contains("rx_good_packets"), "xstats are listed when read");
    }

    @Test
    void jsonCarriesDpdksNamesAndRatesFromTheSecondPoll() {
        Map<?, ?> first = (Map<?, ?>) Json.parse(Formats.json(null, at(1, 1000, 64_000, true)));
        Map<?, ?> port = (Map<?, ?>) ((List<?>) first.get("ports")).get(0);
        assertEquals(1000L, ((Map<?, ?>) port.get("stats")).get("ipackets"));
        assertFalse(port.containsKey("rates"));
        assertEquals(1, ((List<?>) first.get("lcores")).size());
        assertEquals("ports", ((Map<?, ?>) ((List<?>) first.get("lcores")).get(0)).get("swap"));

        Map<?, ?> second = (Map<?, ?>) Json.parse(Formats.json(at(1, 1000, 64_000, true), at(3, 5000, 320_000, true)));
        Map<?, ?> rates = (Map<?, ?>) ((Map<?, ?>) ((List<?>) second.get("ports")).get(0)).get("rates");
        assertEquals(2000.0, (Double) rates.get("rx_pps"), 1e-6);
        assertEquals(1_024_000.0, (Double) rates.get("rx_bps"), 1e-6);
    }

    @Test
    void prometheusHasHelpAndTypeOncePerFamilyAndStableNames() {
        String text = Formats.prometheus(at(1, 1000, 64_000, true));
        assertTrue(text.contains("# HELP dpdk_port_rx_packets_total Frames received by the port.\n"
                + "# TYPE dpdk_port_rx_packets_total counter\ndpdk_port_rx_packets_total{port=\"0\"} 1000\n"), text);
        assertTrue(text.contains("dpdk_port_rx_missed_total{port=\"0\"} 2\n"), text);
        assertTrue(text.contains("# TYPE dpdk_port_xstat untyped\n"), text);
        assertTrue(text.contains("dpdk_port_xstat{port=\"0\",name=\"rx_good_packets\"} 1000\n"), text);
        assertTrue(text.contains("l2echo_queue_rx_packets_total{lcore=\"1\",port=\"0\",queue=\"0\"} 1000\n"), text);
        assertTrue(text.contains("l2echo_queue_rx_group_dst_total{lcore=\"1\",port=\"0\",queue=\"0\"} 7\n"), text);
        assertTrue(text.contains("l2echo_queue_rx_link_local_total{lcore=\"1\",port=\"0\",queue=\"0\"} 3\n"), text);
        assertTrue(text.contains("l2echo_queue_rx_group_src_total{lcore=\"1\",port=\"0\",queue=\"0\"} 2\n"), text);
        assertTrue(text.contains("l2echo_queue_tx_own_source_total{lcore=\"1\",port=\"0\",queue=\"0\"} 0\n"), text);
        assertEquals(1, text.split("# TYPE dpdk_port_rx_packets_total", -1).length - 1, "one TYPE per family");
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("[a-z0-9_]+\\{[^}]*\\} \\d+"), line);
        }
    }

    @Test
    void theTableShowsEachClassTheEchoDidNotReflect() {
        String text = Formats.table(null, at(1, 1000, 64_000, true), "sock");
        assertTrue(text.contains("group-dst link-local  group-src    own-src"), text);
        assertTrue(text.matches("(?s).* 7 +3 +2 +0  ports/unicast\n.*"), text);
    }
}
