package io.l2echo.dpdk.metrics;

import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.PortSnapshot;
import io.l2echo.dpdk.PortStats;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.dpdk.QueueStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToLongFunction;

/**
 * The echo's counters as Micrometer meters, so a service that already exports Prometheus (or any
 * Micrometer registry) exports ours too. Port counters are tagged {@code port}; queue counters
 * {@code lcore}, {@code port}, {@code queue}. In Prometheus: {@code dpdk_port_rx_packets_total},
 * {@code dpdk_queue_tx_dropped_total}, {@code dpdk_port_link_up}, {@code dpdk_mempool_mbufs_in_use}...
 * Every meter reads one shared snapshot per {@link StatsSnapshots#DEFAULT_MAX_AGE}, and holds it
 * strongly: Micrometer's default weak reference would let a collection zero the meters once the
 * binder itself is garbage, as it usually is after {@code bindTo}.
 *
 * <p>Micrometer is an optional dependency of this library: this class needs it on the class path,
 * nothing else does.
 */
public final class EchoMeterBinder implements MeterBinder {
    private final StatsSnapshots snapshots;

    /** Meters for {@code service}'s ports and queues. */
    public EchoMeterBinder(EchoService service) {
        this(new StatsSnapshots(service::stats, StatsSnapshots.DEFAULT_MAX_AGE));
    }

    /** Meters for the ports and queues {@code snapshots} lists when {@link #bindTo} is called. */
    public EchoMeterBinder(StatsSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    /**
     * Registers a counter per port and queue figure, and link and pool gauges per port, for what
     * the snapshot lists now.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        for (PortSnapshot snapshot : snapshots.get().ports()) {
            int portId = snapshot.portId();
            Tags port = Tags.of("port", String.valueOf(portId));
            portCounter(registry, "dpdk.port.rx.packets", "frames the NIC received", port, portId,
                    PortStats::rxPackets);
            portCounter(registry, "dpdk.port.tx.packets", "frames the NIC sent", port, portId, PortStats::txPackets);
            portCounter(registry, "dpdk.port.rx.bytes", "bytes the NIC received", port, portId, PortStats::rxBytes);
            portCounter(registry, "dpdk.port.tx.bytes", "bytes the NIC sent", port, portId, PortStats::txBytes);
            portCounter(registry, "dpdk.port.rx.missed", "frames dropped on a full Rx ring: the loop fell behind",
                    port, portId, PortStats::rxMissed);
            portCounter(registry, "dpdk.port.rx.errors", "erroneous frames received", port, portId,
                    PortStats::rxErrors);
            portCounter(registry, "dpdk.port.tx.errors", "frames the NIC failed to send", port, portId,
                    PortStats::txErrors);
            portCounter(registry, "dpdk.port.rx.nombuf", "receives that found the mbuf pool empty", port, portId,
                    PortStats::rxNoMbuf);
            Gauge.builder("dpdk.port.link.up", snapshots, s -> port(s, portId).link().up() ? 1 : 0)
                    .description("1 while the link is up").tags(port).strongReference(true).register(registry);
            Gauge.builder("dpdk.mempool.mbufs.in.use", snapshots, s -> port(s, portId).mbufsInUse())
                    .description("mbufs out of the pool: in rings, caches and in flight").tags(port)
                    .strongReference(true).register(registry);
        }

        for (QueueStats queue : snapshots.get().queues()) {
            int lcore = queue.lcore();
            QueueRef ref = queue.queue();
            Tags tags = Tags.of("lcore", String.valueOf(lcore), "port", String.valueOf(ref.port()), "queue",
                    String.valueOf(ref.queue()));
            queueCounter(registry, "dpdk.queue.rx.packets", "frames the lcore received", tags, lcore, ref,
                    QueueStats::rxPackets);
            queueCounter(registry, "dpdk.queue.tx.packets", "frames the lcore sent back", tags, lcore, ref,
                    QueueStats::txPackets);
            queueCounter(registry, "dpdk.queue.rx.bytes", "bytes the lcore received", tags, lcore, ref,
                    QueueStats::rxBytes);
            queueCounter(registry, "dpdk.queue.tx.bytes", "bytes the lcore sent back", tags, lcore, ref,
                    QueueStats::txBytes);
            queueCounter(registry, "dpdk.queue.tx.dropped", "frames the Tx ring refused after every retry", tags,
                    lcore, ref, QueueStats::txDropped);
            queueCounter(registry, "dpdk.queue.rx.runts", "frames shorter than an Ethernet header, dropped", tags,
                    lcore, ref, QueueStats::rxRunts);
            queueCounter(registry, "dpdk.queue.rx.group.dst", "frames to a multicast or broadcast address, not reflected",
                    tags, lcore, ref, QueueStats::rxGroupDst);
            queueCounter(registry, "dpdk.queue.rx.link.local", "frames to an IEEE 802.1 link-local address, not reflected",
                    tags, lcore, ref, QueueStats::rxLinkLocal);
            queueCounter(registry, "dpdk.queue.rx.group.src", "frames from a group source address, dropped", tags,
                    lcore, ref, QueueStats::rxGroupSrc);
            queueCounter(registry, "dpdk.queue.tx.own.source", "group-destined frames sent from the port's own MAC",
                    tags, lcore, ref, QueueStats::txOwnSource);
            queueCounter(registry, "dpdk.queue.rx.bursts", "polls that returned frames", tags, lcore, ref,
                    QueueStats::rxBursts);
            queueCounter(registry, "dpdk.queue.empty.polls", "polls that returned nothing", tags, lcore, ref,
                    QueueStats::emptyPolls);
            queueCounter(registry, "dpdk.queue.busy.cycles", "TSC cycles of the polls that returned frames, Rx to Tx",
                    tags, lcore, ref, QueueStats::busyCycles);
        }
    }

    private static PortSnapshot port(StatsSnapshots snapshots, int portId) {
        return snapshots.get().port(portId).orElseThrow(
                () -> new IllegalStateException("port " + portId + " is not in the echo's stats"));
    }

    private void portCounter(MeterRegistry registry, String name, String description, Tags tags, int portId,
            ToLongFunction<PortStats> field) {
        counter(registry, name, description, tags, s -> field.applyAsLong(port(s, portId).counters()));
    }

    private void queueCounter(MeterRegistry registry, String name, String description, Tags tags, int lcore,
            QueueRef queue, ToLongFunction<QueueStats> field) {
        counter(registry, name, description, tags, s -> s.get().queue(lcore, queue).map(field::applyAsLong).orElse(0L));
    }

    /* The function itself holds the snapshots: a function counter keeps its state object only weakly. */
    private void counter(MeterRegistry registry, String name, String description, Tags tags,
            ToLongFunction<StatsSnapshots> read) {
        StatsSnapshots source = snapshots;
        FunctionCounter.builder(name, source, unused -> read.applyAsLong(source)).description(description).tags(tags)
                .register(registry);
    }
}
