package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** testpmd's final statistics as DPDK 22.11's testpmd printed them on this project's machines. */
class TestpmdTotalsTest {

    private static final String TWO_QUEUES = String.join("\n",
            "Press enter to exit",
            "VHOST_CONFIG: (/tmp/vh.sock) vhost peer closed",
            "Telling cores to stop...",
            "Waiting for lcores to finish...",
            "",
            "  ------- Forward Stats for RX Port= 0/Queue= 0 -> TX Port= 0/Queue= 0 -------",
            "  RX-packets: 10332672       TX-packets: 10334496       TX-dropped: 165210016     ",
            "",
            "  ------- Forward Stats for RX Port= 0/Queue= 1 -> TX Port= 0/Queue= 1 -------",
            "VHOST_CONFIG: (/tmp/vh.sock) a log line written in between",
            "  RX-packets: 10332672       TX-packets: 10334464       TX-dropped: 165210048     ",
            "",
            "  ---------------------- Forward statistics for port 0  ----------------------",
            "  RX-packets: 20665344       RX-dropped: 0             RX-total: 20665344",
            "  TX-packets: 20668960       TX-dropped: 330420064     TX-total: 351089024",
            "  ----------------------------------------------------------------------------",
            "",
            "  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++",
            "  RX-packets: 20665344       RX-dropped: 0             RX-total: 20665344",
            "  TX-packets: 20668960       TX-dropped: 330420064     TX-total: 351089024",
            "  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++",
            "",
            "Done.",
            "Bye...");

    @Test
    void readsTheAccumulatedBlockAndEveryStream() {
        TestpmdTotals totals = TestpmdTotals.parse(TWO_QUEUES);
        assertEquals(20665344, totals.rxPackets());
        assertEquals(0, totals.rxDropped());
        assertEquals(20668960, totals.txPackets());
        assertEquals(330420064, totals.txDropped());
        assertEquals(List.of(
                new TestpmdTotals.StreamTotals(0, 0, 0, 0, 10332672, 10334496, 165210016),
                new TestpmdTotals.StreamTotals(0, 1, 0, 1, 10332672, 10334464, 165210048)), totals.streams());
        assertEquals(List.of(), totals.idleRxQueues(2));
    }

    @Test
    void aStreamThatCarriedNothingIsLeftOutAndItsQueueIsIdle() {
        String queue1Only = String.join("\n",
                "Telling cores to stop...",
                "  ------- Forward Stats for RX Port= 0/Queue= 1 -> TX Port= 0/Queue= 1 -------",
                "  RX-packets: 1              TX-packets: 0              TX-dropped: 0",
                "  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++",
                "  RX-packets: 1              RX-dropped: 0             RX-total: 1",
                "  TX-packets: 0              TX-dropped: 0             TX-total: 0");
        assertEquals(List.of(0, 2), TestpmdTotals.parse(queue1Only).idleRxQueues(3));
    }

    @Test
    void oneQueueHasNoStreamBlocksAndLongNumbersRunIntoTheNextLabel() {
        String oneQueue = String.join("\n",
                "Telling cores to stop...",
                "  ---------------------- Forward statistics for port 0  ----------------------",
                "  RX-packets: 7              RX-dropped: 12345678901234RX-total: 12345678901241",
                "  TX-packets: 7              TX-dropped: 0             TX-total: 7",
                "  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++",
                "  RX-packets: 7              RX-dropped: 12345678901234RX-total: 12345678901241",
                "  TX-packets: 7              TX-dropped: 0             TX-total: 7");
        TestpmdTotals totals = TestpmdTotals.parse(oneQueue);
        assertEquals(12345678901234L, totals.rxDropped());
        assertEquals(List.of(), totals.streams());
        assertEquals(List.of(), totals.idleRxQueues(1));
    }

    @Test
    void onlyTheLastStopCounts() {
        String twoStops = TWO_QUEUES.replace("10332672       TX-packets: 10334496", "1 TX-packets: 2")
                + "\n" + TWO_QUEUES.replace("20665344", "5");
        assertEquals(5, TestpmdTotals.parse(twoStops).rxPackets());
        assertEquals(10332672, TestpmdTotals.parse(twoStops).streams().get(0).rxPackets());
    }

    @Test
    void outputWithoutFinalStatisticsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestpmdTotals.parse("EAL: Cannot allocate memory\n"));
        assertTrue(e.getMessage().contains("Accumulated forward statistics for all ports"), e.getMessage());
    }
}
