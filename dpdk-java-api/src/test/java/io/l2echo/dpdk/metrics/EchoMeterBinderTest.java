package io.l2echo.dpdk.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.l2echo.dpdk.EchoStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Micrometer meters, read from a real registry, follow the snapshot field by field. */
class EchoMeterBinderTest {
    @Test
    void portAndQueueMetersReadTheirFieldsAndFollowNewSnapshots() {
        AtomicReference<EchoStats> current = new AtomicReference<>(MetricsFixtures.stats(0));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new EchoMeterBinder(new StatsSnapshots(current::get, Duration.ZERO)).bindTo(registry);

        current.set(MetricsFixtures.stats(500));
        assertEquals(521, registry.get("dpdk.port.rx.packets").tag("port", "0").functionCounter().count());
        assertEquals(525, registry.get("dpdk.port.rx.missed").tag("port", "0").functionCounter().count());
        assertEquals(1, registry.get("dpdk.port.link.up").gauge().value());
        assertEquals(529, registry.get("dpdk.mempool.mbufs.in.use").gauge().value());
        assertEquals(511, registry.get("dpdk.queue.rx.packets").tags("lcore", "2", "queue", "1").functionCounter()
                .count());
        assertEquals(505, registry.get("dpdk.queue.tx.dropped").tags("lcore", "1", "queue", "0").functionCounter()
                .count());
        assertEquals(530, registry.get("dpdk.queue.rx.group.dst").tags("lcore", "1").functionCounter().count());
        assertEquals(541, registry.get("dpdk.queue.rx.link.local").tags("lcore", "2").functionCounter().count());
        assertEquals(532, registry.get("dpdk.queue.rx.group.src").tags("lcore", "1").functionCounter().count());
        assertEquals(543, registry.get("dpdk.queue.tx.own.source").tags("lcore", "2").functionCounter().count());
        assertEquals(2, registry.get("dpdk.queue.rx.packets").functionCounters().size(), "one meter per queue");
    }

    /* Micrometer holds a meter's state object weakly unless told otherwise: a GC would zero the meters. */
    @Test
    void metersKeepReadingAfterTheBinderAndItsSnapshotsAreGarbage() throws InterruptedException {
        AtomicReference<EchoStats> current = new AtomicReference<>(MetricsFixtures.stats(0));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new EchoMeterBinder(new StatsSnapshots(current::get, Duration.ZERO)).bindTo(registry);
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        current.set(MetricsFixtures.stats(700));
        assertEquals(721, registry.get("dpdk.port.rx.packets").functionCounter().count());
        assertEquals(711, registry.get("dpdk.queue.rx.packets").tags("lcore", "2").functionCounter().count());
        assertEquals(729, registry.get("dpdk.mempool.mbufs.in.use").gauge().value());
    }
}
