package io.l2echo.apps.gen;

import io.l2echo.dpdk.Eal;
import io.l2echo.dpdk.Mempool;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.dpdk.internal.EalAccess;
import io.l2echo.dpdk.internal.GeneratorNatives;
import io.l2echo.dpdk.internal.LcoreLoop;
import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.NativeLifecycle;
import io.l2echo.dpdk.internal.QueuePoller;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * One lcore sending stamped UDP frames on a queue and timing their echoes on the same queue.
 * The loop is native; Java launches it, reads its counters while it runs, and once it is done
 * turns the per-frame round trips into an HdrHistogram. Counter layout, as the shim's:
 *
 * <pre>
 *   0 tx_packets   8 tx_failed   16 rx_packets    24 rx_echoes
 *  32 rx_duplicates 40 rx_reordered 48 rx_foreign 56 done   64 send_ns   72 rx_corrupted
 *  80..127 padding
 * </pre>
 */
public final class TrafficGenerator implements AutoCloseable {
    private static final int RECORD_SIZE = 128;
    private static final int[] OFFSETS = {0, 8, 16, 24, 32, 40, 48, 56, 64, 72};
    private static final int SEQUENCE_OFFSET = 42;
    private static final int TSC_OFFSET = 50;
    private static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    /** Round trips above an hour are not round trips. */
    private static final long HIGHEST_TRACKABLE_NANOS = 3_600_000_000_000L;

    private final GeneratorConfig config;
    private final long handle;
    private final ByteBuffer counters;
    private final long stopTimeoutMillis;
    private final Runnable releasePool;
    /* Counter reads run inside it; finish frees the handle once they are out. */
    private final NativeLifecycle lifecycle;
    private final Object lock = new Object();
    private LcoreLoop loop;
    /* Published before the lifecycle closes: a read refused from then on finds it. */
    private volatile GeneratorResult result;
    private boolean closed;

    private TrafficGenerator(GeneratorConfig config, long handle, long stopTimeoutMillis, Runnable releasePool) {
        this.config = config;
        this.handle = handle;
        this.stopTimeoutMillis = stopTimeoutMillis;
        this.releasePool = releasePool;
        this.lifecycle = new NativeLifecycle("the generator");
        this.counters = GeneratorNatives.counters(handle).order(ByteOrder.nativeOrder());
    }

    /**
     * Starts the generator on {@code lcore}, an lcore of {@code eal}, sending on and receiving
     * from {@code queue} with mbufs from {@code pool}; the frames' source MAC is the port's. The
     * EAL stops and frees it when it closes, if {@link #close()} has not.
     */
    public static TrafficGenerator launch(Eal eal, int lcore, QueueRef queue, Mempool pool, GeneratorConfig config) {
        String operation = "launch the generator on lcore " + lcore;
        byte[] frame = config.frameTemplate(eal.deviceInfo(queue.port()).macAddressBits());
        EalAccess.Accessor access = EalAccess.get();
        // A stopped generator still drains what is in flight before its loop returns.
        return access.launch(eal, lcore, queue, operation, (mainThread, onMainLcore, stopTimeoutMillis) -> {
            verifyLayout(GeneratorNatives.layout());
            String user = "the generator on lcore " + lcore;
            access.attach(pool, user); // its loop allocates from the pool: the pool must outlive it
            try {
                long handle = mainThread.call(operation, () -> NativeErrors.check(GeneratorNatives.create(lcore,
                        queue.port(), queue.queue(), access.handle(pool), frame, config.flows(), config.burstSize(),
                        config.count(), config.ratePps(), config.drain().toNanos(), config.swapLevel().ordinal()),
                        operation,
                        "ask for fewer frames (--count): each needs 4 bytes"));
                TrafficGenerator generator = new TrafficGenerator(config, handle,
                        stopTimeoutMillis + config.drain().toMillis(), () -> access.detach(pool, user));
                try {
                    generator.loop = LcoreLoop.start(mainThread, handle, lcore, onMainLcore, operation);
                } catch (RuntimeException e) {
                    GeneratorNatives.destroy(handle); // never ran: its state goes with it
                    throw e;
                }
                return generator;
            } catch (RuntimeException e) {
                access.detach(pool, user);
                throw e;
            }
        }, TrafficGenerator::asQueuePoller);
    }

    /* What its port and lcore know it as. */
    private QueuePoller asQueuePoller() {
        return QueuePoller.of(() -> "the generator on lcore " + loop.lcore(), this::requestStop, this::finish,
                () -> {
                    synchronized (lock) {
                        return !closed;
                    }
                });
    }

    /** Fails loudly if this class and the shim disagree on the counter layout or the stamp. */
    static void verifyLayout(int[] nativeLayout) {
        int[] expected = {RECORD_SIZE, OFFSETS[0], OFFSETS[1], OFFSETS[2], OFFSETS[3], OFFSETS[4], OFFSETS[5],
            OFFSETS[6], OFFSETS[7], OFFSETS[8], OFFSETS[9], GeneratorConfig.MIN_FRAME_LENGTH, SEQUENCE_OFFSET,
            TSC_OFFSET};
        if (!Arrays.equals(expected, nativeLayout)) {
            throw new IllegalStateException("the shim's generator layout " + Arrays.toString(nativeLayout)
                    + " differs from TrafficGenerator's " + Arrays.toString(expected)
                    + ": the jar and libdpdkj.so come from different builds");
        }
    }

    /** What this generator sends. */
    public GeneratorConfig config() {
        return config;
    }

    /** The counters now (acquire loads); after close, the final ones. */
    public GeneratorStats stats() {
        GeneratorResult done = result;
        if (done == null) {
            try {
                return lifecycle.get(this::read);
            } catch (IllegalStateException finishing) {
                done = result; // set before the lifecycle closed
            }
        }
        return done.stats();
    }

    private GeneratorStats read() {
        long[] v = new long[OFFSETS.length];
        for (int i = 0; i < OFFSETS.length; i++) {
            v[i] = (long) LONGS.getAcquire(counters, OFFSETS[i]);
        }
        return new GeneratorStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] != 0, v[8], v[9]);
    }

    /**
     * Waits until every frame is sent and the drain time has passed (or all came back);
     * false if that has not happened within {@code timeout}.
     */
    public boolean awaitDone(Duration timeout) {
        return loop.await(timeout.toMillis());
    }

    /** Ends the run early; what was sent and received so far is the result. Any thread. */
    public void requestStop() {
        lifecycle.runIfOpen(loop::requestStop); // once closing began, the loop is stopping or stopped
    }

    /**
     * Stops the loop if it still runs, builds the result from every frame's round trip and
     * frees the native state. Idempotent; the result stays.
     */
    public GeneratorResult finish() {
        synchronized (lock) {
            if (closed) {
                return result;
            }
            loop.stop(stopTimeoutMillis);
            Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
            IntBuffer roundTrips = GeneratorNatives.roundTrips(handle).order(ByteOrder.nativeOrder()).asIntBuffer();
            while (roundTrips.hasRemaining()) {
                long nanos = Integer.toUnsignedLong(roundTrips.get());
                if (nanos != 0) {
                    histogram.recordValue(Math.min(nanos, HIGHEST_TRACKABLE_NANOS));
                }
            }
            result = new GeneratorResult(config, read(), histogram);
            lifecycle.close();
            closed = true;
            GeneratorNatives.destroy(handle);
            releasePool.run();
            return result;
        }
    }

    @Override
    public void close() {
        finish();
    }
}
