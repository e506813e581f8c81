package io.l2echo.testkit;

import java.io.IOException;

/**
 * How the testkit's closers undo what they set up: to the end, even for a caller that was
 * interrupted (a harness being stopped by a signal, whose waits would otherwise fail at once),
 * then without the shutdown hook that would have done the same at exit.
 */
final class Cleanup {
    /** A cleanup step that may fail with an I/O error. */
    @FunctionalInterface
    interface Step {
        void run() throws IOException;
    }

    private Cleanup() {
    }

    /** Runs {@code step} with the caller's interrupt set aside, restores it, and drops {@code exitHook}. */
    static void completely(Step step, Thread exitHook) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            step.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException shutdownUnderWay) {
                // The hook is running or about to, and does the same.
            }
        }
    }
}
