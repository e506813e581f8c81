package io.l2echo.bench;

import io.l2echo.dpdk.DeviceInfo;
import io.l2echo.dpdk.DpdkException;
import io.l2echo.dpdk.Eal;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.IdleStrategy;
import io.l2echo.dpdk.Mempool;
import io.l2echo.dpdk.PacketBurst;
import io.l2echo.dpdk.PacketLoop;
import io.l2echo.dpdk.PacketQueue;
import io.l2echo.dpdk.Port;
import io.l2echo.dpdk.PortConfig;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.dpdk.cli.EchoApp;
import io.l2echo.dpdk.cli.EchoCommandLine;
import io.l2echo.dpdk.cli.ShutdownSignal;
import io.l2echo.dpdk.cli.StatsReporter;
import io.l2echo.dpdk.cli.UsageException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * l2echo with its packet logic in Java: the same port, pool and options, but instead of the
 * native loop on an lcore, a Java thread pinned to that lcore's CPUs polls the queue through
 * {@link PacketQueue}'s burst receive and transmit and swaps the MACs in Java. What the benchmark
 * sets beside l2echo to price a Java handler per packet. Arguments and output as l2echo's.
 */
public final class JavaHandlerEcho {
    static final String NAME = "java-handler-echo";

    private JavaHandlerEcho() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /* The handler: every frame back out of the queue it came in on, MACs swapped, lengths as received. */
    static int swapMacs(PacketBurst burst, int received) {
        for (int i = 0; i < received; i++) {
            burst.swapMacs(i);
        }
        return received;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        EchoCommandLine commandLine;
        try {
            commandLine = EchoCommandLine.parse(args, false);
        } catch (UsageException e) {
            err.println(NAME + ": " + e.getMessage());
            return EchoApp.EXIT_USAGE;
        }
        if (commandLine.helpRequested()) {
            out.print(EchoCommandLine.usage(NAME, "l2echo's MAC-swap echo, the swap done by a Java handler on a Java "
                    + "thread through burst receive and transmit (PacketQueue).", false));
            return EchoApp.EXIT_OK;
        }
        ShutdownSignal shutdown = ShutdownSignal.register(out);
        EchoConfig config = commandLine.config();
        try (Eal eal = Eal.init(config.ealArgs())) {
            int portId = config.port().portName().map(eal::portIdByName).orElse(config.port().portId());
            DeviceInfo info = eal.deviceInfo(portId);
            PortConfig portConfig = config.portConfig(portId, 1);
            int mbufs = config.mbufs() != 0 ? config.mbufs() : Mempool.recommendedSize(Mempool.requiredSize(1,
                    portConfig.rxDescriptors(), portConfig.txDescriptors(), config.burstSize(), 1,
                    config.mbufCacheSize()));
            Mempool pool = eal.createMempool("java_echo_p" + portId, mbufs, config.mbufCacheSize(),
                    config.mbufFrameBytes() + Mempool.HEADROOM, info.socketId());
            Port port = eal.startPort(portConfig, pool);
            PacketQueue queue = eal.openPacketQueue(new QueueRef(portId, 0), pool, config.burstSize(),
                    config.txRetries());
            int lcore = eal.workerLcores().isEmpty() ? eal.mainLcore() : eal.workerLcores().get(0);
            PacketLoop loop = eal.launchPacketLoop(lcore, queue, JavaHandlerEcho::swapMacs, IdleStrategy.busySpin());
            out.println(NAME + ": " + eal.dpdkVersion() + ", EAL arguments " + eal.arguments());
            out.println(NAME + ": " + info.summary() + ", link " + port.link());
            out.println(NAME + ": thread " + loop.threadName() + " polls " + queue.queue() + " on lcore " + lcore
                    + "'s CPUs " + eal.lcoreCpus(lcore) + " as lcore " + queue.counters().lcore() + ", bursts of "
                    + config.burstSize() + ", pool " + pool.name() + " of " + pool.size() + " mbufs");
            eal.pinToControlPlane();
            EchoStats first = stats(queue, port, pool);
            try (StatsReporter reporter = new StatsReporter(NAME, () -> stats(queue, port, pool), out,
                    commandLine.statsIntervalMillis(), eal::pinToControlPlane)) {
                if (commandLine.statsIntervalMillis() > 0) {
                    reporter.start();
                }
                out.println(NAME + ": echoing; stop with Ctrl-C (SIGINT) or SIGTERM");
                boolean signalled = shutdown.await(commandLine.durationSeconds() * 1000);
                out.println(NAME + ": " + (signalled ? shutdown.signalName() + " received"
                        : commandLine.durationSeconds() + " s elapsed") + ", stopping");
            }
            loop.close();
            EchoStats last = stats(queue, port, pool);
            out.print(StatsReporter.formatTotals(first, last));
            out.println(String.format(Locale.ROOT, "%s: %,d JNI calls into the shim in the whole run, for %,d frames "
                    + "echoed", NAME, eal.jniCalls(), last.txPackets()));
            return EchoApp.EXIT_OK;
        } catch (DpdkException | IllegalStateException e) {
            err.println(NAME + ": " + e.getMessage());
            return EchoApp.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(NAME + ": interrupted");
            return EchoApp.EXIT_FAILURE;
        }
    }

    private static EchoStats stats(PacketQueue queue, Port port, Mempool pool) {
        return new EchoStats(System.nanoTime(), List.of(queue.counters().snapshot()), port.stats(), port.link(),
                pool.inUse());
    }
}
