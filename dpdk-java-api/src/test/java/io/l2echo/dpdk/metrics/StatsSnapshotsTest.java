package io.l2echo.dpdk.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.l2echo.dpdk.EchoStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatsSnapshotsTest {
    @Test
    void readsWithinTheMaxAgeShareOneSnapshotAndALaterReadTakesAFreshOne() {
        AtomicInteger taken = new AtomicInteger();
        AtomicLong clock = new AtomicLong(1_000);
        StatsSnapshots snapshots = new StatsSnapshots(() -> MetricsFixtures.stats(taken.incrementAndGet() * 100L),
                Duration.ofMillis(100), clock::get);

        EchoStats first = snapshots.get();
        clock.addAndGet(Duration.ofMillis(99).toNanos());
        assertSame(first, snapshots.get(), "one scrape reads the native counters once");
        assertEquals(1, taken.get());

        clock.addAndGet(Duration.ofMillis(1).toNanos());
        EchoStats second = snapshots.get();
        assertEquals(2, taken.get());
        assertEquals(200 + 21, second.port(0).orElseThrow().counters().rxPackets());
    }
}
