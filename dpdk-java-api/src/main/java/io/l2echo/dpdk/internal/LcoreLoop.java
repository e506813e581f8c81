package io.l2echo.dpdk.internal;

import io.l2echo.dpdk.DpdkException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A native loop on one lcore, whatever it does: launched on a worker lcore, or run on the
 * main lcore's thread; asked to stop through a flag; joined. The echo worker and the traffic
 * generator are both one: their native structs start with the same task (dpdkj_lcore.h).
 */
public final class LcoreLoop {
    private final MainLcoreThread mainThread;
    private final long handle;
    private final int lcore;
    private final boolean onMainLcore;
    private final String operation;
    private Future<?> mainLoop;

    private LcoreLoop(MainLcoreThread mainThread, long handle, int lcore, boolean onMainLcore, String operation) {
        this.mainThread = mainThread;
        this.handle = handle;
        this.lcore = lcore;
        this.onMainLcore = onMainLcore;
        this.operation = operation;
    }

    public static LcoreLoop start(MainLcoreThread mainThread, long handle, int lcore, boolean onMainLcore, String operation) {
        LcoreLoop loop = new LcoreLoop(mainThread, handle, lcore, onMainLcore, operation);
        if (onMainLcore) {
            loop.mainLoop = mainThread.submit(() -> NativeErrors.check(nativeRun(handle), operation, (String) null));
        } else {
            mainThread.run(operation, () -> NativeErrors.check(nativeLaunch(handle), operation,
                    "is another loop already running on lcore " + lcore + "?"));
        }
        return loop;
    }

    public int lcore() {
        return lcore;
    }

    public boolean onMainLcore() {
        return onMainLcore;
    }

    /** Any thread; returns at once. */
    public void requestStop() {
        nativeRequestStop(handle);
    }

    /** Waits for the loop to return; false when it is still running after the timeout. */
    public boolean await(long timeoutMillis) {
        Future<?> loop = onMainLcore ? mainLoop
                : mainThread.submit(() -> NativeErrors.check(nativeJoin(handle), "join lcore " + lcore, (String) null));
        try {
            loop.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for lcore " + lcore, e);
        }
    }

    /** Stops the loop and waits for it; a loop that does not return in time is a failure. */
    public void stop(long timeoutMillis) {
        requestStop();
        if (!await(timeoutMillis)) {
            throw new DpdkException(operation.replaceFirst("^launch", "stop"),
                    "its loop did not return within " + timeoutMillis + " ms", "report this as a bug");
        }
    }

    private static native int nativeLaunch(long handle);

    private static native int nativeRun(long handle);

    private static native void nativeRequestStop(long handle);

    private static native int nativeJoin(long handle);
}
