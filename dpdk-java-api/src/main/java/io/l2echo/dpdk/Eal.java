package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.DpdkLog;
import io.l2echo.dpdk.internal.EalNatives;
import io.l2echo.dpdk.internal.Failures;
import io.l2echo.dpdk.internal.EchoWorkerNatives;
import io.l2echo.dpdk.internal.EalAccess;
import io.l2echo.dpdk.internal.HugepageFiles;
import io.l2echo.dpdk.internal.MainLcoreThread;
import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.NativeLifecycle;
import io.l2echo.dpdk.internal.NativeLoader;
import io.l2echo.dpdk.internal.PacketQueueNatives;
import io.l2echo.dpdk.internal.Preflight;
import io.l2echo.dpdk.internal.QueuePoller;
import io.l2echo.dpdk.internal.ThreadAffinity;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DPDK's Environment Abstraction Layer, initialised at most once per process. Owns what is
 * created through it as a tree, and closes it in DPDK's order: the ports (each first stopping
 * and closing what polls its queues: echo workers, packet queues and the Java loops polling
 * them, generators), then the pools, then {@code rte_eal_cleanup}. It also knows which loop
 * runs on which lcore, one an lcore.
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
            public <T> T launch(Eal eal, int lcore, QueueRef queue, String operation,
                    EalAccess.LoopLauncher<T> launcher, Function<T, QueuePoller> pollerOf) {
                return eal.launchOnLcore(lcore, List.of(queue), operation,
                        () -> launcher.launch(eal.mainThread, lcore == eal.mainLcore, STOP_TIMEOUT_MILLIS), pollerOf,
                        launched -> null);
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
    private final Capture capture;
    /* Calls run inside it: close waits for those in flight, so whatever they made is registered, then closed. */
    private final NativeLifecycle lifecycle = new NativeLifecycle("the EAL");
    /* Held while a loop or queue is launched: checking that its lcore and queues are free and taking them is one step. */
    private final Object launches = new Object();
    /* Lcore to the loop that runs there, guarded by itself; a stopped loop stays until replaced. */
    private final Map<Integer, LcoreUse> lcoreUses = new HashMap<>();
    private final List<Port> ports = Collections.synchronizedList(new ArrayList<>());
    private final List<Mempool> pools = Collections.synchronizedList(new ArrayList<>());

    /* What runs on an lcore; a Java packet loop's thread also needs keeping off other CPUs. */
    private record LcoreUse(QueuePoller loop, PacketLoop javaLoop) {
        boolean busy() {
            return javaLoop != null ? javaLoop.isRunning() : loop.stillPolls();
        }
    }

    private Eal(MainLcoreThread mainThread, Set<Integer> processCpus, List<String> args, Capture capture) {
        this.mainThread = mainThread;
        this.args = args;
        this.capture = capture;
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
        return init(userArgs, Capture.OFF);
    }

    /**
     * {@link #init(List)}, and with {@link Capture#DPDK_TOOLS} DPDK's capture and inspection
     * tools can attach while it runs: memory shared under the {@code --file-prefix} the arguments
     * must give (see {@link EalArguments#forCapture}), the capture framework initialised.
     *
     * @throws IllegalArgumentException when the arguments cannot be shared (no
     *     {@code --file-prefix}, {@code --in-memory}, ...), saying what to change; DPDK is not asked
     */
    public static Eal init(List<String> userArgs, Capture capture) {
        Objects.requireNonNull(capture, "capture");
        if (!INITIALISATION.compareAndSet(Initialisation.NOT_CALLED, Initialisation.PREPARING)) {
            throw new DpdkException("initialise EAL", INITIALISATION.get() == Initialisation.PREPARING
                    ? "another thread is initialising EAL" : "rte_eal_init already ran in this process",
                    "DPDK allows one EAL per process, and none after its cleanup or failure: share the Eal instance");
        }
        List<String> ealArgs;
        try {
            ealArgs = capture == Capture.DPDK_TOOLS ? EalArguments.forCapture(userArgs)
                    : EalArguments.withDefaults(userArgs);
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
        Eal eal = new Eal(mainThread, processCpus, ealArgs, capture);
        if (parsed < argv.length) {
            eal.close();
            throw new DpdkException("initialise EAL", "'" + argv[parsed] + "' is not an EAL option",
                    "application options go after '--': [EAL options] -- [application options]");
        }
        if (capture == Capture.DPDK_TOOLS) {
            try {
                mainThread.call("initialise the capture framework", () -> NativeErrors.check(EalNatives.pdumpInit(),
                        "initialise the capture framework", (String) null));
            } catch (RuntimeException e) {
                try {
                    eal.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
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

    /** Whether DPDK's capture tools can attach to this process. */
    public Capture capture() {
        return capture;
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
        for (Port port : snapshot(ports)) {
            for (QueuePoller poller : port.pollers()) {
                calls += poller.jniCalls();
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
     * Starts the echo loop on {@code lcore} over {@code queues} of ports started here. On a
     * worker lcore it runs there; on the main lcore it runs on the {@code dpdk-main-lcore} thread,
     * which then serves no other call until the loop stops. Refused if the lcore runs another loop
     * or something polls one of the queues. Each port polled owns the worker: closing one stops
     * and frees it. The loop swaps MACs ({@link SwapLevel#MAC}) and reflects unicast-destined
     * frames only ({@link ReflectPolicy#UNICAST}).
     */
    public EchoWorker launchEcho(int lcore, List<QueueRef> queues, int burstSize, int txRetries) {
        return launchEcho(lcore, queues, burstSize, txRetries, SwapLevel.MAC, ReflectPolicy.UNICAST);
    }

    /**
     * As {@link #launchEcho(int, List, int, int)}, the loop built for {@code swapLevel} and
     * {@code reflectPolicy}: the kernel is chosen here, once, never per frame.
     */
    public EchoWorker launchEcho(int lcore, List<QueueRef> queues, int burstSize, int txRetries, SwapLevel swapLevel,
            ReflectPolicy reflectPolicy) {
        Objects.requireNonNull(swapLevel, "swapLevel");
        Objects.requireNonNull(reflectPolicy, "reflectPolicy");
        String operation = "launch the echo on lcore " + lcore;
        if (queues.isEmpty()) {
            throw new DpdkException(operation, "no queue to poll", "give the worker at least one queue");
        }
        return launchOnLcore(lcore, queues, operation, () -> EchoWorker.launch(mainThread, lcore, lcore == mainLcore,
                queues, burstSize, txRetries, swapLevel, reflectPolicy, STOP_TIMEOUT_MILLIS), EchoWorker::asQueuePoller,
                worker -> null);
    }

    /*
     * One step under the launch lock, inside a call on every port polled (so a port that begins
     * to close waits for it, then closes what it launched): the lcore and queues checked free, the
     * loop launched, and registered as their user.
     */
    private <T> T launchOnLcore(int lcore, List<QueueRef> queues, String operation, Supplier<T> launch,
            Function<T, QueuePoller> pollerOf, Function<T, PacketLoop> javaLoopOf) {
        return lifecycle.get(() -> {
            synchronized (launches) {
                requireIdleLcore(lcore, operation);
                // Resolved once, before: inside, a port that began closing still has to take its poller.
                Map<Integer, Port> polled = new LinkedHashMap<>();
                for (QueueRef queue : queues) {
                    polled.computeIfAbsent(queue.port(), id -> startedPort(queue, operation));
                }
                return withinEach(List.copyOf(polled.values()), 0, () -> {
                    for (QueueRef queue : queues) {
                        polled.get(queue.port()).requirePollable(queue.queue(), operation);
                    }
                    T launched = launch.get();
                    QueuePoller poller = pollerOf.apply(launched);
                    for (QueueRef queue : queues) {
                        polled.get(queue.port()).register(queue.queue(), poller);
                    }
                    synchronized (lcoreUses) {
                        lcoreUses.put(lcore, new LcoreUse(poller, javaLoopOf.apply(launched)));
                    }
                    return launched;
                });
            }
        });
    }

    private static <T> T withinEach(List<Port> ports, int from, Supplier<T> call) {
        return from == ports.size() ? call.get() : ports.get(from).within(() -> withinEach(ports, from + 1, call));
    }

    /* The open port of this EAL that {@code queue} belongs to. */
    private Port startedPort(QueueRef queue, String operation) {
        List<Port> all = snapshot(ports);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).id() == queue.port() && !all.get(i).isClosed()) {
                return all.get(i);
            }
        }
        throw new DpdkException(operation, "port " + queue.port() + " is not started", "start it with startPort first");
    }

    /**
     * Opens {@code queue} of a started port for polling from Java, zero-copy, a burst of up to
     * {@code burstCapacity} frames per call (see {@link PacketQueue}). {@code pool} must be the
     * pool the port's Rx queues receive into (the one given to {@link #startPort}): Java sees
     * frames through views of its memory, and new frames come from it. Frames the Tx queue
     * refuses are retried {@code txRetries} times. Refused if something polls the queue already
     * (an echo worker, another packet queue); the port owns it and closes it first.
     */
    public PacketQueue openPacketQueue(QueueRef queue, Mempool pool, int burstCapacity, int txRetries) {
        String operation = "open a packet queue on " + queue;
        return lifecycle.get(() -> {
            synchronized (launches) {
                Port port = startedPort(queue, operation);
                return port.within(() -> {
                    port.requirePollable(queue.queue(), operation);
                    PacketQueue packets = mainThread.call(operation,
                            () -> PacketQueue.open(queue, pool, burstCapacity, txRetries));
                    port.register(queue.queue(), packets.asQueuePoller());
                    return packets;
                });
            }
        });
    }

    /**
     * Starts a Java thread that polls {@code queue} and runs {@code handler} on every burst
     * (see {@link PacketLoop}), pinned to the CPUs of {@code lcore}, an EAL lcore that runs no
     * native loop: with {@code -l 0,1}, lcore 1 is left to it when no echo is launched there.
     * Returns once the thread polls. The queue owns the loop: closing the queue stops it first.
     */
    public PacketLoop launchPacketLoop(int lcore, PacketQueue queue, PacketHandler handler, IdleStrategy idle) {
        String operation = "launch a packet loop on lcore " + lcore;
        return lifecycle.get(() -> {
            synchronized (launches) {
                requireIdleLcore(lcore, operation);
                PacketLoop loop = PacketLoop.start(queue, handler, idle, lcore, lcoreCpus(lcore), STOP_TIMEOUT_MILLIS);
                synchronized (lcoreUses) {
                    lcoreUses.put(lcore, new LcoreUse(loop.asQueuePoller(), loop));
                }
                return loop;
            }
        });
    }

    private void requireIdleLcore(int lcore, String operation) {
        requireLcore(lcore, operation);
        synchronized (lcoreUses) {
            LcoreUse use = lcoreUses.get(lcore);
            if (use != null && use.loop().stillPolls()) {
                throw new DpdkException(operation, "lcore " + lcore + " runs " + use.loop(),
                        "one loop an lcore: pick an idle one");
            }
        }
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
        synchronized (lcoreUses) {
            lcoreUses.forEach((lcore, use) -> {
                if (use.busy()) {
                    free.removeAll(lcoreCpus(lcore));
                }
            });
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
        synchronized (lcoreUses) {
            for (LcoreUse use : lcoreUses.values()) {
                if (use.javaLoop() != null && use.javaLoop().isRunning()) {
                    names.add(procName(use.javaLoop().threadName()));
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
        if (capture == Capture.DPDK_TOOLS) {
            // No tool may start a capture on a port that is closing.
            try {
                mainThread.run("stop the capture framework", () -> NativeErrors.check(EalNatives.pdumpUninit(),
                        "stop the capture framework", (String) null));
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        List<Port> started = reversed(snapshot(ports));
        started.forEach(port -> port.pollers().forEach(QueuePoller::requestStop)); // every loop winds down at once
        closeEach(started, failures);
        if (started.stream().noneMatch(Port::leftOpen)) {
            closeEach(reversed(snapshot(pools)), failures);
            try {
                mainThread.run("clean up EAL", () -> NativeErrors.check(EalNatives.cleanup(), "clean up EAL", (String) null));
                if (capture == Capture.DPDK_TOOLS) {
                    // A tool still attached keeps its mappings; nothing is left once it exits.
                    HugepageFiles.remove(args, Path.of("/proc/mounts"))
                            .forEach(failure -> LOG.warn("could not remove a hugepage file: {}", failure));
                }
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
            throw Failures.combined(failures);
        }
    }

    private static void closeEach(List<? extends AutoCloseable> resources, List<RuntimeException> failures) {
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

    private static <T> List<T> snapshot(List<T> synchronizedList) {
        synchronized (synchronizedList) {
            return new ArrayList<>(synchronizedList);
        }
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
