package io.l2echo.dpdk.internal;

import io.l2echo.dpdk.DpdkException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The thread that called rte_eal_init and so became the main lcore. EAL calls that DPDK
 * documents as main-lcore-only (launch, wait, cleanup) and every configuration step run here;
 * a loop that runs on the main lcore runs here too. A call that does not return in time fails
 * with its name instead of hanging its caller, and every later one, without a word.
 */
public final class MainLcoreThread {
    /** Its name, also in /proc (a Java thread's name is its native name, cut to 15 bytes). */
    public static final String NAME = "dpdk-main-lcore";
    /* rte_eal_init mapping gigabytes of hugepages, a real NIC's start waiting for its link: seconds, not a minute. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final ExecutorService executor;
    private final Duration callTimeout;

    public MainLcoreThread() {
        this(CALL_TIMEOUT);
    }

    public MainLcoreThread(Duration callTimeout) {
        this.callTimeout = callTimeout;
        // Daemon: a forgotten close must not keep the JVM alive.
        executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, NAME);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs {@code task} on the main lcore and waits, at most the call timeout; its exceptions
     * come back unwrapped. {@code operation} names it in the timeout's error ("start port 0").
     *
     * @throws DpdkException if it did not return in time: it still runs on the main lcore, and
     *     calls after it wait behind it
     */
    public <T> T call(String operation, Callable<T> task) {
        Future<T> future = executor.submit(task);
        long deadline = System.nanoTime() + callTimeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    // The task touches DPDK state: let it finish rather than leave it half done.
                    interrupted = true;
                }
            }
        } catch (TimeoutException e) {
            throw new DpdkException(operation, String.format(Locale.ROOT, "it did not return within %.1f s on "
                    + "thread %s, where it still runs: every configuration call after it waits behind it",
                    callTimeout.toMillis() / 1000.0, NAME), "a thread dump shows where it waits (jstack PID, thread "
                    + NAME + "); DPDK's log above may say why");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void run(String operation, Runnable task) {
        call(operation, () -> {
            task.run();
            return null;
        });
    }

    /** Starts {@code task} on the main lcore without waiting: for a loop that runs there. */
    public Future<?> submit(Runnable task) {
        return executor.submit(task);
    }

    public void shutdown(long timeoutMillis) throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
