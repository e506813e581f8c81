package io.l2echo.cli;

import io.l2echo.dpdk.DpdkException;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.LcorePlan;
import io.l2echo.dpdk.Mempool;
import io.l2echo.dpdk.PacketBurst;
import io.l2echo.dpdk.PacketLoop;
import io.l2echo.dpdk.Port;
import io.l2echo.dpdk.ReflectPolicy;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The echo apps' {@code main}, short and linear: parse, start, await the shutdown signal (or
 * the duration), stop the loops, print totals, close in reverse, return the exit status.
 */
public final class EchoApp {
    /** Exit status of a run that did what was asked, or printed the help. */
    public static final int EXIT_OK = 0;
    /** Exit status of a run that failed once started: DPDK or the environment refused, or it was interrupted. */
    public static final int EXIT_FAILURE = 1;
    /** Exit status of a command line refused before anything started; the app prints why. */
    public static final int EXIT_USAGE = 2;

    private static final Map<ReflectPolicy, String> POLICY_WORDS = Map.of(
            ReflectPolicy.UNICAST, "frames to group or link-local addresses not reflected, from group addresses dropped",
            ReflectPolicy.GROUP, "group-addressed frames sent from the port's MAC; link-local and group-source not",
            ReflectPolicy.EVERYTHING, "every frame, whatever its addresses");

    private final String name;
    private final String summary;
    private final boolean multiQueue;
    private final PrintStream out;
    private final PrintStream err;
    private final Function<EchoConfig, EchoService> starter;
    private final Function<EchoService, AutoCloseable> companion;
    private final UnaryOperator<EchoConfig> adjust;

    /**
     * @param multiQueue whether the app takes --queues and RSS options (l2multi) or echoes on
     *                   one queue (l2echo)
     */
    public EchoApp(String name, String summary, boolean multiQueue, PrintStream out, PrintStream err) {
        this(name, summary, multiQueue, out, err, EchoService::start, service -> () -> { });
    }

    EchoApp(String name, String summary, boolean multiQueue, PrintStream out, PrintStream err,
            Function<EchoConfig, EchoService> starter, Function<EchoService, AutoCloseable> companion) {
        this(name, summary, multiQueue, out, err, starter, companion, UnaryOperator.identity());
    }

    private EchoApp(String name, String summary, boolean multiQueue, PrintStream out, PrintStream err,
            Function<EchoConfig, EchoService> starter, Function<EchoService, AutoCloseable> companion,
            UnaryOperator<EchoConfig> adjust) {
        this.name = name;
        this.summary = summary;
        this.multiQueue = multiQueue;
        this.out = out;
        this.err = err;
        this.starter = starter;
        this.companion = companion;
        this.adjust = adjust;
    }

    /**
     * The same app with its configuration adjusted after parsing, before the echo starts: how
     * a variant replaces the native swap with Java packet logic
     * ({@link EchoConfig.Builder#packetHandlers}). An adjustment the options contradict (an
     * {@link IllegalArgumentException} from it, such as {@code --swap} beside packet handlers) is
     * a usage error.
     */
    public EchoApp configuring(UnaryOperator<EchoConfig> adjust) {
        UnaryOperator<EchoConfig> before = this.adjust;
        return new EchoApp(name, summary, multiQueue, out, err, starter, companion,
                config -> adjust.apply(before.apply(config)));
    }

    /**
     * The same app with {@code companion} started once the echo runs and closed before the
     * loops stop: work a service does beside its data path (the benchmark's allocation load).
     */
    public EchoApp alongside(Function<EchoService, AutoCloseable> companion) {
        return new EchoApp(name, summary, multiQueue, out, err, starter, companion, adjust);
    }

    /**
     * Runs the app on {@code argv}, {@code [EAL options] -- [app options]}, until it stops; returns
     * the exit status.
     */
    public int run(String[] argv) {
        DpdkCommandLine.logOneLinePerRecord();
        EchoCommandLine commandLine;
        EchoConfig config;
        try {
            commandLine = EchoCommandLine.parse(argv, multiQueue);
            config = commandLine.helpRequested() ? null : adjust.apply(commandLine.config());
        } catch (UsageException | IllegalArgumentException e) {
            err.println(name + ": " + e.getMessage());
            err.println("run with --help (after '--') for the options");
            return EXIT_USAGE;
        }
        if (commandLine.helpRequested()) {
            out.print(EchoCommandLine.usage(name, summary, multiQueue));
            return EXIT_OK;
        }
        // Before EAL starts: a signal during start-up then stops the echo as soon as it runs.
        ShutdownSignal shutdown = ShutdownSignal.register(out);
        try (EchoService service = starter.apply(config)) {
            printBanner(service, commandLine, config);
            service.addLinkListener(event -> out.println(StatsReporter.formatLinkChange(name, event)));
            echoUntilStopped(service, commandLine, shutdown);
            return EXIT_OK;
        } catch (DpdkException | IllegalStateException e) {
            err.println(name + ": " + e.getMessage());
            for (Throwable suppressed : e.getSuppressed()) {
                err.println(name + ":   also: " + suppressed.getMessage());
            }
            return EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(name + ": interrupted");
            return EXIT_FAILURE;
        }
    }

    private void echoUntilStopped(EchoService service, EchoCommandLine commandLine, ShutdownSignal shutdown)
            throws InterruptedException {
        Set<Integer> controlCpus = service.eal().pinToControlPlane();
        if (!controlCpus.isEmpty()) {
            out.println(name + ": control-plane threads on CPUs " + controlCpus);
        }
        EchoStats first = service.stats();
        try (AutoCloseable beside = companion.apply(service);
                StatsReporter reporter = new StatsReporter(name, service::stats, out,
                        commandLine.statsIntervalMillis(), service.eal()::pinToControlPlane)) {
            if (commandLine.statsIntervalMillis() > 0) {
                reporter.start();
            }
            boolean signalled = shutdown.await(commandLine.durationSeconds() * 1000);
            out.println(name + ": " + (signalled ? shutdown.signalName() + " received"
                    : commandLine.durationSeconds() + " s elapsed") + ", stopping");
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing what ran beside the echo failed", e);
        }
        service.stopWorkers();
        EchoStats last = service.stats();
        out.print(StatsReporter.formatTotals(first, last));
        out.println(String.format(Locale.ROOT, "%s: %,d JNI calls into the shim in the whole run, for %,d frames echoed",
                name, service.eal().jniCalls(), last.txPackets()));
        for (PacketLoop loop : service.packetLoops()) {
            out.println(String.format(Locale.ROOT, "%s: thread %s allocated %,d bytes on the Java heap while it polled, "
                    + "over %,d bursts", name, loop.threadName(), loop.allocatedBytes(),
                    loop.queue().counters().snapshot().rxBursts()));
        }
    }

    private void printBanner(EchoService service, EchoCommandLine commandLine, EchoConfig config) {
        LcorePlan plan = service.plan();
        out.println(name + ": " + service.eal().dpdkVersion() + ", EAL arguments " + service.eal().arguments());
        for (int i = 0; i < service.ports().size(); i++) {
            Port port = service.ports().get(i);
            Mempool pool = service.pools().get(i);
            out.println(name + ": " + port.info().summary() + ", link " + port.link());
            if (multiQueue) {
                out.println(name + ": RSS " + port.rss().summary());
            }
            out.println(name + ": pool " + pool.name() + " of " + pool.size() + " mbufs, " + port.rxDescriptors()
                    + " Rx / " + port.txDescriptors() + " Tx descriptors, bursts of " + commandLine.config().burstSize());
        }
        if (config.packetHandlers().isEmpty()) {
            out.println(name + ": swap " + config.swapLevel().optionName() + ", reflect "
                    + config.reflectPolicy().optionName() + " (" + POLICY_WORDS.get(config.reflectPolicy()) + ")");
        }
        for (LcorePlan.Assignment assignment : plan.assignments()) {
            out.println(name + ": " + assignment + (assignment.lcore() == service.eal().mainLcore()
                    ? " (on the main lcore)" : ""));
        }
        for (PacketLoop loop : service.packetLoops()) {
            out.println(name + ": thread " + loop.threadName() + " polls " + loop.queue().queue() + " on lcore "
                    + loop.pinnedLcore() + "'s CPUs " + service.eal().lcoreCpus(loop.pinnedLcore()) + " as lcore "
                    + loop.queue().counters().lcore() + ", with Java packet logic"
                    + (PacketBurst.checked() ? ", bursts checked (" + PacketBurst.CHECKED_PROPERTY + ")" : ""));
        }
        if (!plan.idleLcores().isEmpty()) {
            out.println(name + ": lcores " + plan.idleLcores() + " stay idle");
        }
        out.println(name + ": echoing" + (commandLine.durationSeconds() > 0
                ? " for " + commandLine.durationSeconds() + " s" : "") + "; stop with Ctrl-C (SIGINT) or SIGTERM");
    }
}
