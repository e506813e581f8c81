package io.l2echo.dpdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Rx/Tx queue pair of a started port, polled from Java a burst at a time: for services
 * whose packet logic must live in Java. {@link #receive()} is one JNI call that takes up to a
 * burst of frames off the Rx queue, copies each into a slot of {@link #burst()} and frees the
 * mbufs; {@link #transmit(int)} is one JNI call that copies slots into mbufs of the pool and
 * hands them to the Tx queue. Nothing crosses JNI per packet, but each frame is copied once each
 * way, and the polling thread is a Java thread: GC pauses, safepoints and JIT deoptimisation
 * reach it, as they never reach the native echo's lcores. {@code docs/BENCHMARKS.md} measures
 * what that costs per packet.
 *
 * <p>Opened with {@link Eal#openPacketQueue}, which closes it before the ports and pools; the
 * usual way to poll it is {@link Eal#launchPacketLoop}. One thread polls a queue (DPDK's queues
 * are not thread-safe): the first thread to call {@link #receive()} or {@link #transmit(int)}
 * owns it until it ends, and any other gets an {@link IllegalStateException}. A thread of the
 * caller's own that polls has no lcore id, so mbufs it frees and allocates bypass the pool's
 * per-lcore cache and the queue is not in the {@code /l2echo/lcores} telemetry; a
 * {@link PacketLoop}'s thread registers with EAL ({@code rte_thread_register}) and has both.
 *
 * <p>Counters: {@link #counters()} has the echo's record (rx = frames handed to Java, tx =
 * frames the Tx queue took, tx dropped = frames the Tx queue refused after the retries or the
 * pool had no mbufs for, runts = frames shorter than an Ethernet header, dropped), read from any
 * thread without stopping the poller; {@link #rxOversize()} counts frames longer than a slot,
 * dropped rather than handed over cut short.
 */
public final class PacketQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PacketQueue.class);
    /** The largest burst capacity (the shim's MAX_BURST), checked at load time. */
    public static final int MAX_BURST_CAPACITY = 512;
    /** The largest slot the shim takes, checked at load time. */
    public static final int MAX_SLOT_BYTES = 16384;
    /** A slot of {@link Eal#openPacketQueue}'s bursts: the largest frame at the default MTU (1518 bytes) rounded up to a cache line. */
    public static final int SLOT_BYTES = (Port.LARGEST_FRAME + 63) / 64 * 64;
    /* The packet queue's own record follows the queue_counters one. */
    private static final int BURST_RECORD_OFFSET = QueueCounters.RECORD_SIZE;
    private static final int RX_OVERSIZE_OFFSET = 0;

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
    /* Under lock, once closed. */
    private QueueStats finalStats;
    private long finalRxOversize;

    private PacketQueue(long handle, QueueRef queue, PacketBurst burst, Mempool pool) {
        this.handle = handle;
        this.queue = queue;
        this.burst = burst;
        this.pool = pool;
        this.counterRecords = nativeCounters(handle).order(ByteOrder.nativeOrder());
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
    static PacketQueue open(QueueRef queue, Mempool pool, int burstCapacity, int slotBytes, int txRetries) {
        String operation = "open a packet queue on " + queue;
        if (burstCapacity < 1 || burstCapacity > MAX_BURST_CAPACITY) {
            throw new DpdkException(operation, "burst capacity " + burstCapacity + " is outside 1.."
                    + MAX_BURST_CAPACITY, null);
        }
        PacketBurst burst = PacketBurst.allocate(burstCapacity, slotBytes);
        long handle = NativeErrors.check(nativeCreate(queue.port(), queue.queue(), pool.handle(), burstCapacity,
                slotBytes, txRetries, burst.frames(), burst.lengthBuffer()), operation,
                "start the port first, with at least queue " + queue.queue() + "; a packet queue needs hugepage memory");
        PacketQueue opened = new PacketQueue(handle, queue, burst, pool);
        pool.attach(opened.toString()); // its transmits allocate from the pool: it must outlive the queue
        return opened;
    }

    /** Fails loudly if this class and the shim disagree on the burst counters or limits. */
    static void verifyLayout(int[] nativeLayout) {
        int[] expected = {BURST_RECORD_OFFSET, RX_OVERSIZE_OFFSET, MAX_BURST_CAPACITY, MAX_SLOT_BYTES};
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

    /** The burst's slots: filled by {@link #receive()}, sent by {@link #transmit(int)}. Polling thread only. */
    public PacketBurst burst() {
        return burst;
    }

    /** The queue's counters, readable from any thread while it is polled; final after close. */
    public QueueCounters counters() {
        return counters;
    }

    /** Frames longer than a slot, dropped by {@link #receive()}; final after close. Any thread. */
    public long rxOversize() {
        synchronized (lock) {
            return isClosed() ? finalRxOversize : readRxOversize();
        }
    }

    private long readRxOversize() {
        return (long) LONGS.getAcquire(counterRecords, BURST_RECORD_OFFSET + RX_OVERSIZE_OFFSET);
    }

    /**
     * Polls the Rx queue once: up to {@link PacketBurst#capacity()} frames into slots
     * {@code 0..n-1} of {@link #burst()}, their lengths beside them. Returns {@code n}, 0 when the
     * queue was empty. One JNI call; the mbufs are back in the pool when it returns.
     *
     * @throws IllegalStateException if another thread polls this queue, or it is closed
     */
    public int receive() {
        enter();
        try {
            return nativeReceive(handle);
        } finally {
            exit();
        }
    }

    /**
     * Sends slots {@code 0..n-1} of {@link #burst()}, each {@link PacketBurst#length} bytes long,
     * with the configured Tx retries. Returns how many the Tx queue took; the rest are counted
     * as tx dropped. One JNI call.
     *
     * @throws DpdkException (EINVAL) if {@code n} exceeds the capacity or a length is outside
     *     14..{@link PacketBurst#slotBytes()}; nothing is sent then
     * @throws IllegalStateException if another thread polls this queue, or it is closed
     */
    public int transmit(int n) {
        enter();
        int sent;
        try {
            sent = nativeTransmit(handle, n);
        } finally {
            exit();
        }
        if (sent < 0) { // the message is built on failure only: no garbage per burst
            throw NativeErrors.toException("transmit on " + queue, sent, "set every frame's length to 14.."
                    + burst.slotBytes() + " bytes and send 0 to " + burst.capacity() + " frames");
        }
        return sent;
    }

    /*
     * On the thread that will poll: claims the queue and gives the thread an lcore id
     * (rte_thread_register), so the pool's per-lcore cache serves it and telemetry lists the
     * queue. Returns the lcore id, or -1 when EAL had none to give (the thread then polls without).
     */
    int registerPollingThread() {
        enter();
        try {
            int lcore = nativeRegisterThread(handle);
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
                nativeUnregisterThread(handle); // the counters keep the id, for the final snapshot
            } finally {
                exit();
            }
        } else {
            nativeUnregisterThread(0); // closed: the handle is gone, the lcore id is not
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

    /* Slow path, once per polling thread: a queue outlives a poller that ended, not one that runs. */
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
     * Keeps the final counters and frees the native state, after any receive or transmit in
     * progress on the polling thread has returned; later calls there throw. The queue holds no
     * mbufs between calls, so none are lost. Idempotent, from any thread.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (isClosed()) {
                return;
            }
            while (!STATE.compareAndSet(this, OPEN, CLOSED)) {
                Thread.onSpinWait(); // a burst is in progress: it returns within microseconds
            }
            finalStats = counters.readAcquire();
            finalRxOversize = readRxOversize();
            nativeDestroy(handle);
            pool.detach(toString());
        }
    }

    @Override
    public String toString() {
        return "packet queue on " + queue;
    }

    static native int[] nativeLayout();

    private static native long nativeCreate(int port, int queue, long pool, int burstCapacity, int slotBytes,
            int txRetries, ByteBuffer frames, ByteBuffer lengths);

    private static native int nativeReceive(long handle);

    private static native int nativeTransmit(long handle, int count);

    private static native int nativeRegisterThread(long handle);

    private static native void nativeUnregisterThread(long handle);

    private static native ByteBuffer nativeCounters(long handle);

    private static native void nativeDestroy(long handle);
}
