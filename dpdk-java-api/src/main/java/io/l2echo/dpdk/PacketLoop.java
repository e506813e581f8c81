package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.QueuePoller;
import io.l2echo.dpdk.internal.ThreadAffinity;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Java thread that polls one {@link PacketQueue} and runs a {@link PacketHandler} on each
 * non-empty burst: receive, handle, transmit (the frames the handler sent go out, the others
 * are freed), then the {@link IdleStrategy} (Agrona's duty cycle). Started by {@link Eal#launchPacketLoop}, which
 * names the thread after its queue ({@code packets-p0q0}), pins it to the CPUs of an EAL lcore
 * that runs no native loop, and stops it before the queue, the ports and the pools close.
 *
 * <p>The thread registers with EAL ({@code rte_thread_register}) before it polls and
 * unregisters before it ends, so it has an lcore id of its own: the pool's per-lcore cache
 * serves its mbufs, and {@link QueueCounters#lcore()} and the {@code /l2echo/lcores} telemetry
 * show that id. Unlike a native lcore it is a JVM thread: it stops at safepoints, and GC pauses
 * reach it.
 *
 * <p>Whatever the handler (or a transmit it asked for) throws stops the loop; {@link #close()}
 * then throws it, wrapped, once.
 */
public final class PacketLoop implements AutoCloseable {
    private final PacketQueue queue;
    private final PacketHandler handler;
    private final IdleStrategy idle;
    private final int pinnedLcore;
    private final Set<Integer> cpus;
    private final long stopTimeoutMillis;
    private final Thread thread;
    private final CountDownLatch polling = new CountDownLatch(1);
    private final Object lock = new Object();
    private volatile boolean running = true;
    private volatile Throwable failure;
    /* Set once the thread is pinned and registered: a failure before that fails the start. */
    private volatile boolean startedPolling;
    private volatile long allocatedWhilePolling = -1;
    private boolean closed;

    private PacketLoop(PacketQueue queue, PacketHandler handler, IdleStrategy idle, int pinnedLcore,
            Set<Integer> cpus, long stopTimeoutMillis) {
        this.queue = queue;
        this.handler = handler;
        this.idle = idle;
        this.pinnedLcore = pinnedLcore;
        this.cpus = cpus;
        this.stopTimeoutMillis = stopTimeoutMillis;
        this.thread = new Thread(this::run, threadName(queue.queue()));
        // A forgotten close must not keep the JVM alive.
        this.thread.setDaemon(true);
    }

    /** The name of the thread polling {@code queue}; /proc shows its first 15 bytes. */
    static String threadName(QueueRef queue) {
        return "packets-p" + queue.port() + "q" + queue.queue();
    }

    /* Returns once the thread is pinned, registered and polling; a failure to get there is thrown. */
    static PacketLoop start(PacketQueue queue, PacketHandler handler, IdleStrategy idle, int pinnedLcore,
            Set<Integer> cpus, long stopTimeoutMillis) {
        PacketLoop loop = new PacketLoop(queue, handler, idle, pinnedLcore, cpus, stopTimeoutMillis);
        queue.pollWith(loop); // the queue stops it before it closes
        loop.thread.start();
        try {
            if (!loop.polling.await(stopTimeoutMillis, TimeUnit.MILLISECONDS)) {
                loop.requestStop();
                throw new IllegalStateException(loop.thread.getName() + " did not start polling within "
                        + stopTimeoutMillis + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.requestStop();
            throw new IllegalStateException("interrupted while starting " + loop.thread.getName(), e);
        }
        if (!loop.startedPolling) {
            loop.close(); // throws what stopped it
        }
        return loop;
    }

    private void run() {
        try {
            ThreadAffinity.pinCurrentThread(cpus);
            queue.registerPollingThread();
            try {
                startedPolling = true;
                polling.countDown();
                poll();
            } finally {
                queue.unregisterPollingThread();
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            polling.countDown();
        }
    }

    private void poll() throws Exception {
        PacketBurst burst = queue.burst();
        long allocatedBefore = allocatedByThisThread();
        try {
            pollUntilStopped(burst);
        } finally {
            long allocatedAfter = allocatedByThisThread();
            allocatedWhilePolling = allocatedBefore < 0 ? -1 : allocatedAfter - allocatedBefore;
        }
    }

    private void pollUntilStopped(PacketBurst burst) throws Exception {
        while (running) {
            int received = queue.receive();
            if (received > 0) {
                try {
                    handler.onBurst(burst);
                } catch (Throwable t) {
                    burst.dropAll(); // nothing half-done goes out, and the mbufs go back now
                    try {
                        queue.transmit();
                    } catch (RuntimeException e) { // the queue closed meanwhile: it freed the burst itself
                        t.addSuppressed(e);
                    }
                    throw t;
                }
                queue.transmit();
            }
            idle.idle(received);
        }
    }

    /** The queue the thread polls. */
    public PacketQueue queue() {
        return queue;
    }

    /** The EAL lcore whose CPUs the thread is pinned to. */
    public int pinnedLcore() {
        return pinnedLcore;
    }

    /** The polling thread's name, {@code packets-p<port>q<queue>}. */
    public String threadName() {
        return thread.getName();
    }

    /**
     * Bytes the polling thread allocated on the Java heap while it polled, the handler's
     * included: known once the loop has stopped, -1 before, or where the JVM does not count
     * (HotSpot does). The queue's bursts allocate nothing; a handler that allocates per frame
     * shows here before it shows in GC pauses.
     */
    public long allocatedBytes() {
        return allocatedWhilePolling;
    }

    private static long allocatedByThisThread() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    /** Whether the thread still polls: false once stopped, or once the handler failed. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** What stopped the loop, if the handler or a transmit failed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Asks the loop to return after its current burst; does not wait. Any thread. */
    public void requestStop() {
        running = false;
    }

    /**
     * Stops the loop and waits for its thread. Throws what stopped it, if the handler failed
     * (the first close only), and a {@link DpdkException} if the thread is still in the handler
     * after the timeout (the loop is then not closed: the queue is still in use). Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            requestStop();
            try {
                thread.join(stopTimeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping " + thread.getName(), e);
            }
            if (thread.isAlive()) {
                throw new DpdkException("stop " + thread.getName(), "its handler did not return within "
                        + stopTimeoutMillis + " ms", "a packet handler must not block");
            }
            closed = true;
            Throwable stoppedBy = failure;
            if (stoppedBy != null) {
                throw new IllegalStateException(thread.getName() + " stopped: " + stoppedBy, stoppedBy);
            }
        }
    }

    /* What the EAL knows its lcore's user as. */
    QueuePoller asQueuePoller() {
        return QueuePoller.of(() -> "Java packet loop " + thread.getName(), this::requestStop, this::close,
                () -> !isClosed());
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }
}
