package io.l2echo.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of our echo apps ({@code l2echo.jar}, {@code l2multi.jar}) run as a user runs it:
 * {@code java -jar APP [EAL args] -- [app args]}, stopped by SIGINT, its final totals read
 * back from what it printed.
 */
public final class EchoAppProcess implements AutoCloseable {
    /** The JVM, EAL and the port take a few seconds on a busy 2-CPU machine. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Pattern TOTALS = Pattern.compile("final: rx ([\\d,]+)  tx ([\\d,]+)  dropped ([\\d,]+)");
    private static final Pattern PORT = Pattern.compile("  port \\d+: rx ([\\d,]+)  tx ([\\d,]+)");
    private static final Pattern QUEUE = Pattern.compile(
            "  lcore (\\d+) port (\\d+) queue (\\d+): rx ([\\d,]+)  tx ([\\d,]+)  dropped ([\\d,]+)  runts ([\\d,]+)"
                    + "  group-dst ([\\d,]+)  link-local ([\\d,]+)  group-src ([\\d,]+)  own-source ([\\d,]+)");

    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final String appName;
    private final ChildProcess process;

    private EchoAppProcess(String appName, ChildProcess process) {
        this.appName = appName;
        this.process = process;
    }

    /**
     * The app's totals as it printed them when it stopped: the sums of its loops' per-queue
     * counters, each queue's, and the port's own counters as its driver reports them.
     */
    public record Totals(long rxPackets, long txPackets, long txDropped, List<QueueTotals> queues, long portRxPackets,
            long portTxPackets) {
        /** Frames to a multicast or broadcast address that no queue reflected. */
        public long rxGroupDst() {
            return queues.stream().mapToLong(QueueTotals::rxGroupDst).sum();
        }

        /** Frames to an IEEE 802.1 link-local address that no queue reflected. */
        public long rxLinkLocal() {
            return queues.stream().mapToLong(QueueTotals::rxLinkLocal).sum();
        }

        /** Frames from a group source address, dropped. */
        public long rxGroupSrc() {
            return queues.stream().mapToLong(QueueTotals::rxGroupSrc).sum();
        }

        /** Group-destined frames sent back from the port's own MAC. */
        public long txOwnSource() {
            return queues.stream().mapToLong(QueueTotals::txOwnSource).sum();
        }
    }

    /** One queue's line of the final totals. */
    public record QueueTotals(int lcore, int port, int queue, long rxPackets, long txPackets, long txDropped,
            long rxRunts, long rxGroupDst, long rxLinkLocal, long rxGroupSrc, long txOwnSource) {
    }

    /** How a run that ended by itself ended. */
    public record Exit(int status, String output) {
    }

    /** A --file-prefix no other DPDK process on the machine uses, so runs never share EAL state. */
    public static String uniqueFilePrefix() {
        return "l2e-it-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
    }

    /** Starts {@code jar} with the EAL arguments, {@code --}, and the app's arguments. */
    public static EchoAppProcess start(Path jar, List<String> ealArgs, List<String> appArgs) throws IOException {
        String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        return new EchoAppProcess(name, ChildProcess.start(Processes.javaJar(jar, List.of(), argv(ealArgs, appArgs))));
    }

    /**
     * Starts {@code mainClass} from {@code classpath} as an app named {@code appName} (what its
     * lines start with), with the EAL arguments, {@code --}, and the app's arguments.
     */
    public static EchoAppProcess startMain(Path classpath, String mainClass, String appName, List<String> ealArgs,
            List<String> appArgs) throws IOException {
        return startMain(classpath, mainClass, appName, List.of(), ealArgs, appArgs);
    }

    /** As {@link #startMain(Path, String, String, List, List)}, with options for the JVM ({@code -Dname=value}). */
    public static EchoAppProcess startMain(Path classpath, String mainClass, String appName, List<String> jvmArgs,
            List<String> ealArgs, List<String> appArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(Processes.currentJava().toString()));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", classpath.toString(), mainClass));
        command.addAll(argv(ealArgs, appArgs));
        return new EchoAppProcess(appName, ChildProcess.start(Processes.withDefaultSignals(command)));
    }

    /** Runs the app until it exits by itself (a failure, --help, --duration). */
    public static Exit runToExit(Path jar, List<String> ealArgs, List<String> appArgs) throws IOException {
        try (EchoAppProcess app = start(jar, ealArgs, appArgs)) {
            OptionalInt status = app.process.awaitExit(START_TIMEOUT);
            if (status.isEmpty()) {
                throw new AssertionError("still running after " + START_TIMEOUT + ":\n" + app.process.outputTail(30));
            }
            return new Exit(status.getAsInt(), app.process.output());
        }
    }

    /**
     * Runs the app with a {@code --file-prefix} of its own until it exits by itself, then
     * asserts it left no hugepage file or EAL runtime directory: what every failed start owes.
     */
    public static Exit runToExitLeavingNothing(Path jar, List<String> ealArgs, List<String> appArgs)
            throws IOException {
        String prefix = uniqueFilePrefix();
        Leftovers leftovers = Leftovers.snapshot(prefix);
        List<String> eal = new ArrayList<>(ealArgs);
        eal.add("--file-prefix=" + prefix);
        try {
            return runToExit(jar, eal, appArgs);
        } finally {
            leftovers.assertNoneLeft();
        }
    }

    private static List<String> argv(List<String> ealArgs, List<String> appArgs) {
        List<String> args = new ArrayList<>(ealArgs);
        args.add("--");
        args.addAll(appArgs);
        return args;
    }

    /** Waits for the "echoing" line: the port is up and every loop polls. */
    public void awaitEchoing() throws IOException {
        if (!process.awaitOutput(appName + ": echoing", START_TIMEOUT)) {
            throw new AssertionError(appName + " did not start echoing:\n" + process.outputTail(40));
        }
    }

    public boolean awaitOutput(String text, Duration timeout) throws IOException {
        return process.awaitOutput(text, timeout);
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        return process.output();
    }

    public String outputTail(int lines) {
        return process.outputTail(lines);
    }

    /** SIGINT, as Ctrl-C; returns the exit status. */
    public int stopWithSigint() throws IOException {
        return stopWith(Processes.Signal.INT);
    }

    /** Sends {@code signal} and waits for the exit; returns the exit status. */
    public int stopWith(Processes.Signal signal) throws IOException {
        return process.stop(signal, STOP_GRACE);
    }

    /** Sends {@code signal} without waiting; false if the app had exited already. */
    public boolean signal(Processes.Signal signal) throws IOException {
        return Processes.signal(process.pid(), signal);
    }

    /** Waits for the exit without signalling; empty if it still runs after {@code timeout}. */
    public OptionalInt awaitExit(Duration timeout) throws IOException {
        return process.awaitExit(timeout);
    }

    /** The final totals the app printed after it stopped. */
    public Totals totals() {
        String output = process.output();
        Matcher total = TOTALS.matcher(output);
        if (!total.find()) {
            throw new AssertionError("no final totals in:\n" + process.outputTail(40));
        }
        List<QueueTotals> queues = new ArrayList<>();
        String block = output.substring(total.end());
        Matcher port = PORT.matcher(block);
        if (!port.find()) {
            throw new AssertionError("no port line in the final totals:\n" + process.outputTail(40));
        }
        Matcher queue = QUEUE.matcher(block);
        while (queue.find()) {
            queues.add(new QueueTotals(Integer.parseInt(queue.group(1)), Integer.parseInt(queue.group(2)),
                    Integer.parseInt(queue.group(3)), number(queue.group(4)), number(queue.group(5)),
                    number(queue.group(6)), number(queue.group(7)), number(queue.group(8)), number(queue.group(9)),
                    number(queue.group(10)), number(queue.group(11))));
        }
        return new Totals(number(total.group(1)), number(total.group(2)), number(total.group(3)), List.copyOf(queues),
                number(port.group(1)), number(port.group(2)));
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }

    /** Stops the app if it still runs (SIGINT, then SIGKILL). */
    @Override
    public void close() throws IOException {
        process.close();
    }
}
