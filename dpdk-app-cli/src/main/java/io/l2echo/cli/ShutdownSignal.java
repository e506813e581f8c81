package io.l2echo.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM as a barrier {@code main} waits on, so it stops the loops, prints final
 * stats and exits 0 itself instead of the JVM exiting 130 from under it. The JVM owns these
 * signals: a C handler in the shim would fight it.
 */
public final class ShutdownSignal {
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final AtomicInteger count = new AtomicInteger();
    private volatile String name;

    /** Registers for INT and TERM; {@code out} hears about signals after the first. */
    public static ShutdownSignal register(PrintStream out) {
        ShutdownSignal barrier = new ShutdownSignal();
        for (String signal : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(signal), s -> barrier.signal("SIG" + s.getName(), out));
        }
        return barrier;
    }

    void signal(String signalName, PrintStream out) {
        if (count.incrementAndGet() == 1) {
            name = signalName;
            signalled.countDown();
        } else {
            out.println(signalName + " received while stopping: the clean stop goes on");
        }
    }

    /** Waits up to {@code timeoutMillis} (0: forever); true when a signal arrived. */
    public boolean await(long timeoutMillis) throws InterruptedException {
        if (timeoutMillis == 0) {
            signalled.await();
            return true;
        }
        return signalled.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** The signal that arrived first, such as "SIGINT", or null. */
    public String signalName() {
        return name;
    }
}
