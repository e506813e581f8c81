package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.Failures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running MAC-swap echo: EAL, its ports, a pool per port on the port's NUMA socket, a worker
 * per polling lcore as the {@link LcorePlan} assigns the queues, and a control-plane thread that
 * reports link changes. What both echo apps run, and what a JVM service embeds. With
 * {@link EchoConfig.Builder#packetHandlers} the queues are served by Java packet logic instead
 * of the native swap: a {@link PacketLoop} per queue, on the lcore the plan gives it.
 *
 * <p>Thread-safe: {@link #stats()}, {@link #stopWorkers()} and {@link #close()} may be called
 * from any thread, and the last two are idempotent. The polling lcores never enter the JVM.
 */
public final class EchoService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EchoService.class);

    private final Eal eal;
    private final List<Port> ports;
    private final List<Mempool> pools;
    private final LcorePlan plan;
    private final List<EchoWorker> workers;
    private final List<PacketLoop> packetLoops;
    private final LinkWatcher linkWatcher;

    private EchoService(Eal eal, List<Port> ports, List<Mempool> pools, LcorePlan plan, List<EchoWorker> workers,
            List<PacketLoop> packetLoops, LinkWatcher linkWatcher) {
        this.eal = eal;
        this.ports = List.copyOf(ports);
        this.pools = List.copyOf(pools);
        this.plan = plan;
        this.workers = List.copyOf(workers);
        this.packetLoops = List.copyOf(packetLoops);
        this.linkWatcher = linkWatcher;
    }

    /**
     * Initialises EAL with the config's arguments and starts echoing on every port. Either
     * returns a running echo or throws a {@link DpdkException}, leaving nothing initialised.
     */
    public static EchoService start(EchoConfig config) {
        Eal eal = Eal.init(config.ealArgs(), config.capture());
        try {
            return start(eal, config);
        } catch (RuntimeException e) {
            try {
                eal.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static EchoService start(Eal eal, EchoConfig config) {
        List<Integer> portIds = new ArrayList<>();
        for (PortConfig port : config.ports()) {
            int id = port.portName().map(eal::portIdByName).orElse(port.portId());
            if (portIds.contains(id)) {
                throw new DpdkException("plan the ports", port.portName().orElse("port " + id) + " is port " + id
                        + ", given twice", "name each port once");
            }
            portIds.add(id);
        }
        LcorePlan plan = LcorePlan.spread(eal.mainLcore(), eal.workerLcores(), portIds, config.queues());
        if (config.packetHandlers().isPresent()) {
            requireOneQueuePerLcore(plan);
        }
        List<Port> ports = new ArrayList<>();
        List<Mempool> pools = new ArrayList<>();
        for (int i = 0; i < portIds.size(); i++) {
            int portId = portIds.get(i);
            DeviceInfo info = eal.deviceInfo(portId);
            warnIfRemoteSocket(eal, info, plan);
            Mempool pool = eal.createMempool("echo_pool_p" + portId, poolSize(config, config.ports().get(i), plan,
                    portId), config.mbufCacheSize(), config.mbufFrameBytes() + Mempool.HEADROOM, info.socketId());
            pools.add(pool);
            ports.add(eal.startPort(config.ports().get(i).resolved(portId, plan.queueCount(portId)), pool));
        }
        List<EchoWorker> workers = new ArrayList<>();
        List<PacketLoop> packetLoops = new ArrayList<>();
        for (LcorePlan.Assignment assignment : plan.assignments()) {
            if (config.packetHandlers().isPresent()) {
                QueueRef queue = assignment.queues().get(0);
                int index = portIds.indexOf(queue.port());
                PacketHandler handler = Objects.requireNonNull(config.packetHandlers().get().create(queue,
                        ports.get(index).info()), () -> "the packet handler factory made none for " + queue);
                PacketQueue packets = eal.openPacketQueue(queue, pools.get(index), config.burstSize(),
                        config.txRetries());
                packetLoops.add(eal.launchPacketLoop(assignment.lcore(), packets, handler, config.idleStrategy()));
            } else {
                workers.add(eal.launchEcho(assignment.lcore(), assignment.queues(), config.burstSize(),
                        config.txRetries(), config.swapLevel(), config.reflectPolicy()));
            }
        }
        Map<Integer, Supplier<LinkStatus>> links = new LinkedHashMap<>();
        ports.forEach(port -> links.put(port.id(), port::link));
        LinkWatcher linkWatcher = new LinkWatcher(links, config.linkPollInterval(), eal::pinCurrentThreadToControlPlane);
        linkWatcher.start();
        return new EchoService(eal, ports, pools, plan, workers, packetLoops, linkWatcher);
    }

    /* A Java packet loop polls one queue: a thread that served two would be two handlers' worth of latency. */
    private static void requireOneQueuePerLcore(LcorePlan plan) {
        for (LcorePlan.Assignment assignment : plan.assignments()) {
            if (assignment.queues().size() > 1) {
                throw new DpdkException("plan the Java packet loops", "lcore " + assignment.lcore() + " would poll "
                        + assignment.queues() + ", and a Java packet loop polls one queue",
                        "give EAL a polling lcore per queue with -l, or echo fewer ports or queues");
            }
        }
    }

    /* The pool of one port: its queues' descriptors, a burst in flight each, the caches of the lcores polling it. */
    static int poolSize(EchoConfig config, PortConfig port, LcorePlan plan, int portId) {
        int queues = plan.queueCount(portId);
        int lcores = plan.lcoresPolling(portId);
        int required = Mempool.requiredSize(queues, port.rxDescriptors(), port.txDescriptors(), config.burstSize(),
                lcores, config.mbufCacheSize());
        if (config.mbufs() == 0) {
            return Mempool.recommendedSize(required);
        }
        if (config.mbufs() < required) {
            throw new DpdkException("size the mbuf pool of port " + portId, config.mbufs()
                    + " mbufs are fewer than the " + required + " that " + queues + " queue(s) of "
                    + port.rxDescriptors() + " Rx + " + port.txDescriptors() + " Tx descriptors, bursts of "
                    + config.burstSize() + " and " + lcores + " lcore cache(s) of " + config.mbufCacheSize()
                    + " can hold", "raise --mbufs to at least " + required + ", or lower --rx-desc/--tx-desc/--mbuf-cache");
        }
        if (config.mbufCacheSize() * 3 > config.mbufs() * 2) {
            throw new DpdkException("size the mbuf pool of port " + portId, "a cache of " + config.mbufCacheSize()
                    + " is more than two thirds of " + config.mbufs() + " mbufs", "lower --mbuf-cache");
        }
        return config.mbufs();
    }

    private static void warnIfRemoteSocket(Eal eal, DeviceInfo info, LcorePlan plan) {
        if (info.socketId() < 0) {
            return;
        }
        for (LcorePlan.Assignment assignment : plan.assignments()) {
            boolean pollsThisPort = assignment.queues().stream().anyMatch(q -> q.port() == info.portId());
            int socket = eal.lcoreSocket(assignment.lcore());
            if (pollsThisPort && socket != info.socketId()) {
                LOG.warn("lcore {} is on NUMA socket {}, port {} on socket {}: every frame crosses the "
                        + "interconnect; pick lcores on socket {}", assignment.lcore(), socket, info.portId(),
                        info.socketId(), info.socketId());
            }
        }
    }

    /** The EAL the echo runs in: lcores, CPU pinning, version. */
    public Eal eal() {
        return eal;
    }

    /** The ports, in the configuration's order. */
    public List<Port> ports() {
        return ports;
    }

    /** Each port's pool, in the order of {@link #ports()}. */
    public List<Mempool> pools() {
        return pools;
    }

    /** Which lcore polls which queue. */
    public LcorePlan plan() {
        return plan;
    }

    /** One native echo worker per polling lcore, in the plan's order; none with Java packet logic. */
    public List<EchoWorker> workers() {
        return workers;
    }

    /** One Java packet loop per queue, in the plan's order, with {@link EchoConfig#packetHandlers()}; else none. */
    public List<PacketLoop> packetLoops() {
        return packetLoops;
    }

    /**
     * Tells {@code listener} of every link change from now on, on the control-plane thread
     * {@code dpdk-link-watch} (pinned off the polling CPUs). The state before it was added is in
     * {@link #stats()}.
     */
    public void addLinkListener(LinkListener listener) {
        linkWatcher.addListener(listener);
    }

    /** Every queue's counters, each port's counters, link and pool occupancy, without pausing the loops. */
    public EchoStats stats() {
        List<QueueStats> queues = new ArrayList<>();
        for (EchoWorker worker : workers) {
            worker.counters().forEach(counters -> queues.add(counters.snapshot()));
        }
        packetLoops.forEach(loop -> queues.add(loop.queue().counters().snapshot()));
        List<PortSnapshot> snapshots = new ArrayList<>(ports.size());
        for (int i = 0; i < ports.size(); i++) {
            Port port = ports.get(i);
            snapshots.add(new PortSnapshot(port.id(), port.stats(), port.link(), pools.get(i).inUse()));
        }
        return new EchoStats(System.nanoTime(), List.copyOf(queues), List.copyOf(snapshots));
    }

    /**
     * Stops every loop and waits for it, leaving the ports open: {@link #stats()} then gives
     * the final figures. Idempotent. Throws what a Java packet handler threw, if one did, once
     * every loop has stopped (the other handlers' failures suppressed in it).
     */
    public void stopWorkers() {
        workers.forEach(EchoWorker::requestStop);
        packetLoops.forEach(PacketLoop::requestStop);
        workers.forEach(EchoWorker::close);
        List<RuntimeException> failures = new ArrayList<>();
        for (PacketLoop loop : packetLoops) {
            try {
                loop.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw Failures.combined(failures);
        }
    }

    /** Stops the link watch and the loops, and takes everything down in DPDK's order. Idempotent. */
    @Override
    public void close() {
        linkWatcher.close();
        eal.close();
    }
}
