package io.l2echo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.l2echo.dpdk.DpdkException;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.LcorePlan;
import io.l2echo.dpdk.LinkStatus;
import io.l2echo.dpdk.PortSnapshot;
import io.l2echo.dpdk.PortStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The app's orchestration: exit statuses, the order of stop and close, and what it prints. */
class EchoAppTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @SuppressWarnings("unchecked")
    private final Function<EchoConfig, EchoService> starter = mock(Function.class);
    private final AutoCloseable companion = mock(AutoCloseable.class);

    private EchoApp app() {
        return new EchoApp("l2echo", "Echoes.", false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), starter, service -> companion);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpExitsZeroWithoutStartingAnything() {
        assertEquals(EchoApp.EXIT_OK, app().run(new String[] {"--", "--help"}));
        assertTrue(out().contains("usage: java -jar l2echo.jar"), out());
        verify(starter, never()).apply(any());
    }

    @Test
    void aBadOptionExitsTwoWithTheCause() {
        assertEquals(EchoApp.EXIT_USAGE, app().run(new String[] {"--", "--burst", "x"}));
        assertTrue(err().contains("l2echo: --burst takes a whole number, not 'x'"), err());
        verify(starter, never()).apply(any());
    }

    @Test
    void aSwapLevelBesidePacketHandlersIsAUsageError() {
        EchoApp javaLogic = app().configuring(config -> config.toBuilder()
                .packetHandlers((queue, device) -> burst -> { }, io.l2echo.dpdk.IdleStrategy.busySpin()).build());
        assertEquals(EchoApp.EXIT_USAGE, javaLogic.run(new String[] {"--", "--swap", "ip"}));
        assertTrue(err().contains("l2echo: a swap level or reflect policy is the native echo's"), err());
        verify(starter, never()).apply(any());
    }

    @Test
    void aDpdkFailureAtStartExitsOneWithItsMessage() {
        when(starter.apply(any())).thenThrow(new DpdkException("open port 3", "there is no port 3", "pass --vdev"));
        assertEquals(EchoApp.EXIT_FAILURE, app().run(new String[] {"--no-pci", "--", "--port", "3"}));
        assertTrue(err().contains("l2echo: open port 3 failed: there is no port 3. pass --vdev"), err());
    }

    @Test
    void aTimedRunStopsTheLoopsBeforeReadingTotalsAndClosesLast() throws Exception {
        EchoService service = mock(EchoService.class, RETURNS_DEEP_STUBS);
        EchoStats stats = new EchoStats(0, List.of(), List.of(new PortSnapshot(0, new PortStats(0, 0, 0, 0, 0, 0, 0, 0),
                new LinkStatus(true, 0, true, false), 0)));
        when(service.stats()).thenReturn(stats);
        when(service.plan()).thenReturn(LcorePlan.spread(0, List.of(1), List.of(0), 1));
        when(service.eal().pinToControlPlane()).thenReturn(Set.of(0));
        when(service.eal().arguments()).thenReturn(List.of("-l", "0,1"));
        when(starter.apply(any())).thenReturn(service);

        assertEquals(EchoApp.EXIT_OK, app().run(new String[] {"-l", "0,1", "--", "--duration", "1",
            "--stats-interval", "0"}));

        InOrder order = inOrder(companion, service);
        order.verify(companion).close();
        order.verify(service).stopWorkers();
        order.verify(service).stats();
        order.verify(service).close();
        assertTrue(out().contains("1 s elapsed, stopping"), out());
        assertTrue(out().contains("final: rx 0"), out());
        assertEquals("", err());
    }
}
