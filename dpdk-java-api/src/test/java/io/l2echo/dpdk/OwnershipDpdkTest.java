package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The EAL's tree on a real port (net_null, two queue pairs, flat out): a port owns what polls its
 * queues and a packet queue the loop that polls it, so closing either first stops and frees what
 * is below it, whoever closes it and whenever; one poller a queue and one loop an lcore. Its own
 * EAL and JVM (surefire forks one per class here).
 */
@Tag("dpdk")
class OwnershipDpdkTest {
    /* A closed vdev port is gone (rte_eth_dev_close releases it): a port a race. */
    private static final int RACES = 24; // RTE_MAX_ETHPORTS is 32 in distributions' builds

    @Test
    void closingAPortOrAQueueStopsWhatPollsItAndLaunchesRacingACloseNeverMeetFreedState() throws Exception {
        // Two CPUs here: the polling lcores share CPU 1, slow and exactly as correct.
        EalOptions.Builder options = EalOptions.builder().arg("--lcores=0@0,1@1,2@1").memoryMb(256)
                .filePrefix("l2e-tree-" + ProcessHandle.current().pid())
                .arg("--no-huge", "--log-level=lib.eal:warning");
        for (int i = 0; i < 2 + RACES; i++) {
            options.vdev("net_null" + i);
        }
        try (Eal eal = Eal.init(options.build().arguments())) {
            Mempool pool = eal.createMempool("tree_pool", 8191, 256, Mempool.DEFAULT_DATA_ROOM_SIZE, 0);
            PortConfig config = PortConfig.builder().portId(0).queues(2, 2).build();

            Port port = eal.startPort(config, pool);
            EchoWorker worker = eal.launchEcho(1, List.of(new QueueRef(port.id(), 0)), 32, 0);
            DpdkException taken = assertThrows(DpdkException.class,
                    () -> eal.launchEcho(2, List.of(new QueueRef(port.id(), 0)), 32, 0));
            assertTrue(taken.getMessage().contains("queue 0 of " + port + " is polled by lcore 1's echo loop"),
                    taken.getMessage());
            PacketQueue packets = eal.openPacketQueue(new QueueRef(port.id(), 1), pool, 32, 0);
            DpdkException lcoreTaken = assertThrows(DpdkException.class,
                    () -> eal.launchPacketLoop(1, packets, OwnershipDpdkTest::sendAll, IdleStrategy.busySpin()));
            assertTrue(lcoreTaken.getMessage().contains("lcore 1 runs lcore 1's echo loop"), lcoreTaken.getMessage());
            PacketLoop loop = eal.launchPacketLoop(2, packets, OwnershipDpdkTest::sendAll, IdleStrategy.busySpin());
            awaitEchoes(worker.counters().get(0));
            awaitEchoes(packets.counters());

            port.close(); // the user's own close, with both loops polling
            assertTrue(worker.isClosed(), "the port stopped and freed its echo worker first");
            assertTrue(packets.isClosed() && !loop.isRunning(), "and its packet queue, with the loop polling it");
            long finalTx = worker.counters().get(0).snapshot().txPackets();
            assertTrue(finalTx > 0 && finalTx == worker.counters().get(0).snapshot().txPackets(),
                    "the worker's final counters stay readable: " + finalTx);
            DpdkException gone = assertThrows(DpdkException.class,
                    () -> eal.launchEcho(1, List.of(new QueueRef(port.id(), 0)), 32, 0));
            assertTrue(gone.getMessage().contains("is not started"), gone.getMessage());

            Port again = eal.startPort(config.toBuilder().portId(1).build(), pool); // lcores 1 and 2 are free again
            PacketQueue queue = eal.openPacketQueue(new QueueRef(again.id(), 1), pool, 32, 0);
            PacketLoop javaLoop = eal.launchPacketLoop(2, queue, OwnershipDpdkTest::sendAll, IdleStrategy.busySpin());
            awaitEchoes(queue.counters());
            queue.close();
            assertFalse(javaLoop.isRunning(), "closing the queue stopped the loop polling it first");
            again.close();
            assertEquals(0, pool.inUse(), "every mbuf back once the ports closed");

            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            for (int round = 0; round < RACES; round++) {
                Port racing = eal.startPort(config.toBuilder().portId(2 + round).build(), pool);
                CountDownLatch go = new CountDownLatch(1);
                EchoWorker[] launched = new EchoWorker[1];
                Thread launcher = new Thread(() -> {
                    await(go);
                    try {
                        launched[0] = eal.launchEcho(1, List.of(new QueueRef(racing.id(), 0),
                                new QueueRef(racing.id(), 1)), 32, 0);
                    } catch (IllegalStateException | DpdkException refused) {
                        outcomes.merge("refused: " + refused.getMessage().replaceAll("\\d+", "N"), 1, Integer::sum);
                    }
                });
                launcher.start();
                go.countDown();
                Thread.sleep(0, (round % 10) * 50_000); // vary where the close lands in the launch
                racing.close();
                launcher.join();
                assertTrue(racing.isClosed() && !racing.leftOpen(), "round " + round);
                if (launched[0] != null) {
                    assertTrue(launched[0].isClosed(), "round " + round + ": the port closed the worker it launched");
                    outcomes.merge("launched, then closed by its port", 1, Integer::sum);
                }
            }
            assertEquals(RACES, outcomes.values().stream().mapToInt(Integer::intValue).sum(), outcomes::toString);
            assertEquals(0, pool.inUse(), "every mbuf back after the races: " + outcomes);
            System.out.println("launch racing close, " + RACES + " rounds: " + outcomes);
        }
    }

    private static void sendAll(PacketBurst burst) {
        for (int i = 0; i < burst.size(); i++) {
            burst.swapMacs(i);
            burst.send(i);
        }
    }

    private static void awaitEchoes(QueueCounters counters) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (counters.snapshot().txPackets() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(counters.snapshot().txPackets() > 0, counters.queue() + " echoes");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
