package io.l2echo.dpdk.internal;

import java.nio.ByteBuffer;

/**
 * The native echo loop's state and counters: the natives behind {@link io.l2echo.dpdk.EchoWorker}.
 * Registered by the shim at load (dpdkj_worker.cpp).
 */
public final class EchoWorkerNatives {
    private EchoWorkerNatives() {
    }

    public static native int[] layout();

    /** {@code swapLevel} and {@code reflectPolicy}: the ordinals of SwapLevel and ReflectPolicy. */
    public static native long create(int lcore, int[] ports, int[] queues, int burstSize, int txRetries,
            int swapLevel, int reflectPolicy);

    public static native ByteBuffer counters(long handle);

    public static native void destroy(long handle);
}
