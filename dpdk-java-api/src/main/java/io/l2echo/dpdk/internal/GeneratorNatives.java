package io.l2echo.dpdk.internal;

import java.nio.ByteBuffer;

/**
 * The generator loop's state, counters and round trips. Registered by the shim at load
 * (dpdkj_generator.cpp).
 */
public final class GeneratorNatives {
    private GeneratorNatives() {
    }

    public static native int[] layout();

    public static native long create(int lcore, int port, int queue, long pool, byte[] frame, int flows,
            int burstSize, long count, long ratePps, long drainNanos, int swapLevel);

    public static native ByteBuffer counters(long handle);

    public static native ByteBuffer roundTrips(long handle);

    public static native void destroy(long handle);
}
