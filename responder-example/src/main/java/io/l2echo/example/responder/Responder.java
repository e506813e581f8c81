package io.l2echo.example.responder;

import io.l2echo.dpdk.DeviceInfo;
import io.l2echo.dpdk.DpdkException;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.IdleStrategy;
import io.l2echo.dpdk.PacketBurst;
import io.l2echo.dpdk.PortConfig;
import io.l2echo.cli.DpdkCommandLine;
import io.l2echo.cli.ShutdownSignal;
import io.l2echo.cli.StatsReporter;
import io.l2echo.cli.UsageException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * A host's worth of IPv4 in Java on a DPDK port: {@link ArpIcmpResponder} answers ARP and ping
 * for one address on every queue, in the received mbufs, while the kernel never sees the frames.
 * Runs until SIGINT or SIGTERM, then prints what the handlers answered and dropped, and the
 * queue and port totals.
 *
 * <pre>java -jar responder.jar [EAL options] -- --ip A.B.C.D [--port ID|NAME]</pre>
 */
public final class Responder {
    static final String NAME = "responder";
    private static final int EXIT_OK = 0;
    private static final int EXIT_FAILURE = 1;
    private static final int EXIT_USAGE = 2;
    private static final Pattern DOTTED_QUAD = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private Responder() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        DpdkCommandLine commandLine = DpdkCommandLine.split(args);
        if (commandLine.helpBeforeSeparator()) {
            System.out.print(usage());
            return EXIT_OK;
        }
        CommandLine line;
        int ip;
        EchoConfig.Builder config = EchoConfig.builder().ealArgs(commandLine.ealArgs());
        try {
            line = parse(commandLine.appArgs());
            if (line.hasOption("help")) {
                System.out.print(usage());
                return EXIT_OK;
            }
            if (!line.hasOption("ip")) {
                throw new UsageException("missing --ip A.B.C.D: the IPv4 address to answer ARP and ping for");
            }
            ip = parseIpv4(line.getOptionValue("ip"));
            config.port(PortConfig.builder().port(line.getOptionValue("port", "0")).build());
        } catch (UsageException | IllegalArgumentException e) {
            System.err.println(NAME + ": " + e.getMessage());
            System.err.println("run with --help (after '--') for the options");
            return EXIT_USAGE;
        }

        return serve(config, ip, line.getOptionValue("ip"));
    }

    /* Starts the service with a responder per queue, answers until a signal, prints the counters; the exit status. */
    private static int serve(EchoConfig.Builder config, int ip, String ipText) {
        // The factory runs once per queue as the service starts; the handlers are read after their loops stop.
        List<ArpIcmpResponder> handlers = new ArrayList<>();
        config.packetHandlers((queue, device) -> {
            ArpIcmpResponder handler = new ArpIcmpResponder(ip, device.macAddressBits());
            handlers.add(handler);
            return handler;
        }, IdleStrategy.busySpin());

        // Before EAL starts: a signal during start-up then stops the responder as soon as it runs.
        ShutdownSignal shutdown = ShutdownSignal.register(System.out);
        try (EchoService service = EchoService.start(config.build())) {
            service.eal().pinToControlPlane();
            DeviceInfo port = service.ports().get(0).info();
            System.out.println(NAME + ": " + port.summary()
                    + (PacketBurst.checked() ? ", bursts checked (" + PacketBurst.CHECKED_PROPERTY + ")" : ""));
            System.out.println(NAME + ": answering ARP and ping for " + ipText + " at " + port.macAddress()
                    + "; stop with Ctrl-C (SIGINT) or SIGTERM");
            EchoStats first = service.stats();
            shutdown.await(0);
            System.out.println(NAME + ": " + shutdown.signalName() + " received, stopping");
            service.stopWorkers();
            System.out.print(answered(handlers));
            System.out.print(StatsReporter.formatTotals(first, service.stats()));
            return EXIT_OK;
        } catch (DpdkException | IllegalStateException e) {
            System.err.println(NAME + ": " + e.getMessage());
            return EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println(NAME + ": interrupted");
            return EXIT_FAILURE;
        }
    }

    private static Options options() {
        Options options = new Options();
        options.addOption(Option.builder().longOpt("ip").hasArg().argName("A.B.C.D")
                .desc("the IPv4 address answered for: ARP requests for it and ICMP echo requests to it; required")
                .build());
        options.addOption(Option.builder("p").longOpt("port").hasArg().argName("ID|NAME")
                .desc("port id or device name (net_af_packet0, 0000:03:00.0); default 0").build());
        options.addOption(Option.builder("h").longOpt("help").desc("print this help and exit").build());
        return options;
    }

    private static CommandLine parse(List<String> appArgs) throws UsageException {
        CommandLine line;
        try {
            line = new DefaultParser().parse(options(), appArgs.toArray(String[]::new));
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        if (!line.getArgList().isEmpty()) {
            throw new UsageException("unexpected argument '" + line.getArgList().get(0) + "' after '--'");
        }
        return line;
    }

    private static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("usage: java -jar responder.jar [EAL options] -- --ip A.B.C.D [--port ID|NAME]\n\n");
        text.append("Answers ARP and ping for one IPv4 address in Java, on a DPDK port, while the kernel never sees\n");
        text.append("the frames. EAL options as for l2echo, e.g. -l 0,1 --no-pci --vdev=net_af_packet0,iface=l2e-dut0\n\n");
        StringWriter optionsText = new StringWriter();
        new HelpFormatter().printOptions(new PrintWriter(optionsText), 100, options(), 2, 3);
        text.append(optionsText).append('\n');
        text.append("Exit status: 0 after a clean stop (SIGINT, SIGTERM), 1 when DPDK or the environment fails,\n");
        text.append("2 on a usage error.\n");
        return text.toString();
    }

    /** A dotted quad as an int in network order; nothing is resolved. */
    static int parseIpv4(String text) throws UsageException {
        Matcher quad = DOTTED_QUAD.matcher(text);
        if (!quad.matches()) {
            throw notAnIpv4Address(text);
        }
        int address = 0;
        for (int i = 1; i <= 4; i++) {
            int part = Integer.parseInt(quad.group(i));
            if (part > 255) {
                throw notAnIpv4Address(text);
            }
            address = address << 8 | part;
        }
        return address;
    }

    private static UsageException notAnIpv4Address(String text) {
        return new UsageException("--ip takes an IPv4 address like 10.99.0.2, not '" + text + "'");
    }

    private static String answered(List<ArpIcmpResponder> handlers) {
        long arp = 0;
        long echo = 0;
        long notForUs = 0;
        long malformed = 0;
        for (ArpIcmpResponder handler : handlers) {
            arp += handler.arpRequestsAnswered();
            echo += handler.echoRequestsAnswered();
            notForUs += handler.droppedNotForUs();
            malformed += handler.droppedMalformed();
        }
        return String.format(Locale.ROOT, "%s: answered %,d ARP requests, %,d echo requests; dropped %,d frames not "
                + "for us, %,d malformed%n", NAME, arp, echo, notForUs, malformed);
    }
}
