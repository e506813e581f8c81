package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.Failures;
import io.l2echo.dpdk.internal.MainLcoreThread;
import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.NativeLifecycle;
import io.l2echo.dpdk.internal.PortNatives;
import io.l2echo.dpdk.internal.QueuePoller;
import io.l2echo.dpdk.internal.Vdev;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started Ethernet port. Brought up in DPDK's skeleton order (capabilities first, then
 * configure, adjust descriptors, queues on the port's socket, start, promiscuous); closing
 * stops and closes it. Counters and link are read on the caller's thread without stopping
 * anything.
 *
 * <p>The port owns what polls its queues (an {@link EchoWorker}, a {@link PacketQueue}, l2gen's
 * generator): one poller a queue, registered when it is launched; closing the port stops and
 * closes them first, whoever closes it, and leaves the port open if one of them may still poll.
 */
public final class Port implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Port.class);
    /** RTE_ETHER_MTU plus the Ethernet header and one VLAN tag. */
    static final int LARGEST_FRAME = 1500 + 14 + 4;

    private final MainLcoreThread mainThread;
    private final DeviceInfo info;
    /*
     * net_af_packet's kernel interface (/sys/class/net/IF): its operstate is the link's truth (the
     * PMD reports up from start to stop), and its flags say whether it was promiscuous before us.
     */
    private final Optional<Path> kernelInterface;
    private final Mempool pool;
    private final NativeLifecycle lifecycle;
    /* Set on the main lcore during bring-up, read by any thread after. */
    private volatile int rxDescriptors;
    private volatile int txDescriptors;
    private volatile int queuePairs;
    private volatile boolean started;
    private volatile RssSetup rss = RssSetup.NONE;
    /* Promiscuous mode we turned on, to turn off again at close. */
    private volatile boolean promiscuousByUs;
    /* Queue id to what polls it; a closed poller stays until replaced or the port closes. */
    private final Map<Integer, QueuePoller> pollers = new TreeMap<>();
    /* Set once close left the port open because a poller may still poll. */
    private volatile boolean leftOpen;

    private Port(MainLcoreThread mainThread, DeviceInfo info, Optional<Path> kernelInterface, Mempool pool) {
        this.mainThread = mainThread;
        this.info = info;
        this.kernelInterface = kernelInterface;
        this.pool = pool;
        this.lifecycle = new NativeLifecycle("port " + info.portId());
    }

    static int count() {
        return PortNatives.count();
    }

    static List<String> describeAll() {
        List<String> ports = new ArrayList<>();
        String[] names = new String[2];
        for (int id = 0; id < 65536 && ports.size() < PortNatives.count(); id++) {
            if (PortNatives.names(id, names) == 0) { // ids between ports may be free
                ports.add(id + " (" + names[0] + ", " + names[1] + ")");
            }
        }
        return ports;
    }

    static int idByName(String name, Eal eal) {
        int id = PortNatives.idByName(name);
        if (id < 0) {
            throw new DpdkException("find port " + name, "no port is named " + name + "; EAL probed "
                    + describe(eal), probeHint());
        }
        return id;
    }

    static DeviceInfo deviceInfo(int portId, Eal eal) {
        String[] names = new String[2];
        int rc = PortNatives.names(portId, names);
        if (rc < 0) {
            throw NativeErrors.toException("open port " + portId, rc, () -> "EAL probed " + describe(eal), probeHint());
        }
        long[] fields = new long[DeviceInfo.FIELD_COUNT];
        NativeErrors.check(PortNatives.info(portId, fields), "read port " + portId + "'s device info", (String) null);
        return DeviceInfo.of(portId, names[0], names[1], fields,
                List.of(PortNatives.rssHashNames(fields[DeviceInfo.RSS_OFFLOADS])));
    }

    private static String describe(Eal eal) {
        List<String> ports = eal.describePorts();
        return ports.isEmpty() ? "no ports" : "port(s) " + String.join(", ", ports);
    }

    private static String probeHint() {
        return "give EAL the device: --vdev=net_af_packet0,iface=IF for a kernel interface, or -a PCI_ADDRESS "
                + "for a NIC bound to vfio-pci or uio_pci_generic (scripts/bind_nic.sh)";
    }

    static Port start(Eal eal, MainLcoreThread mainThread, PortConfig config, Mempool pool) {
        int portId = config.portName().map(name -> idByName(name, eal)).orElse(config.portId());
        DeviceInfo info = deviceInfo(portId, eal);
        requireQueues(info, config);
        warnIfUnpolledAfPacketQueues(info, config);
        Optional<Path> kernelInterface = info.driver().equals("net_af_packet")
                ? Vdev.named(eal.arguments(), info.name()).flatMap(vdev -> vdev.arg("iface"))
                        .map(iface -> Path.of("/sys/class/net", iface))
                : Optional.empty();
        Port port = new Port(mainThread, info, kernelInterface, pool);
        pool.attach(port.toString()); // its Rx rings fill from the pool: it must outlive the port
        try {
            mainThread.run("start " + port, () -> port.bringUp(config, pool));
        } catch (RuntimeException e) {
            try {
                port.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (port.rxDescriptors != config.rxDescriptors() || port.txDescriptors != config.txDescriptors()) {
            LOG.info("port {}: descriptors adjusted to the device's limits: {} Rx, {} Tx", portId,
                    port.rxDescriptors, port.txDescriptors);
        }
        return port;
    }

    /*
     * net_af_packet hashes received frames over all of its qpairs sockets whatever the app
     * configures: frames hashed to a socket nobody polls fill its ring and are lost.
     */
    private static void warnIfUnpolledAfPacketQueues(DeviceInfo info, PortConfig config) {
        if (info.driver().equals("net_af_packet") && info.maxRxQueues() > config.rxQueues()) {
            LOG.warn("port {} (net_af_packet) spreads frames over {} qpairs, {} are polled: frames hashed to the "
                    + "others are lost; give the vdev qpairs={}", info.portId(), info.maxRxQueues(), config.rxQueues(),
                    config.rxQueues());
        }
    }

    private static void requireQueues(DeviceInfo info, PortConfig config) {
        if (config.rxQueues() > info.maxRxQueues() || config.txQueues() > info.maxTxQueues()) {
            throw new DpdkException("configure port " + info.portId(), String.format(
                    "%s (%s) offers at most %d Rx / %d Tx queues, %d / %d asked for", info.name(), info.driver(),
                    info.maxRxQueues(), info.maxTxQueues(), config.rxQueues(), config.txQueues()),
                    "use fewer lcores or queues, a NIC with more queues, or in a VM a multiqueue virtio NIC "
                            + "(QEMU: -netdev tap,...,queues=N -device virtio-net-pci,mq=on,vectors=2N+2)");
        }
    }

    /* Masks the requested hash types to the device's, and says what it dropped. */
    private static RssSetup planRss(DeviceInfo info, PortConfig config) {
        long requested = 0;
        long[] typeBits = new long[1];
        for (String name : config.rssHashTypes()) {
            NativeErrors.check(PortNatives.rssHashBits(name, typeBits), "configure RSS on port " + info.portId(),
                    "use ip, tcp, udp, sctp, or DPDK's names such as ipv4, ipv4-tcp, ipv6-udp (the device offers "
                    + info.rssHashTypes() + ")");
            requested |= typeBits[0];
        }
        if (config.rxQueues() < 2 || requested == 0) {
            return RssSetup.NONE;
        }
        RssSetup rss = RssSetup.mask(config.rssHashTypes(), requested, info.rssOffloads(), config.rssSymmetric(),
                bits -> List.of(PortNatives.rssHashNames(bits)));
        if (info.rssOffloads() == 0) {
            LOG.warn("port {} ({}) offers no RSS: which queue a frame lands on is the device's own choice",
                    info.portId(), info.driver());
        } else if (!rss.unsupported().isEmpty()) {
            LOG.warn("port {} ({}) cannot hash on {}: RSS uses {}", info.portId(), info.driver(),
                    rss.unsupported(), rss.enabled() ? rss.applied() : "nothing");
        }
        if (config.rssSymmetric() && rss.enabled() && info.hashKeySize() == 0) {
            LOG.warn("port {} ({}) takes no RSS key: the hash stays the driver's own", info.portId(), info.driver());
            return new RssSetup(rss.requested(), rss.appliedBits(), rss.applied(), rss.unsupported(), false);
        }
        return rss;
    }

    /* Where a driver fails configure for a reason of its own that DPDK logs but does not return. */
    private static String configureHint(DeviceInfo info) {
        if (info.driver().equals("net_vhost")) {
            return "DPDK's log above names the cause; the directory of iface= must exist";
        }
        return "DPDK's log above names the cause";
    }

    /*
     * Whether frames must span mbufs: DPDK configures an MTU of 1500 unless asked, so the largest
     * frame is 1500 bytes, its Ethernet header and one VLAN tag (the CRC is stripped).
     */
    private static boolean needsScatter(DeviceInfo info, Mempool pool, String where) {
        if (pool.frameCapacity() >= LARGEST_FRAME) {
            return false;
        }
        if (!info.scatter()) {
            throw new DpdkException("configure " + where, String.format("frames of up to %d bytes do not fit one "
                    + "%d-byte mbuf, and %s cannot spread a frame over several (no Rx scatter and Tx "
                    + "multi-segment offloads)", LARGEST_FRAME, pool.frameCapacity(), info.driver()),
                    "raise --mbuf-size to at least " + LARGEST_FRAME);
        }
        LOG.info("{}: Rx scatter on: frames of up to {} bytes span up to {} mbufs of {} bytes", where, LARGEST_FRAME,
                (LARGEST_FRAME + pool.frameCapacity() - 1) / pool.frameCapacity(), pool.frameCapacity());
        return true;
    }

    private void bringUp(PortConfig config, Mempool pool) {
        int id = info.portId();
        int[] descriptors = {config.rxDescriptors(), config.txDescriptors()};
        String where = "port " + id + " (" + info.name() + ")";
        RssSetup plannedRss = planRss(info, config);
        byte[] key = plannedRss.symmetric() ? RssSetup.symmetricKey(info.hashKeySize()) : null;
        boolean scatter = needsScatter(info, pool, where);
        NativeErrors.check(PortNatives.configure(id, config.rxQueues(), config.txQueues(), plannedRss.appliedBits(), key,
                scatter), "configure " + where, configureHint(info));
        rss = plannedRss;
        NativeErrors.check(PortNatives.adjustDescriptors(id, descriptors), "adjust descriptors of " + where,
                (String) null);
        rxDescriptors = descriptors[0];
        txDescriptors = descriptors[1];
        for (int q = 0; q < config.rxQueues(); q++) {
            NativeErrors.check(PortNatives.rxQueueSetup(id, q, descriptors[0], pool.handle()),
                    "set up Rx queue " + q + " of " + where, "fewer --rx-desc, or more --mbufs");
        }
        for (int q = 0; q < config.txQueues(); q++) {
            NativeErrors.check(PortNatives.txQueueSetup(id, q, descriptors[1]), "set up Tx queue " + q + " of " + where,
                    "try fewer --tx-desc");
        }
        NativeErrors.check(PortNatives.start(id), "start " + where, "DPDK's log above names the cause");
        started = true;
        queuePairs = Math.min(config.rxQueues(), config.txQueues());
        if (config.promiscuous()) {
            // A kernel interface someone made promiscuous before us stays so after us.
            boolean alreadyOn = kernelInterface.map(Port::isPromiscuous).orElse(false);
            int rc = PortNatives.setPromiscuous(id, true);
            if (rc < 0) {
                // Some virtual devices have no such mode and see every frame anyway.
                LOG.warn("{}: promiscuous mode not set: {}", where, NativeErrors.text(-rc));
            }
            promiscuousByUs = rc == 0 && !alreadyOn;
        }
    }

    /**
     * Runs {@code call} while the port is open: a close that begins meanwhile waits for it, so
     * a poller it {@linkplain #register registers} is closed with the port.
     */
    <T> T within(Supplier<T> call) {
        return lifecycle.get(call);
    }

    /* Inside within(), after requirePollable: the caller serialises launches. */
    void register(int queue, QueuePoller poller) {
        synchronized (pollers) {
            pollers.put(queue, poller);
        }
    }

    boolean isClosed() {
        return lifecycle.isClosed();
    }

    /** Throws unless {@code queue} is one of the port's Rx queues and nothing polls it. */
    void requirePollable(int queue, String operation) {
        lifecycle.run(() -> {
            if (queue < 0 || queue >= queuePairs) {
                throw new DpdkException(operation, this + " has " + queuePairs + " Rx/Tx queue pair(s), no queue "
                        + queue, "start the port with more queues");
            }
            synchronized (pollers) {
                QueuePoller current = pollers.get(queue);
                if (current != null && current.stillPolls()) {
                    throw new DpdkException(operation, "queue " + queue + " of " + this + " is polled by "
                            + current, "one poller a queue: use another queue, or close what polls it first");
                }
            }
        });
    }

    /* Pollers of several of the port's queues (a worker serving two) once each. */
    List<QueuePoller> pollers() {
        synchronized (pollers) {
            return List.copyOf(new LinkedHashSet<>(pollers.values()));
        }
    }

    /** Whether {@link #close()} had to leave the port open: a loop may still poll one of its queues. */
    boolean leftOpen() {
        return leftOpen;
    }

    /** The DPDK port id. */
    public int id() {
        return info.portId();
    }

    /** What the device offers, as read before the port was configured. */
    public DeviceInfo info() {
        return info;
    }

    /**
     * Descriptors per Rx ring: the configured count as the device's limits adjusted it
     * ({@code rte_eth_dev_adjust_nb_rx_tx_desc}).
     */
    public int rxDescriptors() {
        return rxDescriptors;
    }

    /** How received frames are spread over the Rx queues. */
    public RssSetup rss() {
        return rss;
    }

    /** Descriptors per Tx ring: the configured count as the device's limits adjusted it. */
    public int txDescriptors() {
        return txDescriptors;
    }

    /** The port's basic counters now ({@code rte_eth_stats_get}), read on the caller's thread while the loops run. */
    public PortStats stats() {
        long[] fields = new long[PortStats.FIELD_COUNT];
        lifecycle.run(() -> NativeErrors.check(PortNatives.stats(id(), fields), "read port " + id() + "'s stats",
                (String) null));
        return PortStats.of(fields);
    }

    /**
     * Zeroes the port's counters. Call it with the loops stopped: many drivers update their
     * counters with plain stores on the polling lcore, and a reset racing them is lost.
     */
    public void resetStats() {
        lifecycle.run(() -> NativeErrors.check(PortNatives.resetStats(id()), "reset port " + id() + "'s stats",
                (String) null));
    }

    /**
     * The link as last reported, without waiting for it to settle; for net_af_packet, up or down as
     * its kernel interface's operstate says.
     */
    public LinkStatus link() {
        long[] fields = new long[LinkStatus.FIELD_COUNT];
        lifecycle.run(() -> NativeErrors.check(PortNatives.link(id(), fields), "read port " + id() + "'s link",
                (String) null));
        LinkStatus reported = LinkStatus.of(fields);
        return kernelInterface.map(dir -> reported.withUp(isUp(dir.resolve("operstate")))).orElse(reported);
    }

    /**
     * Brings the link administratively up or down ({@code rte_eth_dev_set_link_up/down}): a
     * switch port sees carrier go, and the loops keep polling. Fails with {@code ENOTSUP} on
     * drivers without it (net_af_packet: bring its kernel interface down instead).
     */
    public void setLink(boolean up) {
        String operation = "set " + this + "'s link " + (up ? "up" : "down");
        lifecycle.run(() -> mainThread.run(operation, () -> NativeErrors.check(PortNatives.setLink(id(), up), operation,
                "not every driver can: check the device's documentation")));
    }

    /* IFF_PROMISC in the interface's flags. */
    private static boolean isPromiscuous(Path kernelInterface) {
        try {
            return (Long.decode(Files.readString(kernelInterface.resolve("flags")).trim()) & 0x100) != 0;
        } catch (IOException | NumberFormatException unreadable) {
            return false;
        }
    }

    /* operstate: up, down, lowerlayerdown (the veth peer is down), unknown (no carrier notion: up). */
    private static boolean isUp(Path operState) {
        try {
            String state = Files.readString(operState).trim();
            return state.equals("up") || state.equals("unknown");
        } catch (IOException gone) {
            return false; // the interface was deleted
        }
    }

    /** The driver's extended counters, named as DPDK names them. */
    public List<ExtendedStat> extendedStats() {
        String[][] namesOut = new String[1][];
        long[][] valuesOut = new long[1][];
        int count = lifecycle.call(() -> {
            NativeErrors.check(PortNatives.xstatNames(id(), namesOut), "read port " + id() + "'s xstat names",
                    (String) null);
            valuesOut[0] = new long[namesOut[0].length];
            return NativeErrors.check(PortNatives.xstatValues(id(), valuesOut[0]), "read port " + id() + "'s xstats",
                    (String) null);
        });
        String[] names = namesOut[0];
        long[] values = valuesOut[0];
        List<ExtendedStat> stats = new ArrayList<>(names.length);
        for (int i = 0; i < Math.min(count, names.length); i++) {
            stats.add(new ExtendedStat(names[i], values[i]));
        }
        return stats;
    }

    /**
     * Stops and closes what polls the port's queues, then stops and closes the port on the main
     * lcore, once the calls in flight on other threads returned (a read, a loop being launched);
     * calls after it throw {@link IllegalStateException}. Idempotent, from any thread. If a poller
     * cannot be stopped, the port stays open (its loop may still poll) and the failure is thrown;
     * what a Java packet handler threw is thrown after the port is closed.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        List<QueuePoller> polling = pollers();
        polling.forEach(QueuePoller::requestStop); // all wind down at once
        List<RuntimeException> failures = new ArrayList<>();
        for (QueuePoller poller : polling) {
            try {
                poller.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (polling.stream().anyMatch(QueuePoller::stillPolls)) {
            leftOpen = true;
            LOG.error("{} left open: what polls it did not stop", this);
            throw Failures.combined(failures);
        }
        int id = id();
        mainThread.run("close port " + id, () -> {
            if (promiscuousByUs) {
                // net_af_packet would leave IFF_PROMISC on the kernel interface after we exit.
                PortNatives.setPromiscuous(id, false);
            }
            if (started) {
                NativeErrors.check(PortNatives.stop(id), "stop port " + id, (String) null);
            }
            NativeErrors.check(PortNatives.close(id), "close port " + id, (String) null);
        });
        // Only a port that closed gave its mbufs back: after a failure the pool must stay.
        pool.detach(toString());
        if (!failures.isEmpty()) {
            throw Failures.combined(failures);
        }
    }

    @Override
    public String toString() {
        return "port " + id() + " (" + info.name() + ")";
    }
}
