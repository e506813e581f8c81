package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.ThreadAffinity;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Zero-copy bursts on real DPDK, in this JVM: a {@code net_ring} port, whose Tx queue N feeds its
 * Rx queue N, so every frame a queue sends comes back to it, in the very mbuf it was sent in
 * ({@link NetRingFixture}, with four queues and a second pool of small mbufs of its own).
 * Its own EAL (surefire forks a JVM per test class in this module), with checked bursts on
 * ({@code io.l2echo.dpdk.checkedBursts}, set in this module's surefire configuration).
 */
@Tag("dpdk")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PacketQueueDpdkTest {
    private static final int BURST = 32;
    /* Mbufs whose room is 512 bytes. */
    private static final int SMALL_MBUF_BYTES = 512;

    @RegisterExtension
    static final NetRingFixture RING = NetRingFixture.named("pq").queues(4);
    private static Eal eal;
    private static Mempool pool;
    private static Mempool smallMbufPool;
    private static Port port;

    @BeforeAll
    static void start() {
        eal = RING.eal();
        pool = RING.pool();
        port = RING.port();
        smallMbufPool = eal.createMempool("pq_small", 4095, 64, SMALL_MBUF_BYTES + Mempool.HEADROOM, 0);
    }

    /* Sends these frames from new mbufs of the queue's pool, in one burst; returns how many Tx took. */
    private static int send(PacketQueue queue, List<byte[]> frames) {
        PacketBurst burst = queue.burst();
        int first = burst.allocate(frames.size());
        assertEquals(0, first, "a new burst starts at slot 0");
        for (int i = 0; i < frames.size(); i++) {
            burst.put(first + i, frames.get(i));
            burst.send(first + i);
        }
        return queue.transmit();
    }

    private static byte[] randomFrame(SplittableRandom random, int length) {
        byte[] frame = new byte[length];
        random.nextBytes(frame);
        return frame;
    }

    @Test
    @Order(0)
    void checkedModeIsOnForTheseTests() {
        assertTrue(PacketBurst.checked(), "surefire sets -D" + PacketBurst.CHECKED_PROPERTY + "=true for this module");
    }

    /* Every length from 14 to 1514 bytes, random bytes, in bursts: what goes out comes back unchanged. */
    @Test
    @Order(1)
    void framesOfEveryLengthLoopBackByteForByteOneJniCallPerBurstEachWay() {
        try (PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 0), pool, BURST, 0)) {
            PacketBurst burst = queue.burst();
            SplittableRandom random = new SplittableRandom(7);
            List<byte[]> frames = new ArrayList<>();
            for (int length = 14; length <= 1514; length++) {
                frames.add(randomFrame(random, length));
            }
            long bytes = 0;
            int bursts = 0;
            long processWideBefore = NativeErrors.jniCalls();
            for (int first = 0; first < frames.size(); first += BURST) {
                List<byte[]> sent = frames.subList(first, Math.min(first + BURST, frames.size()));
                long before = queue.jniCalls();
                assertEquals(sent.size(), send(queue, sent), "net_ring's ring takes a whole burst");
                int received = queue.receive();
                assertEquals(3, queue.jniCalls() - before, "allocate, transmit, receive: one JNI call each");
                assertEquals(sent.size(), received, "Tx queue 0 feeds its own Rx queue");
                assertEquals(received, burst.size());
                assertEquals(received, burst.received());
                for (int i = 0; i < received; i++) {
                    assertArrayEquals(sent.get(i), burst.copy(i), "frame " + (first + i) + " byte for byte");
                    assertEquals(sent.get(i).length, burst.length(i));
                    assertEquals(Mempool.DEFAULT_DATA_ROOM_SIZE - Mempool.HEADROOM, burst.room(i));
                    assertFalse(burst.isSent(i), "a received frame is dropped unless sent");
                    bytes += sent.get(i).length;
                }
                assertEquals(0, queue.transmit(), "every verdict was drop: nothing sent, all freed");
                bursts++;
            }
            long processWideAfter = NativeErrors.jniCalls();
            assertTrue(processWideAfter - processWideBefore < 10, processWideAfter - processWideBefore + " calls for "
                    + bursts + " bursts: the process-wide count moves only for its own read and the log drainer's "
                    + "calls (one a second); the burst calls count in the queue's record");
            long queueCalls = queue.jniCalls();
            long total = eal.jniCalls(); // reads the process-wide count once more, and adds the queue's
            assertTrue(total - queueCalls - processWideAfter >= 1 && total - queueCalls - processWideAfter < 5,
                    "Eal.jniCalls() is the process-wide count plus the queue's " + queueCalls + ": " + total);
            long busyBeforeEmptyPoll = queue.counters().snapshot().busyCycles();
            assertEquals(0, queue.receive(), "nothing more came back");
            assertEquals(0, queue.transmit(), "no burst held: nothing to do, no JNI call");
            QueueStats stats = queue.counters().snapshot();
            assertTrue(busyBeforeEmptyPoll > 0, "every burst counts its cycles, rx to tx");
            assertEquals(busyBeforeEmptyPoll, stats.busyCycles(), "an empty poll adds none");
            assertEquals(frames.size(), stats.txPackets());
            assertEquals(frames.size(), stats.rxPackets());
            assertEquals(bytes, stats.txBytes());
            assertEquals(bytes, stats.rxBytes());
            assertEquals(bursts, stats.rxBursts());
            assertEquals(1, stats.emptyPolls());
            assertEquals(0, stats.txDropped());
            assertEquals(0, stats.rxRunts());
            assertEquals(frames.size(), queue.handlerDrops());
            assertEquals(0, queue.rxChained() + queue.rxForeign());
            assertEquals(4L * bursts + 1, queue.jniCalls(),
                    "per burst allocate and transmit to send, receive and transmit to drop; and the empty poll");
            assertEquals(-1, stats.lcore(), "the test's own thread has no lcore id");
        }
        assertEquals(0, pool.inUse(), "every mbuf is back in the pool");
        PortStats portStats = port.stats();
        assertEquals(1501, portStats.rxPackets(), "the port counted what came back");
        assertEquals(1501, portStats.txPackets());
    }

    /*
     * The handler's part, by hand: frames rewritten where they are, lengths changed both ways
     * within the room, half sent and half dropped; what comes back is what was written.
     */
    @Test
    @Order(2)
    void framesAreRewrittenInPlaceResizedWithinTheirRoomAndSentOrDropped() {
        try (PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 1), pool, BURST, 0)) {
            PacketBurst burst = queue.burst();
            SplittableRandom random = new SplittableRandom(11);
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                frames.add(randomFrame(random, 100));
            }
            assertEquals(BURST, send(queue, frames));
            assertEquals(BURST, queue.receive());
            List<byte[]> expected = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                int length = i % 4 == 0 ? 60 : 100 + 50 * i; // shorter, or longer: up to 1650 of a room of 2048
                byte[] frame = Arrays.copyOf(frames.get(i), length);
                for (int b = 100; b < length; b++) {
                    frame[b] = (byte) (b * 31 + i);
                    burst.putByte(i, b, frame[b]); // bytes beyond the received length, within the room
                }
                burst.swapMacs(i);
                byte[] destination = Arrays.copyOfRange(frame, 0, 6);
                System.arraycopy(frame, 6, frame, 0, 6);
                System.arraycopy(destination, 0, frame, 6, 6);
                burst.putInt(i, 20, 0x0a000000 + i);
                frame[20] = 0x0a;
                frame[21] = 0;
                frame[22] = 0;
                frame[23] = (byte) i;
                burst.putLong(i, 30, 0x1122334455667788L);
                assertEquals(0x1122334455667788L, burst.getLong(i, 30));
                ByteBuffer.wrap(frame).putLong(30, 0x1122334455667788L); // network order
                burst.putShort(i, 12, (short) 0x88b5);
                frame[12] = (byte) 0x88;
                frame[13] = (byte) 0xb5;
                burst.setLength(i, length);
                if (i % 2 == 0) {
                    burst.send(i);
                    expected.add(frame);
                } else {
                    burst.drop(i);
                }
            }
            assertEquals(BURST / 2, queue.transmit());
            assertEquals(BURST / 2, queue.receive(), "the sent half came back");
            for (int i = 0; i < BURST / 2; i++) {
                assertArrayEquals(expected.get(i), burst.copy(i), "frame " + i + " as rewritten");
                assertEquals((short) 0x88b5, burst.getShort(i, 12));
                assertEquals(0x0a000000 + 2 * i, burst.getInt(i, 20));
                int last = expected.get(i).length - 1;
                assertEquals(expected.get(i)[last], burst.getByte(i, last));
            }
            assertEquals(0, queue.transmit());
            assertEquals(BURST / 2 + BURST / 2, queue.handlerDrops(), "the dropped half, then the returned half");
            assertEquals(0, queue.counters().snapshot().txDropped());
        }
        assertEquals(0, pool.inUse());
    }

    /* A frame of two mbufs, as a scattering PMD delivers: refused, freed, counted, never handed to Java. */
    @Test
    @Order(3)
    void chainedFramesAreRefusedFreedAndCounted() {
        try (PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 2), smallMbufPool, BURST, 0)) {
            PacketBurst burst = queue.burst();
            assertEquals(0, burst.allocate(3));
            for (int i = 0; i < 3; i++) {
                burst.put(i, new byte[400]);
                burst.putByte(i, 0, (byte) i);
                burst.send(i);
            }
            queue.chainLastOnto(0); // frame 0 is now 800 bytes in two mbufs
            assertEquals(2, burst.size());
            assertEquals(2, queue.transmit());
            assertEquals(1, queue.receive(), "the single-segment frame only");
            assertEquals(1, burst.getByte(0, 0), "frame 1, the one that was not chained");
            assertEquals(400, burst.length(0));
            assertEquals(0, queue.transmit());
            assertEquals(1, queue.rxChained());
            assertEquals(1, queue.counters().snapshot().rxPackets(), "frames handed to Java");
        }
        assertEquals(0, smallMbufPool.inUse(), "both segments of the chain are back");
    }

    /* Frames arriving in mbufs of a pool the queue has no view of are freed and counted. */
    @Test
    @Order(4)
    void framesOfAnotherPoolAreRefusedFreedAndCounted() {
        PacketQueue sender = eal.openPacketQueue(new QueueRef(0, 3), pool, BURST, 0);
        assertEquals(2, send(sender, List.of(new byte[60], new byte[60])));
        sender.close();
        try (PacketQueue receiver = eal.openPacketQueue(new QueueRef(0, 3), smallMbufPool, BURST, 0)) {
            assertEquals(0, receiver.receive(), "no view of pq_pool's memory: nothing handed over");
            assertFalse(receiver.burst().isHeld());
            assertEquals(2, receiver.rxForeign());
            assertEquals(1, receiver.counters().snapshot().rxBursts(), "a poll that found frames");
        }
        assertEquals(0, pool.inUse());
        assertEquals(0, smallMbufPool.inUse());
    }

    @Test
    @Order(5)
    void badLengthsAndCountsAreRefusedAndNothingLeaks() {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 2), smallMbufPool, BURST, 0);
        PacketBurst burst = queue.burst();
        assertEquals(0, burst.allocate(2));
        int room = burst.room(0);
        assertEquals(SMALL_MBUF_BYTES, room);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> burst.setLength(0, room + 1));
        assertTrue(tooLong.getMessage().contains("length 513 for frame 0 is beyond its mbuf's room of 512 bytes"),
                tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> burst.setLength(0, -1));
        burst.setLength(0, room); // the whole room is fine
        DpdkException tooMany = assertThrows(DpdkException.class, () -> burst.allocate(BURST - 1));
        assertEquals("EINVAL", tooMany.errnoName().orElseThrow());
        assertTrue(tooMany.getMessage().contains("31 new frames asked for on port 0 queue 2, whose burst holds 2 of 32"),
                tooMany.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class, queue::receive);
        assertTrue(twice.getMessage().contains("still holds a burst of 2 frames: transmit() it"), twice.getMessage());
        burst.put(1, new byte[13]); // a runt
        burst.send(0);
        burst.send(1);
        DpdkException runt = assertThrows(DpdkException.class, queue::transmit);
        assertEquals("EINVAL", runt.errnoName().orElseThrow());
        assertTrue(runt.getMessage().contains("frame 1 of the burst on port 0 queue 2 is 13 bytes long, and its mbuf "
                + "holds 14 to 512: the whole burst of 2 was dropped"), runt.getMessage());
        assertFalse(burst.isHeld(), "the burst ended: its frames are back in the pool");
        assertEquals(0, smallMbufPool.inUse());
        assertEquals(0, queue.receive(), "nothing was sent");
        QueueStats stats = queue.counters().snapshot();
        assertEquals(0, stats.txPackets() + stats.txDropped() + stats.rxPackets());
        assertEquals(2, queue.handlerDrops());
        DpdkException open = assertThrows(DpdkException.class,
                () -> eal.openPacketQueue(new QueueRef(0, 2), pool, BURST, 0));
        assertTrue(open.getMessage().contains("queue 2 of port 0 (net_ring0) is polled by a packet queue"),
                open.getMessage());
        assertThrows(DpdkException.class, () -> eal.openPacketQueue(new QueueRef(0, 9), pool, BURST, 0));
        assertThrows(DpdkException.class, () -> eal.openPacketQueue(new QueueRef(0, 3), pool, 513, 0));
        queue.close();
    }

    /* Checked mode: each way a handler can misuse memory that is not, or no longer, its own. */
    @Test
    @Order(6)
    void checkedModeNamesEveryMisuseOfTheBurst() throws InterruptedException {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 0), pool, BURST, 0);
        PacketBurst burst = queue.burst();
        assertEquals(3, send(queue, List.of(new byte[64], new byte[64], new byte[64])));
        assertEquals(3, queue.receive());

        IndexOutOfBoundsException noSuchSlot = assertThrows(IndexOutOfBoundsException.class, () -> burst.send(3));
        assertTrue(noSuchSlot.getMessage().contains("slot 3 does not exist: the burst on packet queue on port 0 queue 0 "
                + "holds 3 frames (slots 0..2)"), noSuchSlot.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> burst.drop(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> burst.getByte(BURST - 1, 0));
        IndexOutOfBoundsException pastRoom = assertThrows(IndexOutOfBoundsException.class,
                () -> burst.putInt(0, 2046, 1));
        assertTrue(pastRoom.getMessage().contains("bytes 2046..2049 of frame 0 are beyond its mbuf's room of 2048 bytes"),
                pastRoom.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> burst.getBytes(0, -1, new byte[4], 0, 4));
        burst.putShort(0, 2046, (short) 1); // the room's last two bytes are the frame's

        AtomicReference<Throwable> fromOther = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                burst.getByte(0, 0);
            } catch (Throwable t) {
                fromOther.set(t);
            }
        }, "not-the-poller");
        other.start();
        other.join();
        assertTrue(fromOther.get() instanceof IllegalStateException, String.valueOf(fromOther.get()));
        assertTrue(fromOther.get().getMessage().contains("used from thread not-the-poller, and belongs to its polling "
                + "thread " + Thread.currentThread().getName()), fromOther.get().getMessage());

        burst.send(1);
        assertEquals(1, queue.transmit());
        IllegalStateException afterReturn = assertThrows(IllegalStateException.class, () -> burst.getByte(0, 0));
        assertTrue(afterReturn.getMessage().contains("no burst is held on packet queue on port 0 queue 0: a frame "
                + "belongs to the handler from receive() (or allocate()) until transmit()"), afterReturn.getMessage());
        assertThrows(IllegalStateException.class, () -> burst.send(0));
        assertThrows(IllegalStateException.class, () -> burst.length(0));

        assertEquals(1, queue.receive(), "the one frame sent");
        queue.close(); // with the burst held: close frees it, and proves it by the pool's count
        IllegalStateException afterClose = assertThrows(IllegalStateException.class, () -> burst.copy(0));
        assertTrue(afterClose.getMessage().contains("is closed: its frames went back to the pool"),
                afterClose.getMessage());
        assertEquals(0, pool.inUse());
    }

    @Test
    @Order(7)
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
     * swapped and a hop count decremented, in place, until it reaches 0 and the handler drops
     * them, so each frame makes HOPS + 1 trips. Now and then the handler adds a new frame.
     */
    @Test
    @Order(8)
    void aPacketLoopRunsTheHandlerOnItsOwnRegisteredPinnedThread() throws Exception {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 1), pool, BURST, 0);
        final int frames = 200;
        final int hops = 5;
        Thread injector = new Thread(() -> {
            for (int sent = 0; sent < frames; sent += 20) {
                List<byte[]> burst = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    byte[] frame = new byte[64];
                    frame[5] = 1; // destination ...:01
                    frame[11] = 2; // source ...:02
                    frame[14] = hops;
                    burst.add(frame);
                }
                assertEquals(20, send(queue, burst));
            }
        }, "injector");
        injector.start();
        injector.join();
        AtomicLong handled = new AtomicLong();
        AtomicLong misdirected = new AtomicLong();
        AtomicLong added = new AtomicLong();
        AtomicLong addedSent = new AtomicLong();
        AtomicReference<String> pollingThread = new AtomicReference<>();
        AtomicReference<Set<Integer>> pollingCpus = new AtomicReference<>();
        PacketHandler bounce = burst -> {
            pollingThread.set(Thread.currentThread().getName());
            pollingCpus.compareAndSet(null, ThreadAffinity.currentThreadCpus());
            int received = burst.size();
            int lastHops = 0;
            for (int i = 0; i < received; i++) {
                if (burst.length(i) == 65) { // a frame the handler added: counted, not bounced
                    added.incrementAndGet();
                    continue;
                }
                handled.incrementAndGet();
                int hopsLeft = burst.getByte(i, 14);
                // Swapped once per hop so far: an even count leaves the injector's destination.
                if (burst.getByte(i, 5) != ((hops - hopsLeft) % 2 == 0 ? 1 : 2) || burst.length(i) != 64) {
                    misdirected.incrementAndGet();
                }
                if (hopsLeft == 0) {
                    lastHops++;
                    continue; // dropped
                }
                burst.swapMacs(i);
                burst.putByte(i, 14, (byte) (hopsLeft - 1));
                burst.send(i);
            }
            // One new frame for a burst that ended frames, room permitting: it comes back once, then is dropped.
            if (lastHops > 0 && burst.size() < burst.capacity()) {
                int slot = burst.allocate(1);
                if (slot >= 0) {
                    burst.setLength(slot, 65);
                    burst.send(slot);
                    addedSent.incrementAndGet();
                }
            }
        };
        PacketLoop loop = eal.launchPacketLoop(1, queue, bounce, IdleStrategy.busySpin());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((handled.get() < (long) frames * (hops + 1) || added.get() < addedSent.get())
                && System.nanoTime() < deadline) {
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
        assertEquals((long) frames * (hops + 1) + added.get(), stats.rxPackets());
        assertEquals((long) frames * (hops + 1) + added.get(), stats.txPackets(),
                "the injector's frames, every bounce and every frame added");
        assertEquals(frames + added.get(), queue.handlerDrops(), "each frame at its last hop, and the added ones");
        assertTrue(added.get() > 0, "the handler added frames");
        assertEquals(running.lcore(), stats.lcore(), "the final counters keep the lcore that polled");
        assertFalse(loop.isRunning());
        // EAL hands out the lowest free id: a new poller gets the same one only if it was given back.
        PacketLoop next = eal.launchPacketLoop(1, queue, burst -> { }, IdleStrategy.busySpin());
        assertEquals(running.lcore(), queue.counters().lcore(), "the lcore id is given back when the thread ends");
        next.close();
        queue.close();
        assertEquals(0, pool.inUse());
    }

    @Test
    @Order(9)
    void aHandlersExceptionStopsTheLoopFreesTheBurstAndSurfacesOnClose() throws InterruptedException {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 2), pool, BURST, 0);
        Thread injector = new Thread(() -> assertEquals(1, send(queue, List.of(new byte[60]))));
        injector.start();
        injector.join();
        PacketLoop loop = eal.launchPacketLoop(1, queue, burst -> {
            burst.send(0); // half-done: the failure must not let it out
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
        assertEquals(1, queue.counters().snapshot().txPackets(),
                "the injector's frame only: the one the failed handler sent stayed in");
        assertEquals(1, queue.counters().snapshot().rxPackets());
        assertEquals(1, queue.handlerDrops());
        assertEquals(0, pool.inUse(), "the received frame's mbuf is back before the queue closes");
        queue.close();
    }

    @Test
    @Order(10)
    void afterCloseThePoolHasEveryMbufAndTheQueueRefusesToPoll() {
        PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 3), smallMbufPool, BURST, 0);
        assertEquals(1, send(queue, List.of(new byte[512])));
        assertEquals(1, queue.receive());
        assertEquals(1, smallMbufPool.inUse(), "the burst holds its frame");
        queue.close();
        queue.close();
        assertThrows(IllegalStateException.class, queue::receive);
        assertEquals(1, queue.counters().snapshot().rxPackets(), "the final counters outlive the native record");
        assertEquals(3, queue.jniCalls(), "and the final count of its calls");
        assertEquals(0, smallMbufPool.inUse());
        assertEquals(smallMbufPool.size(), smallMbufPool.available());
    }

    /* docs/embedding.md's worked handler, the same code without its comments: answers ARP requests for one address, drops the rest. */
    static final class ArpResponder implements PacketHandler {
        private final int ip;
        private final long mac;
        private final byte[] requester = new byte[10];

        ArpResponder(int ip, long mac) {
            this.ip = ip;
            this.mac = mac;
        }

        @Override
        public void onBurst(PacketBurst burst) {
            for (int i = 0; i < burst.size(); i++) {
                if (burst.length(i) < 42 || burst.getShort(i, 12) != 0x0806
                        || burst.getShort(i, 20) != 1 || burst.getInt(i, 38) != ip) {
                    continue;
                }
                burst.getBytes(i, 22, requester, 0, 10);
                burst.putShort(i, 20, (short) 2);
                burst.putBytes(i, 32, requester, 0, 10);
                burst.putShort(i, 22, (short) (mac >>> 32));
                burst.putInt(i, 24, (int) mac);
                burst.putInt(i, 28, ip);
                burst.putBytes(i, 0, requester, 0, 6);
                burst.putShort(i, 6, (short) (mac >>> 32));
                burst.putInt(i, 8, (int) mac);
                burst.setLength(i, 42);
                burst.send(i);
            }
        }
    }

    private static byte[] hex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    @Test
    @Order(11)
    void theDocumentedArpResponderAnswersItsOwnAddressAndDropsTheRest() throws Exception {
        // Ethernet broadcast from 02:00:00:00:00:01, ARP request: who has 10.9.9.9? tell 10.9.9.1; padded to 60.
        byte[] request = Arrays.copyOf(hex("ffffffffffff020000000001" + "0806" + "0001080006040001"
                + "020000000001" + "0a090901" + "000000000000" + "0a090909"), 60);
        byte[] otherAddress = request.clone();
        otherAddress[41] = 8; // who has 10.9.9.8?
        byte[] notArp = request.clone();
        notArp[13] = 0x00; // EtherType 0x0800
        try (PacketQueue queue = eal.openPacketQueue(new QueueRef(0, 3), pool, BURST, 0)) {
            assertEquals(3, send(queue, List.of(otherAddress, request, notArp)));
            assertEquals(3, queue.receive());
            new ArpResponder(0x0a090909, 0x020000000009L).onBurst(queue.burst());
            assertEquals(1, queue.transmit(), "one reply, two frames dropped");
            assertEquals(1, queue.receive());
            byte[] reply = hex("020000000001" + "020000000009" + "0806" + "0001080006040002"
                    + "020000000009" + "0a090909" + "020000000001" + "0a090901");
            assertArrayEquals(reply, queue.burst().copy(0), "the reply, 42 bytes, rewritten where the request lay");
            assertEquals(0, queue.transmit());
            assertEquals(3, queue.handlerDrops());
        }
        assertEquals(0, pool.inUse());
    }
}
