package io.l2echo.dpdk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link EchoService} needs, immutable: EAL's arguments, the ports, how many queues
 * each has, and what the loops and their pools take. The builders reject values out of range
 * before any native call; limits that depend on the device are checked at start.
 *
 * <pre>{@code
 * EchoConfig config = EchoConfig.builder()
 *         .ealArgs(List.of("-l", "0,2,3", "-a", "0000:03:00.0", "-a", "0000:03:00.1"))
 *         .port(PortConfig.builder().portName("0000:03:00.0").rss(List.of("ip", "udp"), false).build())
 *         .port(PortConfig.builder().portName("0000:03:00.1").build())
 *         .queues(2)                  // per port: queue q of port p on polling lcore (p + q) mod 2
 *         .mbufs(16383)               // per port's pool; 0 sizes it
 *         .build();
 * }</pre>
 */
public final class EchoConfig {
    /** {@link Builder#queues}: one queue pair for each polling lcore EAL has. */
    public static final int ONE_QUEUE_PER_LCORE = 0;

    private final List<String> ealArgs;
    private final Capture capture;
    private final List<PortConfig> ports;
    private final int queues;
    private final int burstSize;
    private final int mbufs;
    private final int mbufCacheSize;
    private final int mbufFrameBytes;
    private final int txRetries;
    private final Duration linkPollInterval;
    private final PacketHandlerFactory packetHandlers;
    private final IdleStrategy idleStrategy;
    private final SwapLevel swapLevel;
    private final ReflectPolicy reflectPolicy;

    private EchoConfig(Builder b) {
        this.ealArgs = List.copyOf(b.ealArgs);
        this.capture = b.capture;
        this.ports = List.copyOf(b.ports.isEmpty() ? List.of(Builder.DEFAULT_PORT) : b.ports);
        this.queues = b.queues;
        this.burstSize = b.burstSize;
        this.mbufs = b.mbufs;
        this.mbufCacheSize = b.mbufCacheSize;
        this.mbufFrameBytes = b.mbufFrameBytes;
        this.txRetries = b.txRetries;
        this.linkPollInterval = b.linkPollInterval;
        this.packetHandlers = b.packetHandlers;
        this.idleStrategy = b.idleStrategy;
        this.swapLevel = b.swapLevel;
        this.reflectPolicy = b.reflectPolicy;
    }

    /** A builder holding these settings, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ealArgs = ealArgs;
        b.capture = capture;
        b.ports.addAll(ports);
        b.queues = queues;
        b.burstSize = burstSize;
        b.mbufs = mbufs;
        b.mbufCacheSize = mbufCacheSize;
        b.mbufFrameBytes = mbufFrameBytes;
        b.txRetries = txRetries;
        b.linkPollInterval = linkPollInterval;
        b.packetHandlers = packetHandlers;
        b.idleStrategy = idleStrategy;
        b.swapLevel = swapLevel;
        b.reflectPolicy = reflectPolicy;
        return b;
    }

    /** A builder with the defaults: port 0, one queue, bursts of 32, a pool sized for the job. */
    public static Builder builder() {
        return new Builder();
    }

    /** EAL's arguments, without a program name, as given (see {@link EalArguments#withDefaults}). */
    public List<String> ealArgs() {
        return ealArgs;
    }

    /** Whether DPDK's capture tools can attach to the echo ({@link Capture}); {@link Capture#OFF} by default. */
    public Capture capture() {
        return capture;
    }

    /**
     * The ports to echo on, each with its descriptors, promiscuity and RSS; their queue counts
     * are {@link #queues()}, whatever each {@link PortConfig} says.
     */
    public List<PortConfig> ports() {
        return ports;
    }

    /**
     * Rx/Tx queue pairs of each port, a port's queues on distinct polling lcores;
     * {@link #ONE_QUEUE_PER_LCORE} for one per polling lcore.
     */
    public int queues() {
        return queues;
    }

    /** Frames per receive and per transmit burst. */
    public int burstSize() {
        return burstSize;
    }

    /** Each port's pool size in mbufs; 0 sizes it from descriptors, bursts and caches. */
    public int mbufs() {
        return mbufs;
    }

    /** Mbufs each polling lcore keeps in its own cache of a pool, so most allocations touch no shared ring. */
    public int mbufCacheSize() {
        return mbufCacheSize;
    }

    /**
     * Bytes of frame one mbuf holds (its data room less {@link Mempool#HEADROOM}). Below the
     * port's largest frame, frames span several mbufs: the port must offer Rx scatter.
     */
    public int mbufFrameBytes() {
        return mbufFrameBytes;
    }

    /** Extra transmit attempts for frames the Tx queue refused before they are dropped. */
    public int txRetries() {
        return txRetries;
    }

    /** How often the control plane reads each port's link to report changes to {@link LinkListener}s. */
    public Duration linkPollInterval() {
        return linkPollInterval;
    }

    /**
     * The Java packet logic each queue gets instead of the native echo, when set
     * ({@link Builder#packetHandlers}); empty for the native echo.
     */
    public Optional<PacketHandlerFactory> packetHandlers() {
        return Optional.ofNullable(packetHandlers);
    }

    /** How much of each frame the native echo swaps; {@link SwapLevel#MAC} unless set. */
    public SwapLevel swapLevel() {
        return swapLevel == null ? SwapLevel.MAC : swapLevel;
    }

    /** Which frames the native echo reflects; {@link ReflectPolicy#UNICAST} unless set. */
    public ReflectPolicy reflectPolicy() {
        return reflectPolicy == null ? ReflectPolicy.UNICAST : reflectPolicy;
    }

    /** What a Java packet loop does on an empty poll; busy-spin unless set. */
    public IdleStrategy idleStrategy() {
        return idleStrategy;
    }

    /** Builds an {@link EchoConfig}; every setter validates its argument at once. */
    public static final class Builder {
        /** Port 0, 1024 descriptors each way, promiscuous, RSS on ip, tcp, udp. */
        static final PortConfig DEFAULT_PORT = PortConfig.builder().rss(List.of("ip", "tcp", "udp"), false).build();

        private List<String> ealArgs = List.of();
        private Capture capture = Capture.OFF;
        private final List<PortConfig> ports = new ArrayList<>();
        private int queues = 1;
        private int burstSize = 32;
        private int mbufs;
        private int mbufCacheSize = 256;
        private int mbufFrameBytes = Mempool.DEFAULT_DATA_ROOM_SIZE - Mempool.HEADROOM;
        private int txRetries;
        private Duration linkPollInterval = Duration.ofMillis(100);
        private PacketHandlerFactory packetHandlers;
        private IdleStrategy idleStrategy = IdleStrategy.busySpin();
        /* null: not set, so the default, and no contradiction with packet handlers */
        private SwapLevel swapLevel;
        private ReflectPolicy reflectPolicy;

        private Builder() {
        }

        /** EAL's options from typed values: the same as {@code ealArgs(options.arguments())}. */
        public Builder eal(EalOptions options) {
            return ealArgs(options.arguments());
        }

        /** EAL's own arguments ({@code -l}, {@code -a}, {@code --vdev}, ...), without a program name. */
        public Builder ealArgs(List<String> ealArgs) {
            this.ealArgs = List.copyOf(ealArgs);
            return this;
        }

        /**
         * {@link Capture#DPDK_TOOLS} lets {@code dpdk-dumpcap}, {@code dpdk-pdump} and
         * {@code dpdk-proc-info} attach to the running echo by the {@code --file-prefix} the EAL
         * arguments must then give; see {@link Eal#init(List, Capture)}.
         */
        public Builder capture(Capture capture) {
            this.capture = Objects.requireNonNull(capture, "capture");
            return this;
        }

        /**
         * Adds a port to echo on. Without any, the echo runs on port 0 with 1024 descriptors each
         * way, promiscuous, RSS on ip, tcp, udp.
         */
        public Builder port(PortConfig port) {
            String name = port.portName().orElse(null);
            for (PortConfig other : ports) {
                if (name != null ? name.equals(other.portName().orElse(null))
                        : other.portName().isEmpty() && other.portId() == port.portId()) {
                    throw new IllegalArgumentException("port " + (name != null ? name : port.portId())
                            + " is given twice");
                }
            }
            ports.add(port);
            return this;
        }

        /** Queue pairs of each port; {@link #ONE_QUEUE_PER_LCORE} (the default for l2multi) for one per polling lcore. */
        public Builder queues(int queues) {
            this.queues = PortConfig.requireRange("queues", queues, ONE_QUEUE_PER_LCORE, 1024);
            return this;
        }

        /** Frames per burst, 1..{@value QueueCounters#MAX_BURST_SIZE}; default 32. */
        public Builder burstSize(int burstSize) {
            this.burstSize = PortConfig.requireRange("burst size", burstSize, 1, QueueCounters.MAX_BURST_SIZE);
            return this;
        }

        /** Each port's pool size; 0 (the default) sizes it from descriptors, bursts and caches. */
        public Builder mbufs(int mbufs) {
            this.mbufs = mbufs == 0 ? 0 : PortConfig.requireRange("mbufs", mbufs, 1023, 16 * 1024 * 1024);
            return this;
        }

        /** Per-lcore cache of each pool, 0..{@value Mempool#MAX_CACHE_SIZE}; default 256. */
        public Builder mbufCacheSize(int mbufCacheSize) {
            this.mbufCacheSize = PortConfig.requireRange("mbuf cache size", mbufCacheSize, 0, Mempool.MAX_CACHE_SIZE);
            return this;
        }

        /**
         * Bytes of frame one mbuf holds; default 2048. The data room is a 16-bit field: at most
         * 65535 bytes with the headroom.
         */
        public Builder mbufFrameBytes(int mbufFrameBytes) {
            this.mbufFrameBytes = PortConfig.requireRange("mbuf size", mbufFrameBytes, 256, 65535 - Mempool.HEADROOM);
            return this;
        }

        /** Extra transmit attempts for frames the Tx queue refused; default 0 (drop them at once). */
        public Builder txRetries(int txRetries) {
            this.txRetries = PortConfig.requireRange("tx retries", txRetries, 0, 1_000_000);
            return this;
        }

        /** How often each port's link is read for {@link LinkListener}s, 1 ms..1 min; default 100 ms. */
        public Builder linkPollInterval(Duration interval) {
            if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("link poll interval must be in 1 ms..1 min, not " + interval);
            }
            this.linkPollInterval = interval;
            return this;
        }

        /**
         * Runs Java packet logic on every queue instead of the native MAC swap: a
         * {@link PacketLoop} per queue, on a Java thread pinned to the CPUs of the lcore the plan
         * gives the queue, with the handler {@code handlers} makes for it (one per queue, so
         * handlers share nothing unless the factory shares), reading and rewriting the received mbufs in place (zero-copy).
         * One JNI call per burst each way; see {@link PacketQueue} for the rules and
         * {@link PacketHandler} for the handler's part. Each polling lcore then serves one queue.
         */
        public Builder packetHandlers(PacketHandlerFactory handlers, IdleStrategy idle) {
            this.packetHandlers = Objects.requireNonNull(handlers, "handlers");
            this.idleStrategy = Objects.requireNonNull(idle, "idle");
            return this;
        }

        /**
         * How much of each frame the native echo swaps: {@link SwapLevel#MAC} (the default), MAC
         * and IP addresses ({@link SwapLevel#IP}), or those and the UDP/TCP/SCTP ports
         * ({@link SwapLevel#PORTS}), through up to two VLAN tags, checksums kept valid. Not with
         * {@link #packetHandlers}, whose handlers do their own rewriting.
         */
        public Builder swapLevel(SwapLevel level) {
            this.swapLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * Which frames the native echo sends back: {@link ReflectPolicy#UNICAST} (the default:
         * frames to a group or IEEE 802.1 link-local address are not reflected, frames from a
         * group address are dropped), {@link ReflectPolicy#GROUP} (group-destined frames too, from
         * the port's own MAC), or {@link ReflectPolicy#EVERYTHING} (every frame, as testpmd). Not
         * with {@link #packetHandlers}, whose handlers give each frame its verdict.
         */
        public Builder reflectPolicy(ReflectPolicy policy) {
            this.reflectPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The configuration; the builder may be reused. A swap level or reflect policy set beside
         * packet handlers is refused ({@link IllegalArgumentException}): the handlers, not the
         * native echo, decide what goes back.
         */
        public EchoConfig build() {
            if (packetHandlers != null && (swapLevel != null || reflectPolicy != null)) {
                throw new IllegalArgumentException("a swap level or reflect policy is the native echo's: packet handlers"
                        + " rewrite and choose frames themselves, so set one or the other");
            }
            return new EchoConfig(this);
        }
    }
}
