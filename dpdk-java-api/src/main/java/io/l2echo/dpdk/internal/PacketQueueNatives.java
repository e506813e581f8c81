package io.l2echo.dpdk.internal;

import java.nio.ByteBuffer;

/**
 * Zero-copy bursts for Java packet logic: the natives behind {@link io.l2echo.dpdk.PacketQueue}.
 * Registered by the shim at load (dpdkj_burst.cpp).
 */
public final class PacketQueueNatives {
    private PacketQueueNatives() {
    }

    public static native int[] layout();

    public static native long create(int port, int queue, long pool, int burstCapacity, int txRetries);

    public static native ByteBuffer[] views(long handle);

    public static native ByteBuffer records(long handle);

    public static native int receive(long handle);

    public static native int transmit(long handle);

    public static native int allocate(long handle, int count);

    public static native int chain(long handle, int head);

    public static native int registerThread(long handle);

    public static native void unregisterThread(long handle);

    public static native ByteBuffer counters(long handle);

    public static native int destroy(long handle);
}
