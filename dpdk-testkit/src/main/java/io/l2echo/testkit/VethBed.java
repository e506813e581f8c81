package io.l2echo.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A veth test bed made by the repository's {@code scripts/veth_bed.sh}: the DUT end in the root
 * namespace, for DPDK's {@code net_af_packet}, and the peer end in a network namespace of its
 * own, with the peer IP on it and the echo IP as a permanent neighbour at the DUT's MAC (or, with
 * {@link Builder#staticNeighbour(boolean) staticNeighbour(false)}, left for the namespace to
 * resolve by ARP).
 *
 * <p>Each bed gets names of its own, from this JVM's pid and a counter, so beds of parallel
 * tests and leftovers of a killed run never collide. {@link #close()} runs the script's
 * {@code down}; a shutdown hook does the same if the JVM exits with the bed still up.
 *
 * <pre>{@code
 * try (VethBed bed = VethBed.builder().queues(2).up();
 *      RawSocket peer = bed.openPeerSocket()) {
 *     // start DPDK on bed.dutInterface(), send bed.frames().build() frames on peer
 * }
 * }</pre>
 */
public final class VethBed implements AutoCloseable {

    public static final String SCRIPT = "scripts/veth_bed.sh";

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_NAME_ATTEMPTS = 100;
    private static final AtomicInteger BEDS = new AtomicInteger();
    private static final Pattern ADDRESS = Pattern.compile("\"address\"\\s*:\\s*\"([0-9a-fA-F:]{17})\"");

    private final List<String> downCommand;
    private final String namespace;
    private final String dutInterface;
    private final String peerInterface;
    private final int queues;
    private final String peerCidr;
    private final String echoIp;
    private final MacAddress dutMac;
    private final MacAddress peerMac;
    private final Thread downOnExit;
    private final AtomicBoolean closed = new AtomicBoolean();

    private VethBed(Builder builder, Names names, List<String> downCommand, MacAddress dutMac, MacAddress peerMac,
                    Thread downOnExit) {
        this.downCommand = downCommand;
        this.namespace = names.namespace;
        this.dutInterface = names.dut;
        this.peerInterface = names.peer;
        this.queues = builder.queues;
        this.peerCidr = builder.peerCidr;
        this.echoIp = builder.echoIp;
        this.dutMac = dutMac;
        this.peerMac = peerMac;
        this.downOnExit = downOnExit;
    }

    /** One queue, peer 10.99.0.1/24, echo IP 10.99.0.2, the script found from {@code user.dir} up. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code scripts/veth_bed.sh} in the nearest directory at or above {@code start} that has
     * one: Maven runs a module's tests in the module's directory, below the repository root.
     */
    public static Path findScript(Path start) throws IOException {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(SCRIPT);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no " + SCRIPT + " in " + start.toAbsolutePath() + " or any directory above it");
    }

    /** The root-namespace end, for {@code --vdev=net_af_packet0,iface=NAME}. */
    public String dutInterface() {
        return dutInterface;
    }

    /** The end inside {@link #namespace()}, where test traffic is sent and echoes arrive. */
    public String peerInterface() {
        return peerInterface;
    }

    public String namespace() {
        return namespace;
    }

    public int queues() {
        return queues;
    }

    public MacAddress dutMac() {
        return dutMac;
    }

    public MacAddress peerMac() {
        return peerMac;
    }

    /** The peer's address without its prefix length. */
    public String peerIp() {
        return peerCidr.substring(0, peerCidr.indexOf('/'));
    }

    /** The address the namespace's kernel resolves to the DUT's MAC: statically, or by ARP. */
    public String echoIp() {
        return echoIp;
    }

    /** The {@code net_af_packet} vdev argument for the DUT end, with {@code qpairs} for several queues. */
    public String afPacketVdev(int portIndex) {
        return "net_af_packet" + portIndex + ",iface=" + dutInterface + (queues > 1 ? ",qpairs=" + queues : "");
    }

    /** A frame template from the peer to the echo IP at the DUT's MAC, as the namespace's kernel would address it. */
    public UdpFrameTemplate.Builder frames() {
        return UdpFrameTemplate.builder()
                .sourceMac(peerMac).destinationMac(dutMac)
                .sourceIp(peerIp()).destinationIp(echoIp);
    }

    public RawSocket openPeerSocket() throws IOException {
        return RawSocket.open(namespace, peerInterface);
    }

    /**
     * Removes the namespace and both interfaces; idempotent. An interrupted caller (a harness
     * being stopped) still waits for the removal; its interrupt is kept for after.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The exit hook runs 'down' as well; the script allows that twice.
        Cleanup.completely(() -> Processes.run(SCRIPT_TIMEOUT, downCommand).requireSuccess(), downOnExit);
    }

    @Override
    public String toString() {
        return "VethBed[" + dutInterface + " " + dutMac + " <-> " + namespace + "/" + peerInterface + " " + peerMac
                + ", " + queues + " queue(s), " + peerCidr + " -> " + echoIp + "]";
    }


    private static MacAddress readDutMac(String dut) throws IOException {
        return MacAddress.parse(Files.readString(Path.of("/sys/class/net", dut, "address"), StandardCharsets.US_ASCII));
    }

    /** Read through the namespace: the root namespace's sysfs does not list the peer. */
    private static MacAddress readPeerMac(String namespace, String peer) throws IOException {
        Processes.Result link = Processes.run(SCRIPT_TIMEOUT, "ip", "-n", namespace, "-j", "link", "show", "dev", peer)
                .requireSuccess();
        Matcher address = ADDRESS.matcher(link.output());
        if (!address.find()) {
            throw new IOException("no MAC address for " + peer + " in 'ip -n " + namespace + " -j link show' output: "
                    + link.output().strip());
        }
        return MacAddress.parse(address.group(1));
    }

    private record Names(String namespace, String dut, String peer) {

        /**
         * Interface names must fit IFNAMSIZ - 1 = 15 characters: "l2e" + pid in base 36 (at
         * most 5 for Linux's 2^22 pids) + 'd'/'p' + counter stays within 12 until 1000 beds.
         */
        static Names next() throws IOException {
            String pid = Long.toString(ProcessHandle.current().pid(), Character.MAX_RADIX);
            for (int attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
                int n = BEDS.incrementAndGet();
                Names names = new Names("l2e-" + pid + "-" + n, "l2e" + pid + "d" + n, "l2e" + pid + "p" + n);
                if (!Files.exists(Path.of("/run/netns", names.namespace))
                        && !Files.exists(Path.of("/sys/class/net", names.dut))
                        && !Files.exists(Path.of("/sys/class/net", names.peer))) {
                    return names;
                }
            }
            throw new IOException("no free bed names for pid " + pid + " after " + MAX_NAME_ATTEMPTS
                    + " tries: leftovers of earlier runs? See 'ip netns list' and 'ip link'");
        }
    }

    /** Settings of a bed; {@link #up()} creates it. */
    public static final class Builder {
        private Path script;
        private int queues = 1;
        private String peerCidr = "10.99.0.1/24";
        private String echoIp = "10.99.0.2";
        private boolean staticNeighbour = true;

        private Builder() {
        }

        /** Number of rx/tx queues on both veth ends (1..64), for DPDK's {@code qpairs}. */
        public Builder queues(int queues) {
            if (queues < 1 || queues > 64) {
                throw new IllegalArgumentException("queues must be 1..64, got " + queues);
            }
            this.queues = queues;
            return this;
        }

        /** The peer's address with its prefix length, e.g. {@code 10.99.0.1/24}. */
        public Builder peerIp(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("peer IP needs a prefix length, e.g. 10.99.0.1/24: '" + cidr + "'");
            }
            Frames.parseIpv4(cidr.substring(0, slash));
            this.peerCidr = cidr;
            return this;
        }

        public Builder echoIp(String dottedQuad) {
            Frames.parseIpv4(dottedQuad);
            this.echoIp = dottedQuad;
            return this;
        }

        /**
         * Whether the namespace gets a permanent neighbour entry mapping the echo IP to the
         * DUT's MAC (the default: an echo that answers no ARP still gets frames); false leaves
         * it to ARP, for an app on the DUT that answers ARP itself.
         */
        public Builder staticNeighbour(boolean staticNeighbour) {
            this.staticNeighbour = staticNeighbour;
            return this;
        }

        /** The bed script to run instead of the one {@link #findScript} finds from {@code user.dir}. */
        public Builder script(Path script) {
            this.script = script;
            return this;
        }

        /**
         * Runs the script's {@code up}. On failure, runs {@code down} for whatever part was made
         * and throws with the script's output.
         */
        public VethBed up() throws IOException {
            Path script = this.script != null ? this.script : findScript(Path.of(System.getProperty("user.dir")));
            Names names = Names.next();
            List<String> down = command(script, "down", names);
            List<String> up = new ArrayList<>(command(script, "up", names));
            if (!staticNeighbour) {
                up.add("--no-neighbour");
            }
            Thread downOnExit = new Thread(() -> {
                try {
                    Processes.run(SCRIPT_TIMEOUT, down);
                } catch (IOException e) {
                    System.err.println("veth bed " + names + " may be left behind: " + e.getMessage());
                }
            }, "veth-bed-down-" + names.namespace);
            Runtime.getRuntime().addShutdownHook(downOnExit);
            try {
                Processes.run(SCRIPT_TIMEOUT, up).requireSuccess();
                return new VethBed(this, names, down, readDutMac(names.dut), readPeerMac(names.namespace, names.peer),
                        downOnExit);
            } catch (IOException | RuntimeException e) {
                try {
                    Processes.run(SCRIPT_TIMEOUT, down).requireSuccess();
                    Runtime.getRuntime().removeShutdownHook(downOnExit);
                } catch (IOException | IllegalStateException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }

        /** The same options for up and down: the script identifies the bed by them. */
        private List<String> command(Path script, String action, Names names) {
            return List.of("bash", script.toString(), action, "--ns", names.namespace, "--dut", names.dut,
                    "--peer", names.peer, "--queues", Integer.toString(queues), "--peer-ip", peerCidr, "--echo-ip", echoIp);
        }
    }
}
