package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.PacketQueueNatives;
import io.l2echo.dpdk.internal.QueuePoller;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Rx/Tx queue pair of a started port, polled from Java a burst at a time, zero-copy: for
 * services whose packet logic must live in Java. {@link #receive()} is one JNI call that takes up
 * to a burst of frames off the Rx queue and leaves their mbufs with the queue; the handler reads
 * and rewrites each frame where DMA put it, through {@link #burst()}, and gives it a verdict
 * (send, possibly at a new length, or drop); {@link #transmit()} is one JNI call that hands the
 * sent frames to the Tx queue and frees the dropped ones. New frames come from the queue's pool
 * through {@link PacketBurst#allocate(int)}, one call for all a burst needs. Nothing crosses JNI
 * per packet and no frame is copied; the polling thread is still a Java thread: GC pauses,
 * safepoints and JIT deoptimisation reach it, as they never reach the native echo's lcores.
 *
 * <p>The queue's pool must be the one its port's Rx queue receives into: the views Java reads
 * frames through are made once, at open, over that pool's memory. Frames the queue cannot hand
 * over are freed and counted, never handed over in part: runts (shorter than an Ethernet
 * header, {@code rxRunts}), multi-segment frames ({@link #rxChained()}: a scattering PMD, or
 * frames longer than one mbuf; give the pool mbufs big enough for the largest frame), and
 * frames in mbufs of another pool ({@link #rxForeign()}).
 *
 * <p>Opened with {@link Eal#openPacketQueue}; its port owns it and closes it first when the
 * port closes. The usual way to poll it is {@link Eal#launchPacketLoop}, and the queue then owns
 * that loop: closing the queue stops the loop first. One thread polls a queue (DPDK's queues
 * are not thread-safe): the first thread to call {@link #receive()} or {@link #transmit()}
 * owns it until it ends, and any other gets an {@link IllegalStateException}. A thread of the
 * caller's own that polls has no lcore id, so mbufs it frees and allocates bypass the pool's
 * per-lcore cache and the queue is not in the {@code /l2echo/lcores} telemetry; a
 * {@link PacketLoop}'s thread registers with EAL ({@code rte_thread_register}) and has both.
 *
 * <p>Counters: {@link #counters()} has the echo's record (rx = frames handed to Java, tx =
 * frames the Tx queue took, tx dropped = frames the Tx queue refused after the retries, runts),
 * read from any thread without stopping the poller; {@link #handlerDrops()}, {@link #rxChained()},
 * {@link #rxForeign()} and {@link #jniCalls()} are this queue's own. The per-burst calls count
 * themselves here, in the queue's single-writer record, not in the process-wide JNI count:
 * {@link Eal#jniCalls()} adds them in.
 */
public final class PacketQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PacketQueue.class);
    /** The largest burst capacity (the shim's MAX_BURST), checked at load time. */
    public static final int MAX_BURST_CAPACITY = 512;
    /* The packet queue's own record follows the queue_counters one. */
    private static final int BURST_RECORD_OFFSET = QueueCounters.RECORD_SIZE;
    private static final int RX_CHAINED_OFFSET = 0;
    private static final int RX_FOREIGN_OFFSET = 8;
    private static final int HANDLER_DROPS_OFFSET = 16;
    private static final int TRANSMITS_OFFSET = 24;
    private static final int ALLOCATIONS_OFFSET = 32;
    /* The burst record's counters, one long each from offset 0: what close keeps. */
    private static final int BURST_COUNTER_COUNT = ALLOCATIONS_OFFSET / Long.BYTES + 1;

    private static final int OPEN = 0;
    private static final int IN_CALL = 1;
    private static final int CLOSED = 2;
    private static final VarHandle STATE;
    private static final VarHandle POLLER;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(PacketQueue.class, "state", int.class);
            POLLER = lookup.findVarHandle(PacketQueue.class, "poller", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long handle;
    private final QueueRef queue;
    private final PacketBurst burst;
    private final Mempool pool;
    private final ByteBuffer counterRecords;
    private final QueueCounters counters;
    private final Object lock = new Object();
    /* OPEN, IN_CALL while a native call runs (close waits it out), CLOSED: the handle is freed. */
    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    private volatile Thread poller;
    private volatile int pollingLcore = -1;
    /* The loop Eal launched over this queue, if any: the queue stops it before it closes. */
    private volatile PacketLoop loop;
    private final QueuePoller queuePoller = new QueuePoller() {
        @Override
        public void requestStop() {
            PacketLoop polling = loop;
            if (polling != null) {
                polling.requestStop();
            }
        }

        @Override
        public void close() {
            PacketQueue.this.close();
        }

        @Override
        public boolean stillPolls() {
            return !isClosed();
        }

        @Override
        public long jniCalls() {
            return PacketQueue.this.jniCalls();
        }

        @Override
        public String toString() {
            return "a packet queue polled from Java";
        }
    };
    /* Under lock, once closed. */
    private QueueStats finalStats;
    private final long[] finalBurstCounters = new long[BURST_COUNTER_COUNT];

    private PacketQueue(long handle, QueueRef queue, int capacity, Mempool pool) {
        this.handle = handle;
        this.queue = queue;
        this.pool = pool;
        ByteBuffer[] views = PacketQueueNatives.views(handle);
        for (ByteBuffer view : views) {
            view.order(ByteOrder.BIG_ENDIAN); // frames are in network order
        }
        this.burst = new PacketBurst(this, views, PacketQueueNatives.records(handle).order(ByteOrder.nativeOrder()), capacity);
        this.counterRecords = PacketQueueNatives.counters(handle).order(ByteOrder.nativeOrder());
        QueueCounters.Owner owner = new QueueCounters.Owner() {
            @Override
            public int lcore() {
                return pollingLcore;
            }

            @Override
            public QueueStats snapshot(QueueCounters view) {
                synchronized (lock) {
                    return isClosed() ? finalStats : view.readAcquire();
                }
            }
        };
        this.counters = new QueueCounters(owner, counterRecords, 0, queue);
    }

    /** Runs on the main lcore (see {@link Eal#openPacketQueue}). */
    static PacketQueue open(QueueRef queue, Mempool pool, int burstCapacity, int txRetries) {
        String operation = "open a packet queue on " + queue;
        if (burstCapacity < 1 || burstCapacity > MAX_BURST_CAPACITY) {
            throw new DpdkException(operation, "burst capacity " + burstCapacity + " is outside 1.."
                    + MAX_BURST_CAPACITY, null);
        }
        long handle = NativeErrors.check(PacketQueueNatives.create(queue.port(), queue.queue(), pool.handle(), burstCapacity,
                txRetries), operation, "start the port first, with at least queue " + queue.queue()
                + ", and open the queue with the pool its Rx queue receives into; a packet queue needs hugepage memory");
        PacketQueue opened = new PacketQueue(handle, queue, burstCapacity, pool);
        pool.attach(opened.toString()); // its bursts hold mbufs of the pool: it must outlive the queue
        return opened;
    }

    /** Fails loudly if this class and the shim disagree on the burst counters, records or limits. */
    static void verifyLayout(int[] nativeLayout) {
        int[] expected = {BURST_RECORD_OFFSET, RX_CHAINED_OFFSET, RX_FOREIGN_OFFSET, HANDLER_DROPS_OFFSET,
            TRANSMITS_OFFSET, ALLOCATIONS_OFFSET, MAX_BURST_CAPACITY, PacketBurst.RECORD_BYTES};
        if (!Arrays.equals(expected, nativeLayout)) {
            throw new IllegalStateException("the shim's packet queue layout " + Arrays.toString(nativeLayout)
                    + " differs from PacketQueue's " + Arrays.toString(expected)
                    + ": the jar and libdpdkj.so come from different builds");
        }
    }

    /** The port and queue this polls. */
    public QueueRef queue() {
        return queue;
    }

    /** The current burst's frames, read and written in place. Polling thread only. */
    public PacketBurst burst() {
        return burst;
    }

    /** The queue's counters, readable from any thread while it is polled; final after close. */
    public QueueCounters counters() {
        return counters;
    }

    /** Multi-segment frames received and freed, never handed to Java; final after close. Any thread. */
    public long rxChained() {
        return burstCounter(RX_CHAINED_OFFSET);
    }

    /** Frames received in mbufs of another pool than the queue's, freed; final after close. Any thread. */
    public long rxForeign() {
        return burstCounter(RX_FOREIGN_OFFSET);
    }

    /** Frames freed at transmit without a send verdict (or in a burst transmit refused); final after close. */
    public long handlerDrops() {
        return burstCounter(HANDLER_DROPS_OFFSET);
    }

    /**
     * The JNI calls this queue's bursts made: every receive, transmit and allocate. They are not
     * in the shim's process-wide count (no shared write per poll); {@link Eal#jniCalls()} adds
     * them in. Final after close; any thread.
     */
    public long jniCalls() {
        QueueStats stats = counters.snapshot();
        return stats.rxBursts() + stats.emptyPolls() + burstCounter(TRANSMITS_OFFSET)
                + burstCounter(ALLOCATIONS_OFFSET);
    }

    private long burstCounter(int offset) {
        synchronized (lock) {
            return isClosed() ? finalBurstCounters[offset / Long.BYTES] : readBurstCounter(offset);
        }
    }

    private long readBurstCounter(int offset) {
        return (long) LONGS.getAcquire(counterRecords, BURST_RECORD_OFFSET + offset);
    }

    /**
     * Polls the Rx queue once: up to {@link PacketBurst#capacity()} frames, now slots
     * {@code 0..n-1} of {@link #burst()}, all with verdict drop. Returns {@code n}, 0 when the
     * queue was empty (then no burst is held). One JNI call; the frames' mbufs stay with the
     * queue until {@link #transmit()}.
     *
     * @throws IllegalStateException if the previous burst was not transmitted yet, another
     *     thread polls this queue, or it is closed
     */
    public int receive() {
        enter();
        try {
            if (burst.isHeld()) {
                throw new IllegalStateException(this + " still holds a burst of " + burst.size()
                        + " frames: transmit() it (sending or dropping each) before receiving the next");
            }
            int received = PacketQueueNatives.receive(handle);
            if (received < 0) {
                throw NativeErrors.toException("receive on " + queue, received, "transmit the burst held first");
            }
            burst.begin(received);
            return received;
        } finally {
            exit();
        }
    }

    /**
     * Ends the burst: the frames with a send verdict go to the Tx queue at their lengths (with
     * the configured Tx retries; what it still refuses is counted as tx dropped and freed), the
     * others are freed. Returns how many the Tx queue took. One JNI call; none when no burst is
     * held. Afterwards no frame of the burst is the caller's, whether it succeeded or threw.
     *
     * @throws DpdkException (EINVAL) if a frame to send is shorter than an Ethernet header (14
     *     bytes) or longer than its room; the whole burst is then dropped, nothing sent
     * @throws IllegalStateException if another thread polls this queue, or it is closed
     */
    public int transmit() {
        enter();
        int sent;
        try {
            if (!burst.isHeld()) {
                return 0;
            }
            sent = PacketQueueNatives.transmit(handle);
        } finally {
            burst.end();
            exit();
        }
        if (sent < 0) { // the message is built on failure only: no garbage per burst
            throw NativeErrors.toException("transmit on " + queue, sent, "set every sent frame's length to 14 "
                    + "bytes or more, within its room (PacketBurst.room)");
        }
        return sent;
    }

    /* PacketBurst.allocate: the first new slot, -1 when the pool is dry. */
    int allocate(int count) {
        enter();
        int first;
        try {
            first = PacketQueueNatives.allocate(handle, count);
        } finally {
            exit();
        }
        if (first < 0) {
            if ("ENOBUFS".equals(NativeErrors.name(-first))) {
                return -1;
            }
            throw NativeErrors.toException("allocate " + count + " frames on " + queue, first,
                    "allocate at most capacity - size() frames per burst");
        }
        return first;
    }

    /*
     * Tests only: chains the burst's last frame onto frame `head`, as a scattering PMD delivers a
     * frame longer than one mbuf; sent so, it comes back chained on net_ring.
     */
    void chainLastOnto(int head) {
        enter();
        try {
            NativeErrors.check(PacketQueueNatives.chain(handle, head), "chain frames on " + queue, "a burst of two frames or more");
            burst.shrink();
        } finally {
            exit();
        }
    }

    /* What the queue's port knows it as. */
    QueuePoller asQueuePoller() {
        return queuePoller;
    }

    /* Eal.launchPacketLoop, before the loop starts: from now on close stops it first. */
    void pollWith(PacketLoop packetLoop) {
        synchronized (lock) {
            if (isClosed()) {
                throw new IllegalStateException(this + " is closed");
            }
            PacketLoop current = loop;
            if (current != null && !current.isClosed()) {
                throw new DpdkException("launch a packet loop on " + queue, "thread " + current.threadName()
                        + " polls it", "one loop a queue: close that loop first");
            }
            loop = packetLoop;
        }
    }

    /* The thread that polls, or null before the first call. */
    Thread poller() {
        return poller;
    }

    /*
     * On the thread that will poll: claims the queue and gives the thread an lcore id
     * (rte_thread_register), so the pool's per-lcore cache serves it and telemetry lists the
     * queue. Returns the lcore id, or -1 when EAL had none to give (the thread then polls without).
     */
    int registerPollingThread() {
        enter();
        try {
            int lcore = PacketQueueNatives.registerThread(handle);
            if (lcore < 0) {
                LOG.warn("{}: {} ({}): mbufs bypass the pool's per-lcore cache", this, NativeErrors.lastMessage(),
                        NativeErrors.text(-lcore));
                return -1;
            }
            pollingLcore = lcore;
            return lcore;
        } finally {
            exit();
        }
    }

    /* On the same thread, before it ends: releases the lcore id, whether or not the queue is still open. */
    void unregisterPollingThread() {
        if (STATE.compareAndSet(this, OPEN, IN_CALL)) {
            try {
                PacketQueueNatives.unregisterThread(handle); // the counters keep the id, for the final snapshot
            } finally {
                exit();
            }
        } else {
            PacketQueueNatives.unregisterThread(0); // closed: the handle is gone, the lcore id is not
        }
    }

    private void enter() {
        if (poller != Thread.currentThread()) {
            claim();
        }
        if (!STATE.compareAndSet(this, OPEN, IN_CALL)) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private void exit() {
        STATE.setRelease(this, OPEN);
    }

    /*
     * Slow path, once per polling thread: a queue outlives a poller that ended, not one that runs.
     * A burst held by a poller that ended (a handler that failed) is the new poller's to transmit.
     */
    private void claim() {
        Thread current = Thread.currentThread();
        Thread previous = poller;
        if ((previous != null && previous.isAlive()) || !POLLER.compareAndSet(this, previous, current)) {
            throw new IllegalStateException(this + " is polled by thread " + poller.getName()
                    + ": one thread polls a queue, DPDK's Rx and Tx queues are not thread-safe");
        }
    }

    /** Whether {@link #close()} ran: the native state is freed and polling throws. */
    public boolean isClosed() {
        return (int) STATE.getVolatile(this) == CLOSED;
    }

    /**
     * Stops the {@link PacketLoop} that polls the queue, if one does (throwing what stopped its
     * handler, once the queue is closed); then keeps the final counters, frees the frames of a
     * burst still held (a handler that failed, a transmit never called) and the native state,
     * after any call in progress on the polling thread has returned; later calls there throw. A
     * loop whose handler does not return leaves the queue open, and its failure is thrown. In checked mode
     * ({@link PacketBurst#checked()}) it also proves, by the pool's in-use count, that every mbuf
     * the queue held went back, and throws if not. Idempotent, from any thread.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (isClosed()) {
                return;
            }
            RuntimeException handlerFailure = stopLoop();
            while (!STATE.compareAndSet(this, OPEN, CLOSED)) {
                Thread.onSpinWait(); // a burst is in progress: it returns within microseconds
            }
            finalStats = counters.readAcquire();
            for (int i = 0; i < BURST_COUNTER_COUNT; i++) {
                finalBurstCounters[i] = readBurstCounter(i * Long.BYTES);
            }
            int inUseBefore = PacketBurst.checked() ? pool.inUse() : 0;
            burst.release();
            int freed = PacketQueueNatives.destroy(handle);
            int inUseAfter = PacketBurst.checked() ? pool.inUse() : 0;
            pool.detach(toString());
            if (freed != 0) {
                LOG.warn("{}: closed holding a burst of {} frames (a handler failed, or transmit() was not called): "
                        + "freed", this, freed);
            }
            if (PacketBurst.checked() && inUseBefore - inUseAfter != freed) {
                throw new IllegalStateException(this + " held " + freed + " mbufs at close, but pool " + pool.name()
                        + "'s in-use count went from " + inUseBefore + " to " + inUseAfter
                        + ": mbufs were lost or freed twice (is another thread using the pool?)");
            }
            if (handlerFailure != null) {
                throw handlerFailure;
            }
        }
    }

    /* Stops the loop polling the queue; what its handler threw comes back to be thrown once the queue is closed. */
    private RuntimeException stopLoop() {
        PacketLoop polling = loop;
        if (polling == null) {
            return null;
        }
        try {
            polling.close();
            return null;
        } catch (RuntimeException e) {
            if (!polling.isClosed()) {
                throw e; // its thread may still be in the handler, holding the burst
            }
            return e;
        }
    }

    @Override
    public String toString() {
        return "packet queue on " + queue;
    }
}
