package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.DpdkLog;
import io.l2echo.dpdk.internal.EalNatives;
import io.l2echo.dpdk.internal.EchoWorkerNatives;
import io.l2echo.dpdk.internal.EalAccess;
import io.l2echo.dpdk.internal.MainLcoreThread;
import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.NativeLifecycle;
import io.l2echo.dpdk.internal.NativeLoader;
import io.l2echo.dpdk.internal.PacketQueueNatives;
import io.l2echo.dpdk.internal.Preflight;
import io.l2echo.dpdk.internal.ThreadAffinity;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DPDK's Environment Abstraction Layer, initialised at most once per process. Owns what is
 * created through it and closes it in DPDK's order: echo workers, generators and Java packet
 * loops stopped and joined, packet queues closed, ports stopped and closed, pools freed, then
 * {@code rte_eal_cleanup}.
 *
 * <p>{@code rte_eal_init} pins the calling thread to the main lcore, so it runs on a thread
 * of its own ({@code dpdk-main-lcore}); configuration runs there too. The thread that calls
 * {@link #init} keeps its affinity, and so do the threads it starts.
 */
public final class Eal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Eal.class);
    /* NOT_CALLED until rte_eal_init runs (PREPARING while one thread checks and loads), CALLED from then on. */
    private static final AtomicReference<Initialisation> INITIALISATION =
            new AtomicReference<>(Initialisation.NOT_CALLED);

    private enum Initialisation { NOT_CALLED, PREPARING, CALLED }
    private static final long STOP_TIMEOUT_MILLIS = 2_000;

    static {
        EalAccess.set(new EalAccess.Accessor() {
            @Override
            public <T extends EalAccess.OwnedLoop> T launch(Eal eal, int lcore, String operation,
                    EalAccess.LoopLauncher<T> launcher) {
                return eal.launchOwned(lcore, operation, launcher);
            }

            @Override
            public long handle(Mempool pool) {
                return pool.handle();
            }

            @Override
            public void attach(Mempool pool, String user) {
                pool.attach(user);
            }

            @Override
            public void detach(Mempool pool, String user) {
                pool.detach(user);
            }
        });
    }

    private final MainLcoreThread mainThread;
    private final Set<Integer> processCpus;
    private final int mainLcore;
    private final long tscHz;
    private final List<Integer> workerLcores;
    private final Path runtimeDir;
    private final List<String> args;
    /* Calls run inside it: close waits for those in flight, so whatever they made is registered, then closed. */
    private final NativeLifecycle lifecycle = new NativeLifecycle("the EAL");
    private final List<EchoWorker> workers = Collections.synchronizedList(new ArrayList<>());
    /* Native loops launched through EalAccess (l2gen's generator): stopped with the echo workers. */
    private final List<EalAccess.OwnedLoop> ownedLoops = Collections.synchronizedList(new ArrayList<>());
    private final List<PacketLoop> packetLoops = Collections.synchronizedList(new ArrayList<>());
    private final List<PacketQueue> packetQueues = Collections.synchronizedList(new ArrayList<>());
    private final List<Port> ports = Collections.synchronizedList(new ArrayList<>());
    private final List<Mempool> pools = Collections.synchronizedList(new ArrayList<>());

    private Eal(MainLcoreThread mainThread, Set<Integer> processCpus, List<String> args) {
        this.mainThread = mainThread;
        this.args = args;
        this.processCpus = processCpus;
        this.mainLcore = EalNatives.mainLcore();
        this.workerLcores = Arrays.stream(EalNatives.workerLcores()).boxed().toList();
        this.runtimeDir = Path.of(EalNatives.runtimeDir());
        this.tscHz = EalNatives.tscHz();
    }

    /**
     * Checks the environment, loads the shim and runs {@code rte_eal_init} with these
     * arguments (EAL's own, without a program name; see {@link EalArguments#withDefaults}
     * for the one default added). Once per process: DPDK cannot initialise twice, nor again
     * after cleanup, nor after its initialisation failed. A refusal before DPDK was asked (the
     * environment check, loading the shim) leaves nothing behind: fix the cause and call again.
     */
    public static Eal init(List<String> userArgs) {
        if (!INITIALISATION.compareAndSet(Initialisation.NOT_CALLED, Initialisation.PREPARING)) {
            throw new DpdkException("initialise EAL", INITIALISATION.get() == Initialisation.PREPARING
                    ? "another thread is initialising EAL" : "rte_eal_init already ran in this process",
                    "DPDK allows one EAL per process, and none after its cleanup or failure: share the Eal instance");
        }
        List<String> ealArgs;
        try {
            ealArgs = EalArguments.withDefaults(userArgs);
            Preflight.ofThisMachine().require(ealArgs);
            NativeLoader.load();
            DpdkLog.capture();
            QueueCounters.verifyLayout(EchoWorkerNatives.layout());
            PacketQueue.verifyLayout(PacketQueueNatives.layout());
        } catch (RuntimeException | Error e) {
            INITIALISATION.set(Initialisation.NOT_CALLED); // DPDK was not asked: a later call may try again
            throw e;
        }
        INITIALISATION.set(Initialisation.CALLED);

        Set<Integer> processCpus = ThreadAffinity.currentThreadCpus();
        MainLcoreThread mainThread = new MainLcoreThread();
        String[] argv = ealArgs.toArray(String[]::new);
        int parsed;
        try {
            parsed = mainThread.call("initialise EAL", () -> NativeErrors.check(EalNatives.init(argv), "initialise EAL",
                    Eal::initHint));
        } catch (RuntimeException e) {
            DpdkLog.drain(); // EAL's own account of the failure, before ours
            removeIfEmpty(EalNatives.runtimeDir());
            shutdownQuietly(mainThread);
            throw e;
        }
        DpdkLog.drain();
        Eal eal = new Eal(mainThread, processCpus, ealArgs);
        if (parsed < argv.length) {
            eal.close();
            throw new DpdkException("initialise EAL", "'" + argv[parsed] + "' is not an EAL option",
                    "application options go after '--': [EAL options] -- [application options]");
        }
        return eal;
    }

    private static String initHint(String errnoName) {
        return switch (errnoName) {
            case "EACCES", "EPERM" -> "run as root (sudo)";
            case "ENOMEM" -> "not enough free hugepage memory: reserve more (sudo scripts/setup_env.sh "
                    + "--pages N) or ask for less (-m MB)";
            case "EINVAL" -> "check the EAL options before '--' (DPDK names the offending one above); "
                    + "application options go after '--'";
            case "ENODEV", "ENOENT" -> "check the device arguments (--vdev, -a) and that their drivers "
                    + "are installed";
            case "EALREADY" -> "EAL runs once per process";
            case "EBUSY" -> "another DPDK process uses this --file-prefix: stop it or choose another prefix";
            default -> "DPDK's log above says which step failed";
        };
    }

    /** The DPDK release the shim runs on, such as "DPDK 22.11.11". */
    public String dpdkVersion() {
        return lifecycle.get(EalNatives::version);
    }

    /** The arguments rte_eal_init was given, defaults included. */
    public List<String> arguments() {
        return args;
    }

    /**
     * Every call Java made into the shim since it was loaded: configuration, stats, control,
     * and the bursts of every packet queue opened here (which count themselves in their own
     * records, so polling writes no shared word). Set beside a packet count, it shows that no
     * packet costs a JNI call.
     */
    public long jniCalls() {
        long calls = NativeErrors.jniCalls();
        synchronized (packetQueues) {
            for (PacketQueue queue : packetQueues) {
                calls += queue.jniCalls();
            }
        }
        return calls;
    }

    /** The main lcore, whose thread ({@code dpdk-main-lcore}) runs every configuration call. */
    public int mainLcore() {
        return mainLcore;
    }

    /**
     * The TSC's frequency as EAL measured it at start-up ({@code rte_get_tsc_hz}): what turns
     * {@link QueueStats#busyCycles()} into time.
     */
    public long tscHz() {
        return tscHz;
    }

    /** Lcores other than the main one, in EAL's order. */
    public List<Integer> workerLcores() {
        return workerLcores;
    }

    /** The CPUs an lcore's thread is pinned to. */
    public Set<Integer> lcoreCpus(int lcore) {
        return lifecycle.get(() -> toSet(EalNatives.lcoreCpus(lcore)));
    }

    /** The NUMA socket of an lcore. */
    public int lcoreSocket(int lcore) {
        return lifecycle.call(() -> EalNatives.lcoreSocket(lcore));
    }

    /** Where EAL keeps its runtime files (telemetry socket, lock files) for this process. */
    public Path runtimeDir() {
        return runtimeDir;
    }

    /** How many Ethernet ports EAL probed. */
    public int portCount() {
        return lifecycle.call(Port::count);
    }

    /** Port ids with their device names, for messages and listings. */
    public List<String> describePorts() {
        return lifecycle.get(Port::describeAll);
    }

    /** The port id of a device name such as {@code net_af_packet0} or {@code 0000:03:00.0}. */
    public int portIdByName(String name) {
        return lifecycle.get(() -> Port.idByName(name, this));
    }

    /**
     * What port {@code portId}'s device offers, read without configuring it; fails, naming the
     * ports EAL probed, if there is none.
     */
    public DeviceInfo deviceInfo(int portId) {
        return lifecycle.get(() -> Port.deviceInfo(portId, this));
    }

    /** A packet-buffer pool; freed by {@link Mempool#close()} or with the EAL. */
    public Mempool createMempool(String name, int size, int cacheSize, int dataRoomSize, int socketId) {
        return lifecycle.get(() -> {
            Mempool pool = mainThread.call("create mbuf pool " + name,
                    () -> Mempool.create(name, size, cacheSize, dataRoomSize, socketId));
            pools.add(pool);
            return pool;
        });
    }

    /** Configures, sets up the queues of, and starts a port; stopped and closed with the EAL. */
    public Port startPort(PortConfig config, Mempool pool) {
        return lifecycle.get(() -> {
            Port port = Port.start(this, mainThread, config, pool);
            ports.add(port);
            return port;
        });
    }

    /**
     * Starts the echo loop on {@code lcore} over {@code queues}. On a worker lcore it runs
     * there; on the main lcore it runs on the {@code dpdk-main-lcore} thread, which then
     * serves no other call until the loop stops.
     */
    public EchoWorker launchEcho(int lcore, List<QueueRef> queues, int burstSize, int txRetries) {
        return lifecycle.get(() -> {
            requireLcore(lcore, "launch the echo on lcore " + lcore);
            EchoWorker worker = EchoWorker.launch(mainThread, lcore, lcore == mainLcore, queues, burstSize,
                    txRetries, STOP_TIMEOUT_MILLIS);
            workers.add(worker);
            return worker;
        });
    }

    private <T extends EalAccess.OwnedLoop> T launchOwned(int lcore, String operation,
            EalAccess.LoopLauncher<T> launcher) {
        return lifecycle.get(() -> {
            requireLcore(lcore, operation);
            T loop = launcher.launch(mainThread, lcore == mainLcore, STOP_TIMEOUT_MILLIS);
            ownedLoops.add(loop);
            return loop;
        });
    }

    /**
     * Opens {@code queue} of a started port for polling from Java, zero-copy, a burst of up to
     * {@code burstCapacity} frames per call (see {@link PacketQueue}). {@code pool} must be the
     * pool the port's Rx queues receive into (the one given to {@link #startPort}): Java sees
     * frames through views of its memory, and new frames come from it. Frames the Tx queue
     * refuses are retried {@code txRetries} times. Closed with the EAL, before the ports. The
     * queue must not also be served by an echo worker.
     */
    public PacketQueue openPacketQueue(QueueRef queue, Mempool pool, int burstCapacity, int txRetries) {
        return lifecycle.get(() -> {
            synchronized (workers) {
                for (EchoWorker worker : workers) {
                    if (!worker.isClosed() && worker.counters().stream().anyMatch(c -> c.queue().equals(queue))) {
                        throw new DpdkException("open a packet queue on " + queue, "lcore " + worker.lcore()
                                + "'s echo loop polls it", "use a queue no echo worker serves");
                    }
                }
            }
            synchronized (packetQueues) {
                if (packetQueues.stream().anyMatch(p -> !p.isClosed() && p.queue().equals(queue))) {
                    throw new DpdkException("open a packet queue on " + queue, "it is open already",
                            "share that PacketQueue, or close it first");
                }
                PacketQueue packets = mainThread.call("open a packet queue on " + queue,
                        () -> PacketQueue.open(queue, pool, burstCapacity, txRetries));
                packetQueues.add(packets);
                return packets;
            }
        });
    }

    /**
     * Starts a Java thread that polls {@code queue} and runs {@code handler} on every burst
     * (see {@link PacketLoop}), pinned to the CPUs of {@code lcore}, an EAL lcore that runs no
     * native loop: with {@code -l 0,1}, lcore 1 is left to it when no echo is launched there.
     * Returns once the thread polls.
     */
    public PacketLoop launchPacketLoop(int lcore, PacketQueue queue, PacketHandler handler, IdleStrategy idle) {
        return lifecycle.get(() -> {
            String operation = "launch a packet loop on lcore " + lcore;
            requireLcore(lcore, operation);
            synchronized (workers) {
                if (workers.stream().anyMatch(w -> !w.isClosed() && w.lcore() == lcore)) {
                    throw new DpdkException(operation, "lcore " + lcore + " runs an echo loop", "pick an idle lcore");
                }
            }
            synchronized (packetLoops) {
                if (packetLoops.stream().anyMatch(l -> !l.isClosed() && l.pinnedLcore() == lcore)) {
                    throw new DpdkException(operation, "lcore " + lcore + " runs a packet loop already",
                            "one polling thread per lcore: pick another");
                }
                PacketLoop loop = PacketLoop.start(queue, handler, idle, lcore, lcoreCpus(lcore), STOP_TIMEOUT_MILLIS);
                packetLoops.add(loop);
                return loop;
            }
        });
    }

    private void requireLcore(int lcore, String operation) {
        if (lcore != mainLcore && !workerLcores.contains(lcore)) {
            throw new DpdkException(operation, "lcore " + lcore + " is not one of EAL's (main " + mainLcore
                    + ", workers " + workerLcores + ")", "list it in -l/--lcores");
        }
    }

    /**
     * Pins the calling thread, and every other thread of the process but EAL's lcore threads,
     * to the CPUs of this process that no running echo loop polls, so control-plane work (the
     * JVM's GC and JIT threads included) never steals a busy-polling core. Returns the CPUs
     * chosen, or an empty set when every CPU polls and the threads were left where they were.
     */
    public Set<Integer> pinToControlPlane() {
        Set<Integer> free = controlPlaneCpus();
        if (free.isEmpty()) {
            LOG.warn("every CPU of this process runs an echo loop: {} shares a core with one",
                    Thread.currentThread().getName());
            return free;
        }
        ThreadAffinity.pinCurrentThread(free);
        ThreadAffinity.pinProcessThreadsExcept(pollingThreadNames(), free);
        return free;
    }

    /**
     * The CPUs of this process that no running echo or packet loop polls: where control-plane
     * threads belong. Empty when every CPU polls.
     */
    public Set<Integer> controlPlaneCpus() {
        ensureOpen();
        Set<Integer> free = new TreeSet<>(processCpus);
        synchronized (workers) {
            for (EchoWorker worker : workers) {
                if (!worker.isClosed()) {
                    free.removeAll(lcoreCpus(worker.lcore()));
                }
            }
        }
        synchronized (packetLoops) {
            for (PacketLoop loop : packetLoops) {
                if (loop.isRunning()) {
                    free.removeAll(lcoreCpus(loop.pinnedLcore()));
                }
            }
        }
        return free;
    }

    /**
     * Pins the calling thread, alone, to {@link #controlPlaneCpus()}: for a control-plane thread
     * created after {@link #pinToControlPlane()}. Does nothing when every CPU polls.
     */
    public void pinCurrentThreadToControlPlane() {
        Set<Integer> free = controlPlaneCpus();
        if (!free.isEmpty()) {
            ThreadAffinity.pinCurrentThread(free);
        }
    }

    /* The threads that poll, by their /proc names: EAL's lcore threads and running packet loops'. */
    private Set<String> pollingThreadNames() {
        Set<String> names = lcoreThreadNames();
        synchronized (packetLoops) {
            for (PacketLoop loop : packetLoops) {
                if (loop.isRunning()) {
                    names.add(procName(loop.threadName()));
                }
            }
        }
        return names;
    }

    /* /proc's name of a thread: its first 15 bytes. */
    private static String procName(String threadName) {
        return threadName.length() <= 15 ? threadName : threadName.substring(0, 15);
    }

    /* EAL's name for a worker lcore's thread: rte-worker-N on 22.11, dpdk-workerN from 23.11. */
    private Set<String> lcoreThreadNames() {
        Set<String> names = new TreeSet<>(Set.of(MainLcoreThread.NAME));
        for (int lcore : workerLcores) {
            names.add("rte-worker-" + lcore);
            names.add("dpdk-worker" + lcore);
        }
        return names;
    }

    /** Whether {@link #close()} was called: from then on DPDK cannot be used in this process. */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    /**
     * Stops loops, closes ports, frees pools, cleans EAL up. Idempotent, from any thread: it
     * first waits for the calls in flight on other threads (a port starting, a loop launching),
     * so what they make is closed too, and calls after it throw {@link IllegalStateException}. If
     * a loop does not stop, nothing it may touch is freed, and the failure is thrown.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        List<AutoCloseable> loops = new ArrayList<>();
        synchronized (ownedLoops) {
            ownedLoops.forEach(EalAccess.OwnedLoop::requestStop);
            loops.addAll(reversed(ownedLoops));
        }
        synchronized (workers) {
            workers.forEach(EchoWorker::requestStop); // every loop winds down at once
            loops.addAll(reversed(workers));
        }
        List<AutoCloseable> javaLoops;
        synchronized (packetLoops) {
            packetLoops.forEach(PacketLoop::requestStop);
            javaLoops = new ArrayList<>(reversed(packetLoops));
        }
        closeEach(loops, failures);
        // A handler's failure stopped its loop: it is reported, and frees nothing less.
        List<RuntimeException> handlerFailures = new ArrayList<>();
        closeEach(javaLoops, handlerFailures);
        boolean stopped = failures.isEmpty() && packetLoops.stream().noneMatch(PacketLoop::isRunning);
        failures.addAll(handlerFailures);
        if (stopped) {
            List<AutoCloseable> resources = new ArrayList<>();
            synchronized (packetQueues) {
                resources.addAll(reversed(packetQueues));
            }
            synchronized (ports) {
                resources.addAll(reversed(ports));
            }
            synchronized (pools) {
                resources.addAll(reversed(pools));
            }
            closeEach(resources, failures);
            try {
                mainThread.run("clean up EAL", () -> NativeErrors.check(EalNatives.cleanup(), "clean up EAL", (String) null));
                removeRuntimeDir();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        } else {
            // A loop that may still poll must find its port, pool and memory where they were.
            LOG.error("a loop did not stop: ports, pools and EAL are left as they are until the process exits");
        }
        DpdkLog.drain();
        shutdownQuietly(mainThread);
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void closeEach(List<AutoCloseable> resources, List<RuntimeException> failures) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                failures.add(e instanceof RuntimeException r ? r : new IllegalStateException(e));
            }
        }
    }

    /*
     * EAL leaves its runtime directory (lock files, the telemetry socket) behind after
     * cleanup. Only this process used it: the primary lock was ours.
     */
    private void removeRuntimeDir() {
        if (!Files.isDirectory(runtimeDir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(runtimeDir)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(runtimeDir);
        } catch (IOException e) {
            LOG.warn("could not remove EAL's runtime directory {}: {}", runtimeDir, e.toString());
        }
    }

    /*
     * A failed rte_eal_init leaves the runtime directory it created, empty. One with files in
     * it may be another process's (the same --file-prefix): it stays.
     */
    private static void removeIfEmpty(String runtimeDir) {
        if (runtimeDir.isEmpty()) {
            return; // init failed before it got that far
        }
        Path directory = Path.of(runtimeDir);
        try {
            Files.deleteIfExists(directory);
        } catch (IOException notEmptyOrNotOurs) {
            LOG.debug("left EAL's runtime directory {}: {}", directory, notEmptyOrNotOurs.toString());
        }
    }

    void ensureOpen() {
        lifecycle.ensureOpen();
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        Collections.reverse(copy);
        return copy;
    }

    private static Set<Integer> toSet(int[] values) {
        Set<Integer> set = new TreeSet<>();
        for (int value : values) {
            set.add(value);
        }
        return set;
    }

    private static void shutdownQuietly(MainLcoreThread thread) {
        try {
            thread.shutdown(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
