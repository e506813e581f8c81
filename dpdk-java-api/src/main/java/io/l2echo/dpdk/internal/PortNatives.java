package io.l2echo.dpdk.internal;

/**
 * ethdev configuration, link and stats: the natives behind {@link io.l2echo.dpdk.Port}. Registered
 * by the shim at load (dpdkj_port.cpp).
 */
public final class PortNatives {
    private PortNatives() {
    }

    public static native int count();

    public static native int idByName(String name);

    /* {device name, driver name} into names; -ENODEV when there is no such port. */
    public static native int names(int portId, String[] names);

    public static native int info(int portId, long[] fields);

    public static native String[] rssHashNames(long bits);

    /* A hash type's RTE_ETH_RSS_* bits into bits[0] (bit 63 is one: the result is only -errno or 0). */
    public static native int rssHashBits(String name, long[] bits);

    public static native int configure(int portId, int rxQueues, int txQueues, long rssHashFunctions,
            byte[] rssKey, boolean scatter);

    public static native int adjustDescriptors(int portId, int[] rxTx);

    public static native int rxQueueSetup(int portId, int queue, int descriptors, long mempool);

    public static native int txQueueSetup(int portId, int queue, int descriptors);

    public static native int start(int portId);

    public static native int stop(int portId);

    public static native int close(int portId);

    public static native int setPromiscuous(int portId, boolean on);

    public static native int setLink(int portId, boolean up);

    public static native int link(int portId, long[] fields);

    public static native int stats(int portId, long[] fields);

    public static native int resetStats(int portId);

    public static native int xstatNames(int portId, String[][] names);

    public static native int xstatValues(int portId, long[] values);
}
