package io.l2echo.dpdk;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * What a {@link PacketLoop} does after a poll, given how many frames it received: nothing after
 * work, and on an empty poll spin, yield or park (Agrona's duty-cycle shape). Busy-spinning
 * polls soonest and burns its CPU, as the native echo's lcores do; yielding leaves the CPU to
 * other runnable threads; parking trades latency for an idle CPU.
 */
@FunctionalInterface
public interface IdleStrategy {
    /** Called after every poll with the frames it received. */
    void idle(int workCount);

    /** Polls again at once; {@link Thread#onSpinWait()} on an empty poll. The default. */
    static IdleStrategy busySpin() {
        return workCount -> {
            if (workCount == 0) {
                Thread.onSpinWait();
            }
        };
    }

    /** {@link Thread#yield()} on an empty poll. */
    static IdleStrategy yielding() {
        return workCount -> {
            if (workCount == 0) {
                Thread.yield();
            }
        };
    }

    /** Parks for {@code period} on an empty poll: frames wait up to that long (plus timer slack) in the Rx ring. */
    static IdleStrategy parking(Duration period) {
        long nanos = period.toNanos();
        if (nanos <= 0) {
            throw new IllegalArgumentException("park period " + period + " is not positive");
        }
        return workCount -> {
            if (workCount == 0) {
                LockSupport.parkNanos(nanos);
            }
        };
    }
}
