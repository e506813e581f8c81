package io.l2echo.cli;

import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.LinkEvent;
import io.l2echo.dpdk.PortSnapshot;
import io.l2echo.dpdk.PortStats;
import io.l2echo.dpdk.QueueStats;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Live stats: per queue (its lcore, rates and totals) and per port, every interval, from a
 * thread of its own. Formatting is kept apart from the thread so it is tested on its own.
 */
public final class StatsReporter implements AutoCloseable {
    private static final String QUEUE_HEADER = String.format(
            "%6s %8s %12s %12s %14s %14s %10s %6s %6s %7s %10s %10s %10s %10s", "lcore", "port/q", "rx pps", "tx pps",
            "rx frames", "tx frames", "dropped", "burst", "idle%", "share%", "group-dst", "link-local", "group-src",
            "own-src");

    private final String appName;
    private final Supplier<EchoStats> source;
    private final PrintStream out;
    private final long intervalMillis;
    private final Runnable threadSetup;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param threadSetup runs first on the reporter's thread (to pin it off the polling cores)
     */
    public StatsReporter(String appName, Supplier<EchoStats> source, PrintStream out, long intervalMillis,
            Runnable threadSetup) {
        this.appName = appName;
        this.source = source;
        this.out = out;
        this.intervalMillis = intervalMillis;
        this.threadSetup = threadSetup;
        this.thread = new Thread(this::run, appName + "-stats");
        this.thread.setDaemon(true);
    }

    /** Starts the reporter's thread, which prints every interval until {@link #close()}; call it once. */
    public void start() {
        thread.start();
    }

    private void run() {
        threadSetup.run();
        EchoStats previous = source.get();
        while (running) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return;
            }
            EchoStats current = source.get();
            out.print(formatInterval(previous, current));
            out.flush();
            previous = current;
        }
    }

    /** Rates over the interval between two snapshots, and totals so far. */
    static String formatInterval(EchoStats previous, EchoStats current) {
        double seconds = Math.max(1, current.nanoTime() - previous.nanoTime()) / 1e9;
        StringBuilder text = new StringBuilder(QUEUE_HEADER).append('\n');
        long intervalRx = current.rxPackets() - previous.rxPackets();
        for (int i = 0; i < current.queues().size(); i++) {
            QueueStats now = current.queues().get(i);
            QueueStats before = i < previous.queues().size() ? previous.queues().get(i) : now;
            long polls = (now.rxBursts() - before.rxBursts()) + (now.emptyPolls() - before.emptyPolls());
            long bursts = now.rxBursts() - before.rxBursts();
            long rx = now.rxPackets() - before.rxPackets();
            text.append(String.format("%6d %8s %,12.0f %,12.0f %,14d %,14d %,10d %6.1f %6.1f %7.1f %,10d %,10d %,10d %,10d%n",
                    now.lcore(),
                    now.queue().port() + "/" + now.queue().queue(),
                    rx / seconds,
                    (now.txPackets() - before.txPackets()) / seconds, now.rxPackets(), now.txPackets(),
                    now.txDropped(), bursts == 0 ? 0.0 : (double) rx / bursts,
                    polls == 0 ? 100.0 : 100.0 * (now.emptyPolls() - before.emptyPolls()) / polls,
                    intervalRx == 0 ? 0.0 : 100.0 * rx / intervalRx, now.rxGroupDst(), now.rxLinkLocal(),
                    now.rxGroupSrc(), now.txOwnSource()));
        }
        text.append(formatPorts(current));
        return text.toString();
    }

    /** Each port's own counters, as its driver reports them, a line per port. */
    static String formatPorts(EchoStats stats) {
        StringBuilder text = new StringBuilder();
        for (PortSnapshot snapshot : stats.ports()) {
            PortStats port = snapshot.counters();
            text.append(String.format("  port %d: rx %,d  tx %,d  missed %,d  rx-errors %,d  tx-errors %,d"
                    + "  no-mbuf %,d  | mbufs in use %,d  | link %s%n", snapshot.portId(), port.rxPackets(),
                    port.txPackets(), port.rxMissed(), port.rxErrors(), port.txErrors(), port.rxNoMbuf(),
                    snapshot.mbufsInUse(), snapshot.link()));
        }
        return text.toString();
    }

    /** The line an app prints when a port's link goes down or comes back. */
    public static String formatLinkChange(String appName, LinkEvent event) {
        return appName + ": link " + event.current() + " on port " + event.portId()
                + (event.current().up() ? "" : ": frames sent to the port now are lost; the loops keep polling");
    }

    /** Totals over the whole run. */
    public static String formatTotals(EchoStats first, EchoStats last) {
        double seconds = Math.max(1, last.nanoTime() - first.nanoTime()) / 1e9;
        long groupDst = 0;
        long linkLocal = 0;
        long groupSrc = 0;
        for (QueueStats queue : last.queues()) {
            groupDst += queue.rxGroupDst();
            linkLocal += queue.rxLinkLocal();
            groupSrc += queue.rxGroupSrc();
        }
        StringBuilder text = new StringBuilder(String.format(
                "final: rx %,d  tx %,d  dropped %,d frames in %.1f s (%,.0f pps average); not reflected: group-dst %,d"
                        + "  link-local %,d  group-src %,d%n", last.rxPackets(), last.txPackets(), last.txDropped(),
                seconds, (last.rxPackets() - first.rxPackets()) / seconds, groupDst, linkLocal, groupSrc));
        for (QueueStats queue : last.queues()) {
            text.append(String.format("  lcore %d %s: rx %,d  tx %,d  dropped %,d  runts %,d  group-dst %,d"
                    + "  link-local %,d  group-src %,d  own-source %,d  tx-retries %,d"
                    + "  bursts %,d  empty polls %,d  busy cycles %,d (%.1f a frame)  share %.1f%%%n", queue.lcore(),
                    queue.queue(), queue.rxPackets(), queue.txPackets(), queue.txDropped(), queue.rxRunts(),
                    queue.rxGroupDst(), queue.rxLinkLocal(), queue.rxGroupSrc(), queue.txOwnSource(),
                    queue.txRetries(), queue.rxBursts(), queue.emptyPolls(), queue.busyCycles(), queue.cyclesPerFrame(),
                    last.rxPackets() == 0 ? 0.0 : 100.0 * queue.rxPackets() / last.rxPackets()));
        }
        text.append(formatPorts(last));
        return text.toString();
    }

    /** Stops the thread and waits for it, so nothing prints after. Idempotent. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(intervalMillis + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
