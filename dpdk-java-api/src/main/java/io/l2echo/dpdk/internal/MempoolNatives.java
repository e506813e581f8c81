package io.l2echo.dpdk.internal;

/**
 * mbuf pools: the natives behind {@link io.l2echo.dpdk.Mempool}. Registered by the shim at load
 * (dpdkj_mempool.cpp).
 */
public final class MempoolNatives {
    private MempoolNatives() {
    }

    public static native long create(String name, int size, int cacheSize, int dataRoomSize, int socketId);

    public static native void free(long handle);

    public static native int available(long handle);

    public static native int inUse(long handle);
}
