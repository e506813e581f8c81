package io.l2echo.dpdk;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running MAC-swap echo: EAL, one port, one pool, and a worker per polling lcore as the
 * {@link LcorePlan} assigns them. What both echo apps run, and what a JVM service embeds.
 */
public final class EchoService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EchoService.class);

    private final Eal eal;
    private final Port port;
    private final Mempool pool;
    private final LcorePlan plan;
    private final List<EchoWorker> workers;

    private EchoService(Eal eal, Port port, Mempool pool, LcorePlan plan, List<EchoWorker> workers) {
        this.eal = eal;
        this.port = port;
        this.pool = pool;
        this.plan = plan;
        this.workers = List.copyOf(workers);
    }

    /** Initialises EAL with the config's arguments and starts echoing. */
    public static EchoService start(EchoConfig config) {
        Eal eal = Eal.init(config.ealArgs());
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
        int portId = config.port().portName().map(eal::portIdByName).orElse(config.port().portId());
        DeviceInfo info = eal.deviceInfo(portId);
        LcorePlan plan = LcorePlan.queuePerLcore(eal.mainLcore(), eal.workerLcores(), portId, config.queues());
        int mbufs = poolSize(config, plan);
        warnIfRemoteSocket(eal, info, plan);

        Mempool pool = eal.createMempool("echo_pool_p" + portId, mbufs, config.mbufCacheSize(),
                config.mbufFrameBytes() + Mempool.HEADROOM, info.socketId());
        Port port = eal.startPort(config.portConfig(portId, plan.queueCount()), pool);
        List<EchoWorker> workers = new ArrayList<>();
        for (LcorePlan.Assignment assignment : plan.assignments()) {
            workers.add(eal.launchEcho(assignment.lcore(), assignment.queues(), config.burstSize(),
                    config.txRetries()));
        }
        return new EchoService(eal, port, pool, plan, workers);
    }

    static int poolSize(EchoConfig config, LcorePlan plan) {
        PortConfig port = config.port();
        int required = Mempool.requiredSize(plan.queueCount(), port.rxDescriptors(), port.txDescriptors(),
                config.burstSize(), plan.pollingLcoreCount(), config.mbufCacheSize());
        if (config.mbufs() == 0) {
            return Mempool.recommendedSize(required);
        }
        if (config.mbufs() < required) {
            throw new DpdkException("size the mbuf pool", config.mbufs() + " mbufs are fewer than the " + required
                    + " that " + plan.queueCount() + " queue(s) of " + port.rxDescriptors() + " Rx + "
                    + port.txDescriptors() + " Tx descriptors, bursts of " + config.burstSize() + " and "
                    + plan.pollingLcoreCount() + " lcore cache(s) of " + config.mbufCacheSize() + " can hold",
                    "raise --mbufs to at least " + required + ", or lower --rx-desc/--tx-desc/--mbuf-cache");
        }
        if (config.mbufCacheSize() * 3 > config.mbufs() * 2) {
            throw new DpdkException("size the mbuf pool", "a cache of " + config.mbufCacheSize()
                    + " is more than two thirds of " + config.mbufs() + " mbufs", "lower --mbuf-cache");
        }
        return config.mbufs();
    }

    private static void warnIfRemoteSocket(Eal eal, DeviceInfo info, LcorePlan plan) {
        if (info.socketId() < 0) {
            return;
        }
        for (LcorePlan.Assignment assignment : plan.assignments()) {
            int socket = eal.lcoreSocket(assignment.lcore());
            if (socket != info.socketId()) {
                LOG.warn("lcore {} is on NUMA socket {}, port {} on socket {}: every frame crosses the "
                        + "interconnect; pick lcores on socket {}", assignment.lcore(), socket, info.portId(),
                        info.socketId(), info.socketId());
            }
        }
    }

    public Eal eal() {
        return eal;
    }

    public Port port() {
        return port;
    }

    public Mempool pool() {
        return pool;
    }

    public LcorePlan plan() {
        return plan;
    }

    public List<EchoWorker> workers() {
        return workers;
    }

    /** Every queue's counters, the port's counters and link, the pool's occupancy, without pausing the loops. */
    public EchoStats stats() {
        List<QueueStats> queues = new ArrayList<>();
        for (EchoWorker worker : workers) {
            worker.counters().forEach(counters -> queues.add(counters.snapshot()));
        }
        return new EchoStats(System.nanoTime(), List.copyOf(queues), port.stats(), port.link(), pool.inUse());
    }

    /**
     * Stops every loop and waits for it, leaving the port open: {@link #stats()} then gives
     * the final figures. Idempotent.
     */
    public void stopWorkers() {
        workers.forEach(EchoWorker::requestStop);
        workers.forEach(EchoWorker::close);
    }

    /** Stops the loops and takes everything down in DPDK's order. Idempotent. */
    @Override
    public void close() {
        eal.close();
    }
}
