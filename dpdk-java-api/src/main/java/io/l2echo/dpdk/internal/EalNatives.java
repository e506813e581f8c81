package io.l2echo.dpdk.internal;

/**
 * rte_eal_init, cleanup, lcores, version: the natives behind {@link io.l2echo.dpdk.Eal}. Registered
 * by the shim at load (dpdkj_eal.cpp).
 */
public final class EalNatives {
    private EalNatives() {
    }

    public static native int init(String[] args);

    public static native int cleanup();

    public static native int mainLcore();

    public static native long tscHz();

    public static native int[] workerLcores();

    public static native int[] lcoreCpus(int lcore);

    public static native int lcoreSocket(int lcore);

    public static native String version();

    public static native String runtimeDir();

    public static native int pdumpInit();

    public static native int pdumpUninit();
}
