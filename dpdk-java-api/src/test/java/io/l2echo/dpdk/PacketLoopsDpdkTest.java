package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Several Java packet loops in one service, one per queue of the plan, each on its own lcore
 * and sharing nothing: when one handler fails, its loop stops with the cause and gives its mbufs
 * back, and the others keep echoing. net_null with two queues delivers on both flat out. Its own
 * EAL and JVM (surefire forks one per class here).
 */
@Tag("dpdk")
class PacketLoopsDpdkTest {

    @Test
    void aFailingHandlerStopsItsOwnLoopOnlyAndEveryMbufComesBack() throws InterruptedException {
        // Two CPUs here: both polling lcores share CPU 1, slow and exactly as correct.
        EalOptions eal = EalOptions.builder().arg("--lcores=0@0,1@1,2@1").vdev("net_null0").memoryMb(256)
                .filePrefix("l2e-loops-" + ProcessHandle.current().pid())
                .arg("--no-huge", "--log-level=lib.eal:warning").build();
        Map<QueueRef, DeviceInfo> madeFor = new ConcurrentHashMap<>();
        EchoConfig config = EchoConfig.builder().eal(eal).burstSize(32).queues(EchoConfig.ONE_QUEUE_PER_LCORE)
                .port(PortConfig.builder().portName("net_null0").build())
                .packetHandlers((queue, device) -> {
                    madeFor.put(queue, device);
                    if (queue.queue() == 0) {
                        int[] bursts = {0};
                        return burst -> {
                            if (++bursts[0] == 1000) {
                                throw new IllegalStateException("queue 0's handler gives up");
                            }
                            sendAll(burst);
                        };
                    }
                    return PacketLoopsDpdkTest::sendAll;
                }, IdleStrategy.busySpin())
                .build();
        try (EchoService service = EchoService.start(config)) {
            assertEquals(2, service.packetLoops().size(), "a loop per queue: " + service.plan());
            assertEquals(Map.of(new QueueRef(0, 0), "net_null0", new QueueRef(0, 1), "net_null0"),
                    Map.of(new QueueRef(0, 0), madeFor.get(new QueueRef(0, 0)).name(),
                            new QueueRef(0, 1), madeFor.get(new QueueRef(0, 1)).name()),
                    "the factory is told each queue's port");
            PacketLoop failing = service.packetLoops().get(0);
            PacketLoop healthy = service.packetLoops().get(1);
            assertEquals(1, failing.pinnedLcore());
            assertEquals(2, healthy.pinnedLcore());

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (failing.isRunning() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(failing.isRunning(), "the failure stopped queue 0's loop");
            assertEquals("queue 0's handler gives up", failing.failure().orElseThrow().getMessage());

            long before = healthy.queue().counters().snapshot().txPackets();
            Thread.sleep(200);
            long after = healthy.queue().counters().snapshot().txPackets();
            assertTrue(healthy.isRunning() && after > before, "queue 1 still echoes: " + before + " -> " + after);

            IllegalStateException stopped = assertThrows(IllegalStateException.class, service::stopWorkers);
            assertNotNull(stopped.getCause());
            assertEquals("queue 0's handler gives up", stopped.getCause().getMessage());
            assertFalse(healthy.isRunning(), "stopWorkers waited for the other loop too, failure or not");
            EchoStats last = service.stats();
            QueueStats failed = last.queues().get(0);
            assertEquals(failed.rxPackets(), failed.txPackets() + failing.queue().handlerDrops(),
                    "queue 0's last burst was freed unsent, every other frame sent");
            // net_null's Rx takes mbufs only while polled and its Tx frees them at once: none is out now.
            assertEquals(0, last.ports().get(0).mbufsInUse(), "every mbuf back in the pool");
        }
    }

    private static void sendAll(PacketBurst burst) {
        for (int i = 0; i < burst.size(); i++) {
            burst.send(i);
        }
    }
}
