package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LcorePlanTest {
    @Test
    void theMainLcorePollsWhenItIsTheOnlyOne() {
        LcorePlan plan = LcorePlan.spread(1, List.of(), List.of(0), 1);
        assertEquals(List.of(new LcorePlan.Assignment(1, List.of(new QueueRef(0, 0)))), plan.assignments());
        assertEquals(List.of(), plan.idleLcores());
    }

    @Test
    void workersPollAndTheMainLcoreStaysControl() {
        LcorePlan plan = LcorePlan.spread(0, List.of(1), List.of(0), 1);
        assertEquals(1, plan.assignments().get(0).lcore());
    }

    @Test
    void eachQueueGetsItsOwnLcoreAndTheRestIdle() {
        LcorePlan plan = LcorePlan.spread(0, List.of(2, 3, 5), List.of(1), 2);
        assertEquals(List.of(new LcorePlan.Assignment(2, List.of(new QueueRef(1, 0))),
                new LcorePlan.Assignment(3, List.of(new QueueRef(1, 1)))), plan.assignments());
        assertEquals(List.of(5), plan.idleLcores());
        assertEquals(2, plan.queueCount());
    }

    @Test
    void oneQueuePerLcoreGivesEveryPollingLcoreAQueue() {
        LcorePlan plan = LcorePlan.spread(0, List.of(1, 2, 3), List.of(0), EchoConfig.ONE_QUEUE_PER_LCORE);
        assertEquals(3, plan.queueCount());
        assertEquals(List.of(), plan.idleLcores());
    }

    @Test
    void portsStartOnDifferentLcoresAndEachPortsQueuesLandOnDistinctOnes() {
        LcorePlan plan = LcorePlan.spread(0, List.of(1, 2), List.of(0, 1), 2);
        assertEquals(List.of(new LcorePlan.Assignment(1, List.of(new QueueRef(0, 0), new QueueRef(1, 1))),
                new LcorePlan.Assignment(2, List.of(new QueueRef(0, 1), new QueueRef(1, 0)))), plan.assignments());
        assertEquals(2, plan.queueCount(1));
        assertEquals(2, plan.lcoresPolling(1));
    }

    @Test
    void onePortEachOnTwoLcoresShareNothing() {
        LcorePlan plan = LcorePlan.spread(0, List.of(1, 2), List.of(0, 1), 1);
        assertEquals(List.of(new LcorePlan.Assignment(1, List.of(new QueueRef(0, 0))),
                new LcorePlan.Assignment(2, List.of(new QueueRef(1, 0)))), plan.assignments());
        assertEquals(1, plan.lcoresPolling(0));
    }

    @Test
    void morePortsThanLcoresShareThemAsL2fwdDoes() {
        LcorePlan plan = LcorePlan.spread(0, List.of(1), List.of(0, 1, 2), 1);
        assertEquals(List.of(new LcorePlan.Assignment(1, List.of(new QueueRef(0, 0), new QueueRef(1, 0),
                new QueueRef(2, 0)))), plan.assignments());
        assertEquals(1, plan.pollingLcoreCount());
    }

    @Test
    void moreQueuesThanPollingLcoresIsRefusedWithTheFix() {
        DpdkException e = assertThrows(DpdkException.class, () -> LcorePlan.spread(0, List.of(1), List.of(0), 2));
        assertTrue(e.getMessage().contains("2 queues need as many polling lcores, EAL has 1"), e.getMessage());
        assertTrue(e.hint().orElseThrow().contains("-l"), e.getMessage());
    }

    @Test
    void aPlanWithoutPortsIsAMistake() {
        assertThrows(IllegalArgumentException.class, () -> LcorePlan.spread(0, List.of(1), List.of(), 1));
    }
}
