package io.l2echo.cli;

import io.l2echo.dpdk.Capture;
import io.l2echo.dpdk.EalArguments;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.PortConfig;
import io.l2echo.dpdk.QueueCounters;
import io.l2echo.dpdk.ReflectPolicy;
import io.l2echo.dpdk.SwapLevel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The echo apps' command line, in DPDK's convention: {@code [EAL options] -- [app options]}.
 * EAL's part goes to rte_eal_init untouched; the app's part is parsed here.
 */
public final class EchoCommandLine {
    private final EchoConfig config;
    private final long statsIntervalMillis;
    private final long durationSeconds;
    private final boolean help;

    private EchoCommandLine(EchoConfig config, long statsIntervalMillis, long durationSeconds, boolean help) {
        this.config = config;
        this.statsIntervalMillis = statsIntervalMillis;
        this.durationSeconds = durationSeconds;
        this.help = help;
    }

    /** The echo's configuration, EAL arguments included; null when {@link #helpRequested()}. */
    public EchoConfig config() {
        return config;
    }

    /** 0 disables the periodic stats. */
    public long statsIntervalMillis() {
        return statsIntervalMillis;
    }

    /** 0 runs until SIGINT or SIGTERM. */
    public long durationSeconds() {
        return durationSeconds;
    }

    /** Whether -h or --help was given, on either side of {@code --}: the app prints its usage and exits. */
    public boolean helpRequested() {
        return help;
    }

    /**
     * The options of an app; a multi-queue app also takes the number of queues and RSS.
     */
    static Options options(boolean multiQueue) {
        Options options = new Options();
        options.addOption(Option.builder("p").longOpt("port").hasArg().argName("ID|NAME")
                .desc("port id or device name (net_af_packet0, 0000:03:00.0); repeat it to echo on several "
                        + "ports, their queues spread over the polling lcores; default 0").build());
        options.addOption(Option.builder().longOpt("burst").hasArg().argName("N")
                .desc("frames per rx/tx burst, 1.." + QueueCounters.MAX_BURST_SIZE + "; default 32").build());
        options.addOption(Option.builder().longOpt("rx-desc").hasArg().argName("N")
                .desc("Rx ring descriptors per queue; default 1024 (rounded to the device's limits)").build());
        options.addOption(Option.builder().longOpt("tx-desc").hasArg().argName("N")
                .desc("Tx ring descriptors per queue; default 1024 (rounded to the device's limits)").build());
        options.addOption(Option.builder().longOpt("mbufs").hasArg().argName("N")
                .desc("mbuf pool size; default: sized from descriptors, bursts and caches").build());
        options.addOption(Option.builder().longOpt("mbuf-cache").hasArg().argName("N")
                .desc("per-lcore mbuf cache, 0.." + io.l2echo.dpdk.Mempool.MAX_CACHE_SIZE + "; default 256").build());
        options.addOption(Option.builder().longOpt("mbuf-size").hasArg().argName("BYTES")
                .desc("frame bytes one mbuf holds (its data room less the 128-byte headroom), 256..65407; "
                        + "default 2048. Below the port's largest frame (1518 bytes), frames span several mbufs: "
                        + "the port must offer Rx scatter").build());
        if (multiQueue) {
            options.addOption(Option.builder().longOpt("queues").hasArg().argName("N")
                    .desc("Rx/Tx queue pairs of each port, each on a worker lcore of its own; default: one for "
                            + "every worker lcore").build());
            options.addOption(Option.builder().longOpt("rss").hasArg().argName("TYPES")
                    .desc("RSS hash types, comma-separated: ip, tcp, udp, sctp or DPDK's names (ipv4-udp, ...), "
                            + "masked to what the device supports; 'none' for no RSS; default ip,tcp,udp").build());
            options.addOption(Option.builder().longOpt("rss-symmetric")
                    .desc("symmetric RSS key: both directions of a flow land on the same queue").build());
        }
        options.addOption(Option.builder().longOpt("swap").hasArg().argName("LEVEL")
                .desc("what is swapped in each frame sent back: mac (source and destination MAC), ip (and the "
                        + "IPv4/IPv6 addresses), ports (and the UDP/TCP/SCTP ports), through up to two VLAN tags, "
                        + "stopping at the first layer not whole; checksums stay valid; default mac").build());
        options.addOption(Option.builder().longOpt("reflect").hasArg().argName("POLICY")
                .desc("which frames go back: unicast (frames to a multicast/broadcast or 802.1 link-local "
                        + "address are not reflected, frames from a group address are dropped, each counted), "
                        + "group (group-addressed frames too, sent from the port's own MAC), everything (every "
                        + "frame, as testpmd: a broadcast returns from ff:ff:ff:ff:ff:ff); default unicast").build());
        options.addOption(Option.builder().longOpt("capturable")
                .desc("let DPDK's tools attach while the echo runs: dpdk-dumpcap --file-prefix=NAME (pcapng of "
                        + "what a port receives and sends), dpdk-pdump, dpdk-proc-info; needs --file-prefix=NAME "
                        + "among the EAL options, shares hugepage memory instead of --in-memory, and removes its "
                        + "hugepage files at exit").build());
        options.addOption(Option.builder().longOpt("tx-retries").hasArg().argName("N")
                .desc("extra tx attempts for frames the Tx ring refused before dropping them; default 0").build());
        options.addOption(Option.builder().longOpt("no-promisc")
                .desc("leave promiscuous mode off (then only frames to the port's MAC are echoed)").build());
        options.addOption(Option.builder().longOpt("stats-interval").hasArg().argName("MS")
                .desc("live stats period in milliseconds, 0 for none; default 1000").build());
        options.addOption(Option.builder().longOpt("duration").hasArg().argName("S")
                .desc("stop by itself after S seconds; default: run until SIGINT/SIGTERM").build());
        options.addOption(Option.builder("h").longOpt("help").desc("print this help and exit").build());
        return options;
    }

    /** Parses {@code [EAL options] -- [app options]}; help anywhere wins. */
    public static EchoCommandLine parse(String[] argv, boolean multiQueue) throws UsageException {
        DpdkCommandLine split = DpdkCommandLine.split(argv);
        if (split.helpBeforeSeparator()) {
            return new EchoCommandLine(null, 0, 0, true);
        }
        CommandLine line;
        try {
            line = new DefaultParser().parse(options(multiQueue), split.appArgs().toArray(String[]::new));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        if (line.hasOption("help")) {
            return new EchoCommandLine(null, 0, 0, true);
        }
        if (!line.getArgList().isEmpty()) {
            throw new UsageException("unexpected argument '" + line.getArgList().get(0) + "' after '--'");
        }
        EchoConfig.Builder config = EchoConfig.builder().ealArgs(split.ealArgs());
        try {
            String[] portSpecs = line.hasOption("port") ? line.getOptionValues("port") : new String[] {"0"};
            for (String portSpec : portSpecs) {
                PortConfig.Builder port = PortConfig.builder().port(portSpec);
                port.descriptors(intOption(line, "rx-desc", 1024), intOption(line, "tx-desc", 1024))
                        .promiscuous(!line.hasOption("no-promisc"));
                if (multiQueue) {
                    String rss = line.getOptionValue("rss", "ip,tcp,udp").trim();
                    port.rss(rss.equals("none") ? List.of() : List.of(rss.split("\\s*,\\s*")),
                            line.hasOption("rss-symmetric"));
                }
                config.port(port.build());
            }
            if (multiQueue) {
                config.queues(intOption(line, "queues", EchoConfig.ONE_QUEUE_PER_LCORE));
            }
            config.burstSize(intOption(line, "burst", 32))
                    .mbufs(intOption(line, "mbufs", 0))
                    .mbufCacheSize(intOption(line, "mbuf-cache", 256))
                    .mbufFrameBytes(intOption(line, "mbuf-size", 2048))
                    .txRetries(intOption(line, "tx-retries", 0));
            SwapLevel swap = choice(line, "swap", SwapLevel::fromOption);
            if (swap != null) {
                config.swapLevel(swap);
            }
            ReflectPolicy reflect = choice(line, "reflect", ReflectPolicy::fromOption);
            if (reflect != null) {
                config.reflectPolicy(reflect);
            }
            if (line.hasOption("capturable")) {
                EalArguments.forCapture(split.ealArgs()); // its refusal is a usage error, before DPDK starts
                config.capture(Capture.DPDK_TOOLS);
            }
            long interval = intOption(line, "stats-interval", 1000);
            long duration = intOption(line, "duration", 0);
            if (interval < 0 || duration < 0) {
                throw new IllegalArgumentException("--stats-interval and --duration must not be negative");
            }
            return new EchoCommandLine(config.build(), interval, duration, false);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /* An option naming one of a set; null when absent. Given twice, it must name the same choice. */
    private static <T> T choice(CommandLine line, String name, Function<String, T> parse) {
        String[] values = line.getOptionValues(name);
        if (values == null) {
            return null;
        }
        T chosen = parse.apply(values[0].trim());
        for (String value : values) {
            if (parse.apply(value.trim()) != chosen) {
                throw new IllegalArgumentException("--" + name + " is given twice, as " + Arrays.toString(values)
                        + ": choose one");
            }
        }
        return chosen;
    }

    private static int intOption(CommandLine line, String name, int defaultValue) {
        return Math.toIntExact(DpdkCommandLine.wholeNumber(line, name, defaultValue));
    }

    /** The usage text for {@code appName}, EAL's part summarised. */
    public static String usage(String appName, String summary, boolean multiQueue) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.println("usage: java -jar " + appName + ".jar [EAL options] -- [" + appName + " options]");
        out.println();
        HelpFormatter formatter = new HelpFormatter();
        formatter.setOptionComparator(null); // declaration order: the port first
        formatter.printWrapped(out, 100, summary);
        out.println();
        out.println("EAL options (DPDK's own, passed to rte_eal_init unchanged), for example:");
        out.println("  -l 0,1                       lcores: the first is the main lcore, the others poll");
        out.println("  --no-pci --vdev=net_af_packet0,iface=IF   a kernel interface, no PCI probing");
        out.println("  -a 0000:03:00.0              a NIC bound to vfio-pci or uio_pci_generic");
        out.println("  --in-memory                  no hugepage files on disk (added unless a memory mode or");
        out.println("                               --capturable is given)");
        out.println("  --file-prefix=NAME           runtime directory name, one per DPDK process");
        out.println();
        formatter.printOptions(out, 100, options(multiQueue), 2, 3);
        out.println();
        out.println("Exit status: 0 after a clean stop (SIGINT, SIGTERM or --duration), 1 when DPDK or the");
        out.println("environment fails, 2 on a usage error.");
        out.flush();
        return text.toString();
    }
}
