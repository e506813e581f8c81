package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Burst receive and transmit on real DPDK, in this JVM: a {@code net_ring} port, whose Tx queue
 * N feeds its Rx queue N, so every frame a queue sends comes back to it. Its own EAL (surefire
 * forks a JVM per test class in this module).
 */
@Tag("dpdk")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PacketQueueDpdkTest {
    private static final int BURST = 32;
    /* Mbufs of 512 frame bytes: a longer frame sent from this pool is a chain, read back as one. */
    private static final int SMALL_MBUF_BYTES = 512;
    private static Eal eal;
    private static Mempool pool;
    private static Mempool smallMbufPool;
    private static Port port;

    @BeforeAll
    static void start() {
        eal = Eal.init(List.of("-l", "0,1", "--no-pci", "--no-huge", "-m", "256", "--vdev=net_ring0",
                "--file-prefix=l2e-pq-" + ProcessHandle.current().pid(), "--log-level=lib.eal:warning"));
        pool = eal.createMempool("pq_pool", 4095, 64, Mempool.DEFAULT_DATA_ROOM_SIZE, 0);
        smallMbufPool = eal.createMempool("pq_small", 4095, 64, SMALL_MBUF_BYTES + Mempool.HEADROOM, 0);
        port = eal.startPort(PortConfig.builder().portName("net_ring0").queues(4, 4).descriptors(512, 512)
                .promiscuous(false).build(), pool);
    }

    @AfterAll
    static void stop() {
        if (eal != null) {
            eal.close();
        }
    }

    /* Every length from 14 to 1514 bytes, random bytes, in bursts: what goes out comes back unchanged. */
    private static void everyLengthComesBackByteForByte(PacketQueue queue) {
        PacketBurst burst = queue.burst();
        SplittableRandom random = new SplittableRandom(queue.queue().queue());
        List<byte[]> lengths = new ArrayList<>();
        for (int length = 14; length <= 1514; length++) {
            byte[] frame = new byte[length];
            random.nextBytes(frame);
            lengths.add(frame);
        }
        long bytes = 0;
        int bursts = 0;
        for (int first = 0; first < lengths.size(); first += BURST) {
            List<byte[]> sent = lengths.subList(first, Math.min(first + BURST, lengths.size()));
            for (int i = 0; i < sent.size(); i++) {
                burst.put(i, sent.get(i));
                bytes += sent.get(i).length;
            }
            long before = eal.jniCalls();
            assertEquals(sent.size(), queue.transmit(sent.size()), "net_ring's ring takes a whole burst");
            for (int i = 0; i < BURST; i++) {
                burst.setLength(i, 0); // so nothing stale can pass for a frame come back
            }
            int received = queue.receive();
            long after = eal.jniCalls();
            assertEquals(3, after - before, "one JNI call to send the burst, one to receive it, one to read the count");
            assertEquals(sent.size(), received, "Tx queue " + queue.queue().queue() + " feeds its own Rx queue");
            for (int i = 0; i < received; i++) {
                assertArrayEquals(sent.get(i), burst.get(i), "frame " + (first + i) + " byte for byte");
                assertEquals(sent.get(i).length, burst.frame(i).remaining());
            }
            bursts++;
        }
        assertEquals(0, queue.receive(), "nothing more came back");
        QueueStats stats = queue.counters().snapshot();
        assertEquals(lengths.size(), stats.txPackets());
        assertEquals(lengths.size(), stats.rxPackets());
        assertEquals(bytes, stats.txBytes());
        assertEquals(bytes, stats.rxBytes());
        assertEquals(bursts, stats.rxBursts());
        assertEquals(1, stats.emptyPolls());
        assertEquals(0, stats.txDropped());
        assertEquals(0, stats.rxRunts());
        assertEquals(0, queue.rxOversize());
        assertEquals(-1, stats.lcore(), "the test's own thread has no lcore id");
    }

    @Test
    @Order(1)
    void framesOfEveryLengthLoopBackByteForByteOneJniCallPerBurst() {
        try (PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 0), pool, BURST, 0)) {
            everyLengthComesBackByteForByte(queue);
        }
        assertEquals(0, pool.inUse(), "every mbuf is back in the pool");
        PortStats portStats = port.stats();
        assertEquals(1501, portStats.rxPackets(), "the port counted what came back");
        assertEquals(1501, portStats.txPackets());
    }

    @Test
    @Order(2)
    void framesLongerThanAnMbufGoOutAsChainsAndComeBackWhole() {
        try (PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 1), smallMbufPool, BURST, 0)) {
            everyLengthComesBackByteForByte(queue);
        }
        assertEquals(0, smallMbufPool.inUse(), "every segment of every chain is back in the pool");
    }

    @Test
    @Order(3)
    void badLengthsAndCountsAreRefusedAndNothingIsSent() {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 2), pool, BURST, 0);
        PacketBurst burst = queue.burst();
        burst.put(0, new byte[60]);
        for (int bad : new int[] {13, 0, -1, burst.slotBytes() + 1}) {
            burst.setLength(1, bad);
            DpdkException e = assertThrows(DpdkException.class, () -> queue.transmit(2));
            assertEquals("EINVAL", e.errnoName().orElseThrow(), e.getMessage());
            assertTrue(e.getMessage().contains("frame 1 of the burst is " + bad + " bytes long: a frame is 14 to "
                    + burst.slotBytes() + " bytes; nothing was sent"), e.getMessage());
        }
        DpdkException tooMany = assertThrows(DpdkException.class, () -> queue.transmit(BURST + 1));
        assertTrue(tooMany.getMessage().contains("33 frames to send on port 0 queue 2, whose burst holds 32"),
                tooMany.getMessage());
        assertThrows(DpdkException.class, () -> queue.transmit(-1));
        assertEquals(0, queue.transmit(0));
        assertEquals(0, queue.receive(), "nothing was sent");
        QueueStats stats = queue.counters().snapshot();
        assertEquals(0, stats.txPackets() + stats.txDropped() + stats.rxPackets());
        assertThrows(IndexOutOfBoundsException.class, () -> burst.setLength(BURST, 60));
        DpdkException twice = assertThrows(DpdkException.class,
                () -> eal.openPacketQueue(new QueueRef(0, 2), pool, BURST, 0));
        assertTrue(twice.getMessage().contains("it is open already"), twice.getMessage());
        assertThrows(DpdkException.class, () -> eal.openPacketQueue(new QueueRef(0, 9), pool, BURST, 0));
        assertThrows(DpdkException.class, () -> eal.openPacketQueue(new QueueRef(0, 3), pool, 513, 0));
        queue.close();
    }

    /* A slot of 256 bytes receiving longer frames: they are dropped and counted, never handed over cut short. */
    @Test
    @Order(4)
    void framesLongerThanASlotAreDroppedAndCounted() {
        PacketQueue sender = eal.openPacketQueue(new QueueRef(0, 3), pool, BURST, 0);
        sender.burst().put(0, new byte[1000]);
        sender.burst().put(1, new byte[100]);
        assertEquals(2, sender.transmit(2));
        sender.close();
        try (PacketQueue receiver = PacketQueue.open(new QueueRef(0, 3), pool, BURST, 256, 0)) {
            assertEquals(1, receiver.receive());
            assertEquals(100, receiver.burst().length(0));
            assertEquals(1, receiver.rxOversize());
            assertEquals(1, receiver.counters().snapshot().rxPackets());
        }
        assertEquals(0, pool.inUse());
    }

    @Test
    @Order(5)
    void onlyOneThreadPollsAQueue() throws InterruptedException {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 0), pool, BURST, 0);
        assertEquals(0, queue.receive());
        AtomicReference<Throwable> other = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                queue.receive();
            } catch (Throwable t) {
                other.set(t);
            }
        }, "intruder");
        thread.start();
        thread.join();
        assertTrue(other.get() instanceof IllegalStateException, String.valueOf(other.get()));
        assertTrue(other.get().getMessage().contains("is polled by thread " + Thread.currentThread().getName()),
                other.get().getMessage());
        queue.close();
    }

    /*
     * A loop on its own thread: frames a short-lived thread sent are bounced back with their MACs
     * swapped and a hop count decremented until it reaches 0, so each frame makes HOPS + 1 trips.
     */
    @Test
    @Order(6)
    void aPacketLoopRunsTheHandlerOnItsOwnRegisteredPinnedThread() throws Exception {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 1), pool, BURST, 0);
        final int frames = 200;
        final int hops = 5;
        Thread injector = new Thread(() -> {
            PacketBurst burst = queue.burst();
            for (int sent = 0; sent < frames; sent += 20) {
                for (int i = 0; i < 20; i++) {
                    byte[] frame = new byte[64];
                    frame[5] = 1; // destination ...:01
                    frame[11] = 2; // source ...:02
                    frame[14] = hops;
                    burst.put(i, frame);
                }
                assertEquals(20, queue.transmit(20));
            }
        }, "injector");
        injector.start();
        injector.join();
        AtomicLong handled = new AtomicLong();
        AtomicLong misdirected = new AtomicLong();
        AtomicReference<String> pollingThread = new AtomicReference<>();
        AtomicReference<Set<Integer>> pollingCpus = new AtomicReference<>();
        PacketHandler bounce = (burst, received) -> {
            pollingThread.set(Thread.currentThread().getName());
            pollingCpus.compareAndSet(null, ThreadAffinity.currentThreadCpus());
            ByteBuffer data = burst.frames();
            int reply = 0;
            for (int i = 0; i < received; i++) {
                int at = burst.offset(i);
                handled.incrementAndGet();
                int hopsLeft = data.get(at + 14);
                // Swapped once per hop so far: an even count leaves the injector's destination.
                if (data.get(at + 5) != ((hops - hopsLeft) % 2 == 0 ? 1 : 2) || burst.length(i) != 64) {
                    misdirected.incrementAndGet();
                }
                if (hopsLeft == 0) {
                    continue;
                }
                int target = burst.offset(reply);
                for (int b = 0; b < 64; b++) {
                    data.put(target + b, data.get(at + b));
                }
                burst.swapMacs(reply);
                data.put(target + 14, (byte) (hopsLeft - 1));
                burst.setLength(reply++, 64);
            }
            return reply;
        };
        PacketLoop loop = eal.launchPacketLoop(1, queue, bounce, IdleStrategy.busySpin());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (handled.get() < (long) frames * (hops + 1) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        QueueStats running = queue.counters().snapshot();
        assertTrue(running.lcore() >= 0 && !eal.workerLcores().contains(running.lcore())
                && running.lcore() != eal.mainLcore(), "the loop's thread has an lcore id of its own: " + running);
        loop.close();
        assertEquals(eal.lcoreCpus(1), pollingCpus.get(), "pinned to lcore 1's CPUs");
        assertEquals("packets-p0q1", pollingThread.get());
        assertEquals(0, misdirected.get(), "every frame arrived as the previous hop sent it");
        assertEquals((long) frames * (hops + 1), handled.get(), "every frame made every hop");
        QueueStats stats = queue.counters().snapshot();
        assertEquals((long) frames * (hops + 1), stats.rxPackets());
        assertEquals((long) frames * (hops + 1), stats.txPackets(), "the injector's frames and every bounce");
        assertEquals(running.lcore(), stats.lcore(), "the final counters keep the lcore that polled");
        assertFalse(loop.isRunning());
        // EAL hands out the lowest free id: a new poller gets the same one only if it was given back.
        PacketLoop next = eal.launchPacketLoop(1, queue, (burst, received) -> 0, IdleStrategy.busySpin());
        assertEquals(running.lcore(), queue.counters().lcore(), "the lcore id is given back when the thread ends");
        next.close();
        queue.close();
        assertEquals(0, pool.inUse());
    }

    @Test
    @Order(7)
    void aHandlersExceptionStopsTheLoopAndSurfacesOnClose() throws InterruptedException {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 2), pool, BURST, 0);
        Thread injector = new Thread(() -> {
            queue.burst().put(0, new byte[60]);
            queue.transmit(1);
        });
        injector.start();
        injector.join();
        PacketLoop loop = eal.launchPacketLoop(1, queue, (burst, received) -> {
            throw new java.io.IOException("the handler's own failure");
        }, IdleStrategy.yielding());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (loop.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(loop.isRunning(), "the failure stopped the loop");
        assertEquals("the handler's own failure", loop.failure().orElseThrow().getMessage());
        IllegalStateException e = assertThrows(IllegalStateException.class, loop::close);
        assertTrue(e.getCause() instanceof java.io.IOException, e.toString());
        loop.close(); // reported once; closing again is harmless
        queue.close();
        assertEquals(0, pool.inUse(), "the received frame's mbuf is back");
    }

    @Test
    @Order(8)
    void afterCloseThePoolHasEveryMbufAndTheQueueRefusesToPoll() {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 3), smallMbufPool, BURST, 0);
        queue.burst().put(0, new byte[1514]);
        assertEquals(1, queue.transmit(1));
        assertEquals(1, queue.receive());
        queue.close();
        queue.close();
        assertThrows(IllegalStateException.class, queue::receive);
        assertEquals(1, queue.counters().snapshot().rxPackets(), "the final counters outlive the native record");
        assertEquals(0, smallMbufPool.inUse());
        assertEquals(smallMbufPool.size(), smallMbufPool.available());
    }
}
