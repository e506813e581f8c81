package io.l2echo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.LinkEvent;
import io.l2echo.dpdk.LinkStatus;
import io.l2echo.dpdk.PortSnapshot;
import io.l2echo.dpdk.PortStats;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.dpdk.QueueStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class StatsReporterTest {
    private static final PortStats PORT = new PortStats(3000, 2990, 0, 0, 1, 0, 0, 0);
    private static final LinkStatus UP = new LinkStatus(true, 10_000, true, false);
    private static final LinkStatus DOWN = new LinkStatus(false, 0, false, false);

    private static EchoStats at(long seconds, long rx, long tx, long dropped, long bursts, long empty) {
        QueueStats queue = new QueueStats(1, new QueueRef(0, 0), rx, rx * 64, tx, tx * 64, dropped, bursts, empty, 0, 0,
                rx * 97, 7, 3, 2, 1);
        return new EchoStats(seconds * 1_000_000_000L, List.of(queue), List.of(new PortSnapshot(0, PORT, UP, 2100)));
    }

    @Test
    void ratesAreDeltasOverTheInterval() {
        String text = StatsReporter.formatInterval(at(1, 1000, 1000, 0, 100, 900), at(3, 5000, 4990, 10, 300, 2700));
        assertTrue(text.contains("2,000"), text); // rx pps: 4000 frames in 2 s
        assertTrue(text.contains("1,995"), text); // tx pps
        assertTrue(text.contains("5,000"), text); // rx total
        assertTrue(text.contains("20.0"), text); // 4000 frames over 200 bursts
        assertTrue(text.contains("90.0"), text); // 1800 empty of 2000 polls
        assertTrue(text.contains("missed 1"), text);
        assertTrue(text.contains("group-dst link-local  group-src    own-src\n"), text);
        assertTrue(text.matches("(?s).* 7 +3 +2 +1\n.*"), text);
        assertTrue(text.contains("port 0: rx 3,000  tx 2,990  missed 1  rx-errors 0  tx-errors 0  no-mbuf 0  | mbufs in use 2,100  | link up 10000 Mbps full-duplex"), text);
    }

    @Test
    void aLinkGoingDownOrComingBackIsOneLineNamingThePort() {
        assertEquals("l2echo: link down on port 1: frames sent to the port now are lost; the loops keep polling",
                StatsReporter.formatLinkChange("l2echo", new LinkEvent(1, UP, DOWN, 0)));
        assertEquals("l2echo: link up 10000 Mbps full-duplex on port 0",
                StatsReporter.formatLinkChange("l2echo", new LinkEvent(0, DOWN, UP, 0)));
    }

    @Test
    void totalsCoverTheWholeRun() {
        String text = StatsReporter.formatTotals(at(0, 0, 0, 0, 0, 0), at(10, 10_000, 9_990, 10, 500, 5));
        assertTrue(text.startsWith("final: rx 10,000  tx 9,990  dropped 10 frames in 10.0 s (1,000 pps average)"),
                text);
        assertTrue(text.contains("lcore 1 port 0 queue 0"), text);
        assertTrue(text.contains("(1,000 pps average); not reflected: group-dst 7  link-local 3  group-src 2\n"), text);
        assertTrue(text.contains("  runts 0  group-dst 7  link-local 3  group-src 2  own-source 1  tx-retries 0"), text);
        assertTrue(text.contains("  bursts 500  empty polls 5  busy cycles 970,000 (97.0 a frame)  share 100.0%"), text);
    }

    @Test
    void reportsFromItsOwnThreadAfterSetupUntilClosed() throws InterruptedException {
        @SuppressWarnings("unchecked")
        Supplier<EchoStats> source = mock(Supplier.class);
        when(source.get()).thenReturn(at(0, 0, 0, 0, 0, 0), at(1, 10, 10, 0, 1, 1), at(2, 20, 20, 0, 2, 2));
        Runnable setup = mock(Runnable.class);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (StatsReporter reporter = new StatsReporter("test", source, out, 20, setup)) {
            reporter.start();
            Thread.sleep(200);
        }
        verify(setup).run();
        verify(source, atLeast(3)).get();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        int lengthAtClose = printed.length();
        Thread.sleep(100);
        assertTrue(printed.contains("rx pps"), printed);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).length() == lengthAtClose, "nothing prints after close");
    }
}
