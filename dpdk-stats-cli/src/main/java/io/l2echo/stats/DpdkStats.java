package io.l2echo.stats;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * {@code dpdk-stats}: attaches to a running DPDK process (ours or any other) through its
 * telemetry socket and prints its ports' counters, as a refreshing table, JSON lines or the
 * Prometheus text format. It only reads: it never stops, resets or reconfigures anything.
 */
public final class DpdkStats {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    private static final int SOCKET_TIMEOUT_MILLIS = 5000;

    /** Opens a connection; a seam so the command is tested without a DPDK process. */
    interface Connector {
        TelemetryTransport connect(Path socket) throws TelemetryException;
    }

    private DpdkStats() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, socket -> TelemetrySocket.connect(socket, SOCKET_TIMEOUT_MILLIS)));
    }

    private static Options options() {
        Options options = new Options();
        options.addOption(Option.builder("f").longOpt("file-prefix").hasArg().argName("PREFIX")
                .desc("the process's --file-prefix; default rte").build());
        options.addOption(Option.builder("s").longOpt("socket").hasArg().argName("PATH")
                .desc("the telemetry socket itself, instead of /var/run/dpdk/PREFIX/dpdk_telemetry.v2").build());
        options.addOption(Option.builder("i").longOpt("interval").hasArg().argName("SECONDS")
                .desc("time between polls; default 1").build());
        options.addOption(Option.builder("c").longOpt("count").hasArg().argName("N")
                .desc("polls before exiting; default 0 (until interrupted)").build());
        options.addOption(Option.builder("x").longOpt("xstats").desc("also the drivers' extended stats").build());
        options.addOption(Option.builder().longOpt("json").desc("one JSON object per poll").build());
        options.addOption(Option.builder().longOpt("prometheus").desc("the Prometheus text exposition format").build());
        options.addOption(Option.builder().longOpt("reset")
                .desc("count from zero: show counters relative to the first poll (the process's own are left "
                        + "as they are: DPDK's telemetry cannot reset a port, and a reset under a running loop "
                        + "races its counters)").build());
        options.addOption(Option.builder("h").longOpt("help").desc("print this help and exit").build());
        return options;
    }

    static int run(String[] args, PrintStream out, PrintStream err, Connector connector) {
        CommandLine line;
        double intervalSeconds;
        int count;
        try {
            line = new DefaultParser().parse(options(), args);
            if (!line.getArgList().isEmpty()) {
                throw new ParseException("unexpected argument '" + line.getArgList().get(0) + "'");
            }
            if (line.hasOption("json") && line.hasOption("prometheus")) {
                throw new ParseException("--json and --prometheus exclude each other");
            }
            intervalSeconds = Double.parseDouble(line.getOptionValue("interval", "1"));
            count = Integer.parseInt(line.getOptionValue("count", "0"));
            if (!(intervalSeconds >= 0.01 && intervalSeconds <= 86_400) || count < 0) {
                throw new ParseException("--interval must be from 0.01 to 86400 seconds and --count not negative");
            }
        } catch (ParseException | NumberFormatException e) {
            err.println("dpdk-stats: " + e.getMessage());
            err.println("run with --help for the options");
            return EXIT_USAGE;
        }
        if (line.hasOption("help")) {
            usage(out);
            return EXIT_OK;
        }
        Path socket = line.hasOption("socket") ? Path.of(line.getOptionValue("socket"))
                : socketOf(line.getOptionValue("file-prefix", "rte"));
        try (TelemetryClient client = new TelemetryClient(connector.connect(socket))) {
            poll(client, line, socket, intervalSeconds, count, out);
            return EXIT_OK;
        } catch (TelemetryException e) {
            err.println("dpdk-stats: " + e.getMessage());
            return EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_OK;
        }
    }

    /*
     * Where DPDK puts a prefix's runtime directory: /var/run/dpdk for root, else
     * $XDG_RUNTIME_DIR/dpdk or /tmp/dpdk. The first that exists wins; root's by default.
     */
    static Path socketOf(String prefix) {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/var/run/dpdk")));
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            candidates.add(Path.of(xdg, "dpdk"));
        }
        candidates.add(Path.of("/tmp/dpdk"));
        for (Path base : candidates) {
            if (Files.isDirectory(base.resolve(prefix))) {
                return base.resolve(prefix).resolve("dpdk_telemetry.v2");
            }
        }
        return candidates.get(0).resolve(prefix).resolve("dpdk_telemetry.v2");
    }

    private static void poll(TelemetryClient client, CommandLine line, Path socket, double intervalSeconds,
            int count, PrintStream out) throws TelemetryException, InterruptedException {
        boolean terminal = System.console() != null && !line.hasOption("json") && !line.hasOption("prometheus");
        Snapshot previous = null;
        Snapshot baseline = null;
        for (int polls = 0; count == 0 || polls < count; polls++) {
            if (polls > 0) {
                Thread.sleep((long) (intervalSeconds * 1000));
            }
            Snapshot current = client.poll(line.hasOption("xstats"));
            if (line.hasOption("reset")) {
                baseline = baseline == null ? current : baseline;
                current = current.since(baseline);
            }
            if (line.hasOption("json")) {
                out.println(Formats.json(previous, current));
            } else if (line.hasOption("prometheus")) {
                out.print(Formats.prometheus(current));
                out.println();
            } else {
                // A terminal gets a refreshing screen; a pipe gets one block per poll.
                out.print(terminal ? "\033[H\033[2J" : polls > 0 ? "\n" : "");
                out.print(Formats.table(previous, current, socket + String.format(Locale.ROOT, "  every %.1f s",
                        intervalSeconds)));
            }
            out.flush();
            previous = current;
        }
    }

    private static void usage(PrintStream out) {
        java.io.PrintWriter writer = new java.io.PrintWriter(out);
        writer.println("usage: java -jar dpdk-stats.jar [-f PREFIX | -s SOCKET] [options]");
        writer.println();
        HelpFormatter formatter = new HelpFormatter();
        formatter.setOptionComparator(null);
        formatter.printWrapped(writer, 100, "Reads the port counters of a running DPDK process (l2echo, l2multi, "
                + "testpmd, any DPDK 20.05+ application with telemetry) through its telemetry socket, without "
                + "stopping or slowing it. Rates are computed between polls. Our apps' per-lcore figures "
                + "(" + TelemetryClient.LCORES_COMMAND + ") are shown when the process offers them.");
        writer.println();
        formatter.printOptions(writer, 100, options(), 2, 3);
        writer.println();
        writer.println("Exit status: 0 when done, 1 when the process cannot be read, 2 on a usage error.");
        writer.flush();
    }
}
