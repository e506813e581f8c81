package io.l2echo.apps.gen;

import io.l2echo.cli.DpdkCommandLine;
import io.l2echo.cli.EchoApp;
import io.l2echo.cli.ShutdownSignal;
import io.l2echo.dpdk.DeviceInfo;
import io.l2echo.dpdk.DpdkException;
import io.l2echo.dpdk.Eal;
import io.l2echo.dpdk.Mempool;
import io.l2echo.dpdk.Port;
import io.l2echo.dpdk.PortConfig;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.dpdk.SwapLevel;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * {@code l2gen}: sends stamped UDP frames at a fixed rate or flat out, receives their echoes
 * on the same port and reports loss, reordering, duplicates and round-trip percentiles.
 * [EAL options] -- [generator options], like the echo apps.
 */
public final class GeneratorApp {
    private static final Duration LINK_TIMEOUT = Duration.ofSeconds(60);
    /* The trials that wait for the echo to answer, and those that warm it up: not measurements. */
    private static final String PROBE = "probe";
    private static final String WARM_UP = "warmup";
    private static final long WARM_UP_PPS = 10_000;

    private final PrintStream out;
    private final PrintStream err;

    /** An l2gen printing its help, progress and results on {@code out}, and what went wrong on {@code err}. */
    public GeneratorApp(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    static Options options() {
        Options options = new Options();
        options.addOption(Option.builder("p").longOpt("port").hasArg().argName("ID|NAME")
                .desc("port id or device name; default 0").build());
        options.addOption(Option.builder().longOpt("count").hasArg().argName("N")
                .desc("frames to send; default 1000000").build());
        options.addOption(Option.builder().longOpt("rate").hasArg().argName("PPS")
                .desc("offered load in frames per second, 0 for as fast as the port takes them; default 0").build());
        options.addOption(Option.builder().longOpt("size").hasArg().argName("BYTES")
                .desc("frame length without FCS, 60..1514; default 60 (64 on the wire)").build());
        options.addOption(Option.builder().longOpt("flows").hasArg().argName("N")
                .desc("UDP flows (source ports), to spread over RSS queues; default 1").build());
        options.addOption(Option.builder().longOpt("burst").hasArg().argName("N")
                .desc("frames per tx/rx burst; default 32").build());
        options.addOption(Option.builder().longOpt("drain-ms").hasArg().argName("MS")
                .desc("how long to wait for echoes after the last frame; default 500").build());
        options.addOption(Option.builder().longOpt("dst-mac").hasArg().argName("MAC")
                .desc("destination MAC; default 02:00:00:00:00:02 (a promiscuous echo takes any)").build());
        options.addOption(Option.builder().longOpt("swap").hasArg().argName("LEVEL")
                .desc("the echo's swap level, what each echo is checked against: mac, ip (and the IPv4 "
                        + "addresses), ports (and the UDP ports); any other difference counts as corrupted; default mac")
                .build());
        options.addOption(Option.builder().longOpt("rates").hasArg().argName("PPS,...")
                .desc("run one trial at each of these rates, one after another").build());
        options.addOption(Option.builder().longOpt("search")
                .desc("find the highest rate with no loss (RFC 2544 binary search, --count frames a trial), "
                        + "then run --rates if given").build());
        options.addOption(Option.builder().longOpt("search-steps").hasArg().argName("N")
                .desc("binary search steps at most; default 8").build());
        options.addOption(Option.builder().longOpt("warm-up").hasArg().argName("S")
                .desc("once the echo answers, send at 10,000 pps for S seconds before the first trial, unmeasured: "
                        + "a JVM echo's start-up compilation, on its CPU, then does not fall into the trials; "
                        + "default 0").build());
        options.addOption(Option.builder().longOpt("trial-seconds").hasArg().argName("S")
                .desc("cap a paced trial at S seconds of frames (at least 1000 frames); default: no cap").build());
        options.addOption(Option.builder().longOpt("histogram-log").hasArg().argName("FILE")
                .desc("write every trial's round-trip histogram to FILE in HdrHistogram's log format (nanoseconds, "
                        + "tagged PHASE-RATE, e.g. latency-10000pps), for HdrHistogram's own tools").build());
        options.addOption(Option.builder().longOpt("json").desc("print each trial's result as one JSON object (a line starting with {), no progress lines")
                .build());
        options.addOption(Option.builder("h").longOpt("help").desc("print this help and exit").build());
        return options;
    }

    /**
     * Runs l2gen on {@code argv}, {@code [EAL options] -- [l2gen options]}, until its trials end or
     * a signal stops it; returns the exit status ({@link EchoApp#EXIT_OK} and so on).
     */
    public int run(String[] argv) {
        DpdkCommandLine.logOneLinePerRecord();
        DpdkCommandLine split = DpdkCommandLine.split(argv);
        CommandLine line;
        GeneratorConfig config;
        PortConfig requestedPort;
        HistogramLogFile histograms;
        try {
            line = new DefaultParser().parse(options(), split.appArgs().toArray(String[]::new));
            if (line.hasOption("help") || split.helpBeforeSeparator()) {
                usage();
                return EchoApp.EXIT_OK;
            }
            if (!line.getArgList().isEmpty()) {
                throw new ParseException("unexpected argument '" + line.getArgList().get(0) + "' after '--'");
            }
            config = GeneratorConfig.builder().count(number(line, "count", 1_000_000))
                    .ratePps(number(line, "rate", 0)).frameLength((int) number(line, "size", 60))
                    .flows((int) number(line, "flows", 1)).burstSize((int) number(line, "burst", 32))
                    .drain(Duration.ofMillis(number(line, "drain-ms", 500)))
                    .destinationMac(mac(line.getOptionValue("dst-mac", "02:00:00:00:00:02")))
                    .swapLevel(SwapLevel.fromOption(line.getOptionValue("swap", "mac").trim())).build();
            requestedPort = PortConfig.builder().port(line.getOptionValue("port", "0")).build();
            histograms = line.hasOption("histogram-log")
                    ? HistogramLogFile.create(Path.of(line.getOptionValue("histogram-log"))) : null;
        } catch (ParseException | IllegalArgumentException e) {
            err.println("l2gen: " + e.getMessage());
            err.println("run with --help (after '--') for the options");
            return EchoApp.EXIT_USAGE;
        }
        ShutdownSignal shutdown = ShutdownSignal.register(out);
        try (histograms; Eal eal = Eal.init(split.ealArgs())) {
            int portId = requestedPort.portName().map(eal::portIdByName).orElse(requestedPort.portId());
            DeviceInfo info = eal.deviceInfo(portId);
            PortConfig portConfig = PortConfig.builder().portId(portId).build();
            int burst = config.burstSize();
            // Frames in flight sit in the Tx ring, the echo and the Rx ring at once: twice the steady need.
            int mbufs = Mempool.recommendedSize(2 * Mempool.requiredSize(1, portConfig.rxDescriptors(),
                    portConfig.txDescriptors(), burst, 1, 256));
            Mempool pool = eal.createMempool("gen_pool_p" + portId, mbufs, 256, Mempool.DEFAULT_DATA_ROOM_SIZE,
                    info.socketId());
            Port started = eal.startPort(portConfig, pool);
            awaitLink(started, shutdown);
            int lcore = eal.workerLcores().isEmpty() ? eal.mainLcore() : eal.workerLcores().get(0);
            eal.pinToControlPlane();
            out.println("l2gen: " + eal.dpdkVersion() + ", " + info.summary());
            Trials trials = new Trials(eal, lcore, new QueueRef(portId, 0), pool, shutdown, line.hasOption("json"),
                    number(line, "trial-seconds", 0), histograms);
            trials.awaitEcho(config);
            trials.warmUp(config, number(line, "warm-up", 0));
            if (line.hasOption("search")) {
                trials.searchThroughput(config, (int) number(line, "search-steps", 8));
            }
            for (long rate : rates(line, config)) {
                if (shutdown.signalName() != null) {
                    break;
                }
                trials.run(GeneratorConfig.builder().from(config).ratePps(rate).build(), "latency");
            }
            return EchoApp.EXIT_OK;
        } catch (DpdkException | IllegalStateException e) {
            err.println("l2gen: " + e.getMessage());
            return EchoApp.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EchoApp.EXIT_FAILURE;
        }
    }

    /* --rates, else --rate alone; none after a --search unless asked. */
    private static List<Long> rates(CommandLine line, GeneratorConfig config) {
        if (line.hasOption("rates")) {
            return Arrays.stream(line.getOptionValue("rates").split(",")).map(String::trim).map(Long::parseLong)
                    .toList();
        }
        return line.hasOption("search") ? List.of() : List.of(config.ratePps());
    }

    /** Runs generator trials one after another on the same lcore and port. */
    private final class Trials {
        private final Eal eal;
        private final int lcore;
        private final QueueRef queue;
        private final Mempool pool;
        private final ShutdownSignal shutdown;
        private final boolean json;
        private final long trialSeconds;
        private final HistogramLogFile histograms;

        /* histograms: where every trial's histogram goes (not the probes'), or null. */
        Trials(Eal eal, int lcore, QueueRef queue, Mempool pool, ShutdownSignal shutdown, boolean json,
                long trialSeconds, HistogramLogFile histograms) {
            this.trialSeconds = trialSeconds;
            this.histograms = histograms;
            this.eal = eal;
            this.lcore = lcore;
            this.queue = queue;
            this.pool = pool;
            this.shutdown = shutdown;
            this.json = json;
        }

        /*
         * Trials measure the echo, not its start: probe until frames come back, so a peer that
         * is still setting up does not count as loss.
         */
        void awaitEcho(GeneratorConfig config) throws InterruptedException {
            GeneratorConfig probe = GeneratorConfig.builder().from(config).count(32).ratePps(1000)
                    .drain(Duration.ofMillis(200)).build();
            long deadline = System.nanoTime() + LINK_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && shutdown.signalName() == null) {
                if (run(probe, PROBE).stats().rxEchoes() > 0) {
                    return;
                }
            }
            throw new DpdkException("wait for the echo", "no frame came back within " + LINK_TIMEOUT.toSeconds()
                    + " s", "start the echo on the other end, and check that it forwards to this port");
        }

        void warmUp(GeneratorConfig config, long seconds) throws InterruptedException {
            if (seconds > 0) {
                run(GeneratorConfig.builder().from(config).ratePps(WARM_UP_PPS).count(WARM_UP_PPS * seconds).build(),
                        WARM_UP);
            }
        }

        GeneratorResult run(GeneratorConfig requested, String phase) throws InterruptedException {
            boolean measured = !phase.equals(PROBE) && !phase.equals(WARM_UP);
            // A paced trial lasts --trial-seconds at most (RFC 2544 trials are timed), and sends 1000 frames at least.
            GeneratorConfig config = !measured || trialSeconds == 0 || requested.ratePps() == 0 ? requested
                    : GeneratorConfig.builder().from(requested)
                            .count(Math.min(requested.count(), Math.max(1000, requested.ratePps() * trialSeconds)))
                            .build();
            // Printed with --json too: a harness profiling the peer waits for it.
            out.println(String.format(Locale.ROOT, "l2gen: lcore %d sends %,d frames of %d bytes over %d flow(s) at %s",
                    lcore, config.count(), config.frameLength(), config.flows(), config.ratePps() == 0
                    ? "the port's pace" : String.format(Locale.ROOT, "%,d pps", config.ratePps())));
            long startMillis = System.currentTimeMillis();
            TrafficGenerator generator = TrafficGenerator.launch(eal, lcore, queue, pool, config);
            while (!generator.awaitDone(Duration.ofSeconds(1))) {
                if (shutdown.await(1)) {
                    out.println("l2gen: " + shutdown.signalName() + " received, stopping early");
                    break;
                }
                if (!json) {
                    GeneratorStats stats = generator.stats();
                    out.println(String.format(Locale.ROOT, "l2gen: sent %,d  echoed %,d", stats.txPackets(),
                            stats.rxEchoes()));
                }
            }
            GeneratorResult result = generator.finish();
            if (histograms != null && measured) {
                histograms.append(result, phase, startMillis, System.currentTimeMillis());
            }
            out.println(json ? json(result, phase) : "l2gen: " + result.summary());
            return result;
        }

        /*
         * RFC 2544 style: the highest offered rate at which every frame comes back. The first
         * trial, flat out, bounds the search by what the generator can send at all.
         */
        void searchThroughput(GeneratorConfig config, int steps) throws InterruptedException {
            GeneratorResult flatOut = run(GeneratorConfig.builder().from(config).ratePps(0).build(), "search");
            long ceiling = (long) flatOut.sentPps();
            long good = flatOut.lost() == 0 ? ceiling : 0;
            long bad = ceiling;
            for (int step = 0; step < steps && flatOut.lost() != 0 && shutdown.signalName() == null; step++) {
                long rate = (good + bad) / 2;
                if (rate <= good || bad - good < Math.max(1, bad / 100)) {
                    break;
                }
                GeneratorResult trial = run(GeneratorConfig.builder().from(config).ratePps(rate).build(), "search");
                if (trial.lost() == 0) {
                    good = rate;
                } else {
                    bad = rate;
                }
            }
            String summary = String.format(Locale.ROOT, "{\"phase\":\"throughput\",\"frame_length\":%d,"
                    + "\"no_loss_pps\":%d,\"generator_max_pps\":%d}", config.frameLength(), good, ceiling);
            out.println(json ? summary : String.format(Locale.ROOT, "l2gen: no-loss throughput %,d pps "
                    + "(the generator sends at most %,d pps here)", good, ceiling));
        }
    }

    /* Frames sent before the peer is there (a vhost-user client, a cable) only count as refused. */
    private void awaitLink(Port port, ShutdownSignal shutdown) throws InterruptedException {
        long deadline = System.nanoTime() + LINK_TIMEOUT.toNanos();
        if (!port.link().up()) {
            out.println("l2gen: waiting up to " + LINK_TIMEOUT.toSeconds() + " s for " + port + "'s link");
        }
        while (!port.link().up()) {
            if (System.nanoTime() > deadline) {
                throw new DpdkException("wait for " + port + "'s link", "still down after " + LINK_TIMEOUT.toSeconds()
                        + " s", "connect the peer (for net_vhost, start the virtio_user side) or check the cable");
            }
            if (shutdown.await(100)) {
                throw new DpdkException("wait for " + port + "'s link", shutdown.signalName() + " received", null);
            }
        }
    }

    static String json(GeneratorResult result, String phase) {
        GeneratorStats s = result.stats();
        return String.format(Locale.ROOT, "{\"phase\":\"%s\",\"count\":%d,\"rate_pps\":%d,\"frame_length\":%d,\"flows\":%d,"
                + "\"sent\":%d,\"tx_refused\":%d,\"echoed\":%d,\"lost\":%d,\"reordered\":%d,\"duplicated\":%d,"
                + "\"corrupted\":%d,\"foreign\":%d,\"sent_pps\":%.1f,\"rtt_us\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
                + "\"p99_9\":%.3f,\"p99_99\":%.3f,\"max\":%.3f}}", phase, result.config().count(), result.config().ratePps(),
                result.config().frameLength(), result.config().flows(), s.txPackets(), s.txFailed(), s.rxEchoes(),
                result.lost(), s.rxReordered(), s.rxDuplicates(), s.rxCorrupted(), s.rxForeign(), result.sentPps(),
                result.percentileMicros(50), result.percentileMicros(90), result.percentileMicros(99),
                result.percentileMicros(99.9), result.percentileMicros(99.99),
                result.roundTripNanos().getMaxValue() / 1000.0);
    }

    private static long number(CommandLine line, String name, long defaultValue) {
        return DpdkCommandLine.wholeNumber(line, name, defaultValue);
    }

    static long mac(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("--dst-mac takes six hex bytes like 02:00:00:00:00:02, not '" + text + "'");
        }
        long mac = 0;
        for (String part : parts) {
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }

    private void usage() {
        PrintWriter writer = new PrintWriter(out);
        writer.println("usage: java -jar l2gen.jar [EAL options] -- [l2gen options]");
        writer.println();
        HelpFormatter formatter = new HelpFormatter();
        formatter.setOptionComparator(null);
        formatter.printWrapped(writer, 100, "Sends UDP frames stamped with a sequence number and the TSC, receives "
                + "their echoes on the same queue, and reports echoed, lost, reordered, duplicated and corrupted "
                + "(changed in more than their MACs) frames and "
                + "the round-trip latency (p50 to p99.99 and max, HdrHistogram). Runs on any port: net_vhost, "
                + "virtio_user, net_af_packet or a NIC.");
        writer.println();
        formatter.printOptions(writer, 100, options(), 2, 3);
        writer.flush();
    }
}
