package io.l2echo.dpdk.internal;

import java.util.List;

/** Several things closed in turn, each may fail: the first failure is thrown, the others ride on it. */
public final class Failures {
    private Failures() {
    }

    /** The first of {@code failures} with the rest suppressed in it; {@code failures} must not be empty. */
    public static RuntimeException combined(List<? extends RuntimeException> failures) {
        RuntimeException first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        return first;
    }
}
