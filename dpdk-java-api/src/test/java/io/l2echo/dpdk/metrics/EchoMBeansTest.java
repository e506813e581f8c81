package io.l2echo.dpdk.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.EchoStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The JMX view through a real MBean server: names, every attribute from the right field, unregistering. */
class EchoMBeansTest {
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final AtomicReference<EchoStats> current = new AtomicReference<>(MetricsFixtures.stats(0));
    private final StatsSnapshots snapshots = new StatsSnapshots(current::get, Duration.ZERO);

    @Test
    void thePortAndEachQueueAreBeansWhoseAttributesAreTheSnapshotsFields() throws Exception {
        try (EchoMBeans beans = EchoMBeans.register(server, snapshots)) {
            ObjectName port = new ObjectName("io.l2echo:type=Port,port=0");
            ObjectName secondQueue = new ObjectName("io.l2echo:type=Queue,lcore=2,port=0,queue=1");
            assertEquals(List.of(port, new ObjectName("io.l2echo:type=Queue,lcore=1,port=0,queue=0"), secondQueue),
                    beans.names());

            current.set(MetricsFixtures.stats(1000));
            assertEquals(1021L, server.getAttribute(port, "RxPackets"));
            assertEquals(1022L, server.getAttribute(port, "TxPackets"));
            assertEquals(1025L, server.getAttribute(port, "RxMissed"));
            assertEquals(1028L, server.getAttribute(port, "RxNoMbuf"));
            assertEquals(true, server.getAttribute(port, "LinkUp"));
            assertEquals(10_000L, server.getAttribute(port, "LinkSpeedMbps"));
            assertEquals(1029, server.getAttribute(port, "MbufsInUse"));

            assertEquals(2, server.getAttribute(secondQueue, "Lcore"));
            assertEquals(1011L, server.getAttribute(secondQueue, "RxPackets"));
            assertEquals(1013L, server.getAttribute(secondQueue, "TxPackets"));
            assertEquals(1015L, server.getAttribute(secondQueue, "TxDropped"));
            assertEquals(1019L, server.getAttribute(secondQueue, "RxRunts"));
            assertEquals(1040L, server.getAttribute(secondQueue, "RxGroupDst"));
            assertEquals(1041L, server.getAttribute(secondQueue, "RxLinkLocal"));
            assertEquals(1042L, server.getAttribute(secondQueue, "RxGroupSrc"));
            assertEquals(1043L, server.getAttribute(secondQueue, "TxOwnSource"));
            assertEquals(1020L, server.getAttribute(secondQueue, "BusyCycles"));
            assertEquals(1020.0 / 1011, (double) server.getAttribute(secondQueue, "CyclesPerFrame"), 1e-9);
            assertEquals(1011.0 / 1016, (double) server.getAttribute(secondQueue, "AverageBurst"), 1e-9);
        }
        assertFalse(server.isRegistered(new ObjectName("io.l2echo:type=Port,port=0")), "closing unregisters");
        assertTrue(server.queryNames(new ObjectName("io.l2echo:*"), null).isEmpty());
    }

    @Test
    void aSecondRegistrationOfThePortIsRefusedAndLeavesOnlyTheFirst() throws Exception {
        try (EchoMBeans first = EchoMBeans.register(server, snapshots)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EchoMBeans.register(server, snapshots));
            assertTrue(e.getMessage().contains("already registered"), e.getMessage());
            assertEquals(3, server.queryNames(new ObjectName("io.l2echo:*"), null).size());
        }
    }
}
