package io.l2echo.dpdk.metrics;

import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.LinkStatus;
import io.l2echo.dpdk.PortSnapshot;
import io.l2echo.dpdk.PortStats;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.dpdk.QueueStats;
import java.util.List;

/** Snapshots with a distinct value in every field, so a field read from the wrong place shows. */
final class MetricsFixtures {
    private MetricsFixtures() {
    }

    /** Two lcores, one queue each, all figures derived from {@code base}. */
    static EchoStats stats(long base) {
        QueueStats first = new QueueStats(1, new QueueRef(0, 0), base + 1, base + 2, base + 3, base + 4, base + 5,
                base + 6, base + 7, base + 8, base + 9, base + 10, base + 30, base + 31, base + 32, base + 33);
        QueueStats second = new QueueStats(2, new QueueRef(0, 1), base + 11, base + 12, base + 13, base + 14,
                base + 15, base + 16, base + 17, base + 18, base + 19, base + 20, base + 40, base + 41, base + 42,
                base + 43);
        PortStats port = new PortStats(base + 21, base + 22, base + 23, base + 24, base + 25, base + 26, base + 27,
                base + 28);
        return new EchoStats(0, List.of(first, second), List.of(new PortSnapshot(0, port,
                new LinkStatus(true, 10_000, true, true), (int) base + 29)));
    }
}
