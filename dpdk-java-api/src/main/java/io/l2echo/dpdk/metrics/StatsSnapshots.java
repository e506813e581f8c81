package io.l2echo.dpdk.metrics;

import io.l2echo.dpdk.EchoStats;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One {@link EchoStats} snapshot shared by every metric read within {@code maxAge}: a scrape of
 * forty JMX attributes or Micrometer meters reads the native counters once, not forty times, and
 * all its figures are of the same instant. Thread-safe; reads never touch the data path.
 */
public final class StatsSnapshots {
    /** Short enough for any scrape interval, long enough to cover one scrape. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMillis(100);

    private final Supplier<EchoStats> source;
    private final long maxAgeNanos;
    private final LongSupplier clock;
    private EchoStats last;
    private long lastTaken;

    /** Snapshots of {@code source} (typically {@code service::stats}), reused for {@code maxAge}. */
    public StatsSnapshots(Supplier<EchoStats> source, Duration maxAge) {
        this(source, maxAge, System::nanoTime);
    }

    StatsSnapshots(Supplier<EchoStats> source, Duration maxAge, LongSupplier clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.maxAgeNanos = maxAge.toNanos();
        this.clock = clock;
    }

    /** The current snapshot: the cached one while younger than the max age, else a fresh one. */
    public synchronized EchoStats get() {
        long now = clock.getAsLong();
        if (last == null || now - lastTaken >= maxAgeNanos) {
            last = source.get();
            lastTaken = now;
        }
        return last;
    }
}
