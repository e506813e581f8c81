package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.EchoWorkerNatives;
import io.l2echo.dpdk.internal.LcoreLoop;
import io.l2echo.dpdk.internal.MainLcoreThread;
import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.NativeLifecycle;
import io.l2echo.dpdk.internal.QueuePoller;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One lcore's echo loop over its queues: receive a burst, keep what its {@link ReflectPolicy}
 * reflects, swap what its {@link SwapLevel} swaps, transmit, count. The
 * loop is native and never enters the JVM; Java only launches it, reads its counters and
 * asks it to stop.
 */
public final class EchoWorker implements AutoCloseable {
    private final long handle;
    private final long stopTimeoutMillis;
    private final List<QueueCounters> counters;
    /* Counter reads run inside it; close frees the handle once they are out. */
    private final NativeLifecycle lifecycle;
    private final Object lock = new Object();
    private final QueuePoller queuePoller = QueuePoller.of(() -> "lcore " + lcore() + "'s echo loop", this::requestStop,
            this::close, () -> !isClosed());
    private LcoreLoop loop;
    /* Published before the lifecycle closes: a read refused from then on finds them. */
    private volatile List<QueueStats> finalStats;
    private boolean closed;

    private final SwapLevel swapLevel;
    private final ReflectPolicy reflectPolicy;

    private EchoWorker(int lcore, long handle, List<QueueRef> queues, long stopTimeoutMillis, SwapLevel swapLevel,
            ReflectPolicy reflectPolicy) {
        this.handle = handle;
        this.swapLevel = swapLevel;
        this.reflectPolicy = reflectPolicy;
        this.lifecycle = new NativeLifecycle("the echo worker on lcore " + lcore);
        this.stopTimeoutMillis = stopTimeoutMillis;
        ByteBuffer records = EchoWorkerNatives.counters(handle).order(ByteOrder.nativeOrder());
        QueueCounters.Owner owner = new QueueCounters.Owner() {
            @Override
            public int lcore() {
                return EchoWorker.this.lcore();
            }

            @Override
            public QueueStats snapshot(QueueCounters view) {
                return EchoWorker.this.snapshot(view);
            }
        };
        List<QueueCounters> views = new ArrayList<>(queues.size());
        for (int i = 0; i < queues.size(); i++) {
            views.add(new QueueCounters(owner, records, i, queues.get(i)));
        }
        this.counters = List.copyOf(views);
    }

    static EchoWorker launch(MainLcoreThread mainThread, int lcore, boolean onMainLcore, List<QueueRef> queues,
            int burstSize, int txRetries, SwapLevel swapLevel, ReflectPolicy reflectPolicy, long stopTimeoutMillis) {
        int[] ports = queues.stream().mapToInt(QueueRef::port).toArray();
        int[] queueIds = queues.stream().mapToInt(QueueRef::queue).toArray();
        String operation = "launch the echo on lcore " + lcore;
        long handle = mainThread.call(operation, () -> NativeErrors.check(
                EchoWorkerNatives.create(lcore, ports, queueIds, burstSize, txRetries, swapLevel.ordinal(),
                        reflectPolicy.ordinal()), operation, (String) null));
        EchoWorker worker = new EchoWorker(lcore, handle, queues, stopTimeoutMillis, swapLevel, reflectPolicy);
        try {
            worker.loop = LcoreLoop.start(mainThread, handle, lcore, onMainLcore, operation);
        } catch (RuntimeException e) {
            EchoWorkerNatives.destroy(handle); // never ran: its counters and telemetry entry go with it
            throw e;
        }
        return worker;
    }

    /** The lcore the loop runs on. */
    public int lcore() {
        return loop.lcore();
    }

    /** How much of each frame the loop swaps. */
    public SwapLevel swapLevel() {
        return swapLevel;
    }

    /** Which frames the loop reflects. */
    public ReflectPolicy reflectPolicy() {
        return reflectPolicy;
    }

    /** Whether the loop runs on the main lcore's thread rather than a worker lcore. */
    public boolean onMainLcore() {
        return loop.onMainLcore();
    }

    /** One counter view per queue, in the order the queues were given. */
    public List<QueueCounters> counters() {
        return counters;
    }

    QueueStats snapshot(QueueCounters view) {
        List<QueueStats> last = finalStats;
        if (last == null) {
            try {
                return lifecycle.get(view::readAcquire);
            } catch (IllegalStateException closing) {
                last = finalStats; // set before the lifecycle closed
            }
        }
        return last.get(counters.indexOf(view));
    }

    /* What the worker's ports and lcore know it as. */
    QueuePoller asQueuePoller() {
        return queuePoller;
    }

    /** Asks the loop to return after its current burst; does not wait. Any thread. */
    public void requestStop() {
        lifecycle.runIfOpen(loop::requestStop); // once closing began, the loop is stopping or stopped
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /**
     * Stops the loop, waits for it to return, keeps the final counters and frees the native
     * state once the counter reads in flight on other threads are out. Idempotent. A loop that does not return in time is reported, not freed: its
     * memory may still be in use.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            loop.stop(stopTimeoutMillis);
            List<QueueStats> last = new ArrayList<>(counters.size());
            counters.forEach(view -> last.add(view.readAcquire()));
            finalStats = List.copyOf(last);
            lifecycle.close();
            closed = true;
            EchoWorkerNatives.destroy(handle);
        }
    }
}
