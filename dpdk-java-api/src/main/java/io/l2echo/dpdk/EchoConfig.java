package io.l2echo.dpdk;

import java.util.List;

/**
 * Everything {@link EchoService} needs, immutable: EAL's arguments, the port's configuration,
 * and what the loops and their pool take. The builders reject values out of range before any
 * native call; limits that depend on the device are checked at start.
 */
public final class EchoConfig {
    /** {@link Builder#queues}: one queue pair for each polling lcore EAL has. */
    public static final int ONE_QUEUE_PER_LCORE = 0;

    private final List<String> ealArgs;
    private final PortConfig port;
    private final int queues;
    private final int burstSize;
    private final int mbufs;
    private final int mbufCacheSize;
    private final int mbufFrameBytes;
    private final int txRetries;

    private EchoConfig(Builder b) {
        this.ealArgs = List.copyOf(b.ealArgs);
        this.port = b.port;
        this.queues = b.queues;
        this.burstSize = b.burstSize;
        this.mbufs = b.mbufs;
        this.mbufCacheSize = b.mbufCacheSize;
        this.mbufFrameBytes = b.mbufFrameBytes;
        this.txRetries = b.txRetries;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<String> ealArgs() {
        return ealArgs;
    }

    /**
     * The port, its descriptors, promiscuity and RSS; its queue count is the plan's
     * (see {@link #portConfig}).
     */
    public PortConfig port() {
        return port;
    }

    /** Rx/Tx queue pairs, each on a polling lcore of its own; {@link #ONE_QUEUE_PER_LCORE} for all of them. */
    public int queues() {
        return queues;
    }

    public int burstSize() {
        return burstSize;
    }

    /** Pool size in mbufs; 0 sizes it from descriptors, bursts and caches. */
    public int mbufs() {
        return mbufs;
    }

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

    /** The port's configuration once the port id and the number of queues are known. */
    public PortConfig portConfig(int resolvedPortId, int resolvedQueues) {
        return port.toBuilder().portId(resolvedPortId).queues(resolvedQueues, resolvedQueues).build();
    }

    public static final class Builder {
        private List<String> ealArgs = List.of();
        private PortConfig port = PortConfig.builder().rss(List.of("ip", "tcp", "udp"), false).build();
        private int queues = 1;
        private int burstSize = 32;
        private int mbufs;
        private int mbufCacheSize = 256;
        private int mbufFrameBytes = Mempool.DEFAULT_DATA_ROOM_SIZE - Mempool.HEADROOM;
        private int txRetries;

        private Builder() {
        }

        public Builder ealArgs(List<String> ealArgs) {
            this.ealArgs = List.copyOf(ealArgs);
            return this;
        }

        /** Default: port 0, 1024 descriptors each way, promiscuous, RSS on ip, tcp, udp. */
        public Builder port(PortConfig port) {
            this.port = port;
            return this;
        }

        public Builder queues(int queues) {
            this.queues = PortConfig.requireRange("queues", queues, ONE_QUEUE_PER_LCORE, 1024);
            return this;
        }

        public Builder burstSize(int burstSize) {
            this.burstSize = PortConfig.requireRange("burst size", burstSize, 1, QueueCounters.MAX_BURST_SIZE);
            return this;
        }

        public Builder mbufs(int mbufs) {
            this.mbufs = mbufs == 0 ? 0 : PortConfig.requireRange("mbufs", mbufs, 1023, 16 * 1024 * 1024);
            return this;
        }

        public Builder mbufCacheSize(int mbufCacheSize) {
            this.mbufCacheSize = PortConfig.requireRange("mbuf cache size", mbufCacheSize, 0, Mempool.MAX_CACHE_SIZE);
            return this;
        }

        /** The data room is a 16-bit field: at most 65535 bytes with the headroom. */
        public Builder mbufFrameBytes(int mbufFrameBytes) {
            this.mbufFrameBytes = PortConfig.requireRange("mbuf size", mbufFrameBytes, 256, 65535 - Mempool.HEADROOM);
            return this;
        }

        public Builder txRetries(int txRetries) {
            this.txRetries = PortConfig.requireRange("tx retries", txRetries, 0, 1_000_000);
            return this;
        }

        public EchoConfig build() {
            return new EchoConfig(this);
        }
    }
}
