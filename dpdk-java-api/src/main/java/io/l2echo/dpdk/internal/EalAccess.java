package io.l2echo.dpdk.internal;

import io.l2echo.dpdk.Eal;
import io.l2echo.dpdk.Mempool;
import io.l2echo.dpdk.QueueRef;
import java.util.Objects;
import java.util.function.Function;

/**
 * What this project's own native loops outside the public API (l2gen's traffic generator) need
 * of an {@link Eal}: the main lcore's thread, the lcore and queue checks, a pool's handle, and
 * to be stopped and closed by the port whose queue it polls. Eal hands its accessor over when its class initialises, so an
 * embedder's code, which cannot read this package, cannot reach it.
 */
public final class EalAccess {
    /** Starts a loop on the main lcore's thread, with what Eal decided about where it runs. */
    @FunctionalInterface
    public interface LoopLauncher<T> {
        T launch(MainLcoreThread mainThread, boolean onMainLcore, long stopTimeoutMillis);
    }

    /** Implemented inside Eal, where its state is. */
    public interface Accessor {
        /**
         * Checks that {@code lcore} is one of EAL's and idle and that nothing polls {@code queue},
         * launches the loop, and registers it (as {@code pollerOf} gives it) with the lcore and the
         * queue's port, which stops and closes it before it closes itself.
         */
        <T> T launch(Eal eal, int lcore, QueueRef queue, String operation, LoopLauncher<T> launcher,
                Function<T, QueuePoller> pollerOf);

        /** The pool's handle for a user that attached to it (see {@link #attach}). */
        long handle(Mempool pool);

        /** {@code user} takes mbufs from the pool from now on: the pool refuses to be freed under it. */
        void attach(Mempool pool, String user);

        void detach(Mempool pool, String user);
    }

    private static volatile Accessor accessor;

    private EalAccess() {
    }

    /** Called once, by Eal's static initialiser. */
    public static void set(Accessor eal) {
        if (accessor != null) {
            throw new IllegalStateException("Eal's accessor is set already");
        }
        accessor = Objects.requireNonNull(eal);
    }

    /** Eal's accessor; initialises Eal's class if nothing has yet. */
    public static Accessor get() {
        Accessor eal = accessor;
        if (eal == null) {
            try {
                Class.forName(Eal.class.getName(), true, Eal.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            eal = accessor;
        }
        return eal;
    }
}
