package io.l2echo.dpdk.internal;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What polls a queue of a port: a native loop on an lcore, or a queue Java polls. The port
 * owns it: whoever closes the port, the port first stops and closes what polls its queues, and
 * stays open if one of them may still poll. The EAL likewise knows it as its lcore's user.
 */
public interface QueuePoller {
    /** Asks it to stop polling after its current burst; returns at once. Any thread. */
    void requestStop();

    /** Stops it, waits for it and frees it; idempotent. {@link #stillPolls()} says whether a failure left it polling. */
    void close();

    /** Whether it may still touch its queues: true until it has been stopped for good. */
    boolean stillPolls();

    /** Calls into the shim it counted itself rather than in the process-wide count (a Java queue's bursts). */
    default long jniCalls() {
        return 0;
    }

    /** A poller from its parts; {@code description} names it in refusals ("lcore 1's echo loop"). */
    static QueuePoller of(Supplier<String> description, Runnable requestStop, Runnable close,
            BooleanSupplier stillPolls) {
        return new QueuePoller() {
            @Override
            public void requestStop() {
                requestStop.run();
            }

            @Override
            public void close() {
                close.run();
            }

            @Override
            public boolean stillPolls() {
                return stillPolls.getAsBoolean();
            }

            @Override
            public String toString() {
                return description.get();
            }
        };
    }
}
