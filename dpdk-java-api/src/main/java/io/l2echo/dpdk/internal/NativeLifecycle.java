package io.l2echo.dpdk.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The life of one native handle, the same for every object that owns one: a call that uses the
 * handle runs only while it is open and is counted while it runs; closing first stops new calls,
 * then waits out those in flight, and only then may the owner free the handle. So whatever
 * threads call what in whichever order, no call meets freed memory: it either ran before the
 * free or fails with an {@link IllegalStateException} naming the handle. One state word, as in
 * Netty's {@code FileDescriptor}: bit 0 is "closed", the bits above count the calls in flight.
 *
 * <p>A thread must not close a handle from inside a call on it: it would wait for itself.
 */
public final class NativeLifecycle {
    private static final int CLOSED = 1;
    private static final int ONE_CALL = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(NativeLifecycle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    /** @param name the handle in error messages, such as "mbuf pool echo_pool_p0" */
    public NativeLifecycle(String name) {
        this.name = name;
    }

    /** Runs {@code call} while the handle is open; throws, without running it, once closing began. */
    public int call(IntSupplier call) {
        enter();
        try {
            return call.getAsInt();
        } finally {
            exit();
        }
    }

    /** As {@link #call(IntSupplier)}, for a call with a result object. */
    public <T> T get(Supplier<T> call) {
        enter();
        try {
            return call.get();
        } finally {
            exit();
        }
    }

    /** As {@link #call(IntSupplier)}, for a call without a result. */
    public void run(Runnable call) {
        enter();
        try {
            call.run();
        } finally {
            exit();
        }
    }

    /** As {@link #run(Runnable)}, for a call that has nothing left to do once closing began: false then. */
    public boolean runIfOpen(Runnable call) {
        if (!tryEnter()) {
            return false;
        }
        try {
            call.run();
            return true;
        } finally {
            exit();
        }
    }

    /** Throws unless the handle is open. For checks before work that does not touch the handle. */
    public void ensureOpen() {
        if (isClosed()) {
            throw closedError();
        }
    }

    /** Whether closing began: no call starts any more. */
    public boolean isClosed() {
        return ((int) STATE.getVolatile(this) & CLOSED) != 0;
    }

    /**
     * Stops new calls and waits until none is in flight. Returns true for the one caller that
     * closed it, who then frees the handle; false if it was closed already.
     */
    public boolean close() {
        int current;
        do {
            current = (int) STATE.getVolatile(this);
            if ((current & CLOSED) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, current, current | CLOSED));
        // Calls in flight are single native reads or configuration steps: spin briefly, then sleep.
        for (int spins = 0; (int) STATE.getVolatile(this) != CLOSED; spins++) {
            if (spins < 1000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(100_000);
            }
        }
        return true;
    }

    private void enter() {
        if (!tryEnter()) {
            throw closedError();
        }
    }

    private boolean tryEnter() {
        int current;
        do {
            current = (int) STATE.getVolatile(this);
            if ((current & CLOSED) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, current, current + ONE_CALL));
        return true;
    }

    private void exit() {
        STATE.getAndAdd(this, -ONE_CALL);
    }

    private IllegalStateException closedError() {
        return new IllegalStateException(name + " is closed");
    }

    @Override
    public String toString() {
        return name;
    }
}
