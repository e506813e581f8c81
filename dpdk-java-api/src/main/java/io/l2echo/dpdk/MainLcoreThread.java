package io.l2echo.dpdk;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The thread that called rte_eal_init and so became the main lcore. EAL calls that DPDK
 * documents as main-lcore-only (launch, wait, cleanup) and every configuration step run here;
 * a loop that runs on the main lcore runs here too.
 */
final class MainLcoreThread {
    /** Its name, also in /proc (a Java thread's name is its native name, cut to 15 bytes). */
    static final String NAME = "dpdk-main-lcore";

    private final ExecutorService executor;

    MainLcoreThread() {
        // Daemon: a forgotten close must not keep the JVM alive.
        executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, NAME);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code task} on the main lcore and waits; its exceptions come back unwrapped. */
    <T> T call(Callable<T> task) {
        Future<T> future = executor.submit(task);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    // The task touches DPDK state: let it finish rather than leave it half done.
                    interrupted = true;
                }
            }
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

    void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Starts {@code task} on the main lcore without waiting: for a loop that runs there. */
    Future<?> submit(Runnable task) {
        return executor.submit(task);
    }

    void shutdown(long timeoutMillis) throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
