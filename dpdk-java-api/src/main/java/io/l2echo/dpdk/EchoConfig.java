package io.l2echo.dpdk;

import java.util.List;
import java.util.Optional;

/**
 * Everything {@link EchoService} needs, immutable. The builder rejects values out of range
 * before any native call; limits that depend on the device are checked at start.
 */
public final class EchoConfig {
    /** {@link Builder#queues}: one queue pair for each polling lcore EAL has. */
    public static final int ONE_QUEUE_PER_LCORE = 0;

    private final List<String> ealArgs;
    private final int portId;
    private final String portName;
    private final int queues;
    private final int burstSize;
    private final int rxDescriptors;
    private final int txDescriptors;
    private final int mbufs;
    private final int mbufCacheSize;
    private final int txRetries;
    private final boolean promiscuous;
    private final List<String> rssHashTypes;
    private final boolean rssSymmetric;

    private EchoConfig(Builder b) {
        this.ealArgs = List.copyOf(b.ealArgs);
        this.portId = b.portId;
        this.portName = b.portName;
        this.queues = b.queues;
        this.burstSize = b.burstSize;
        this.rxDescriptors = b.rxDescriptors;
        this.txDescriptors = b.txDescriptors;
        this.mbufs = b.mbufs;
        this.mbufCacheSize = b.mbufCacheSize;
        this.txRetries = b.txRetries;
        this.promiscuous = b.promiscuous;
        this.rssHashTypes = b.rssHashTypes;
        this.rssSymmetric = b.rssSymmetric;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<String> ealArgs() {
        return ealArgs;
    }

    public int portId() {
        return portId;
    }

    public Optional<String> portName() {
        return Optional.ofNullable(portName);
    }

    /** Rx/Tx queue pairs, each on a polling lcore of its own; {@link #ONE_QUEUE_PER_LCORE} for all of them. */
    public int queues() {
        return queues;
    }

    public int burstSize() {
        return burstSize;
    }

    public int rxDescriptors() {
        return rxDescriptors;
    }

    public int txDescriptors() {
        return txDescriptors;
    }

    /** Pool size in mbufs; 0 sizes it from descriptors, bursts and caches. */
    public int mbufs() {
        return mbufs;
    }

    public int mbufCacheSize() {
        return mbufCacheSize;
    }

    /** Extra transmit attempts for frames the Tx queue refused before they are dropped. */
    public int txRetries() {
        return txRetries;
    }

    public boolean promiscuous() {
        return promiscuous;
    }

    /** RSS hash types for several queues; default ip, tcp, udp. */
    public List<String> rssHashTypes() {
        return rssHashTypes;
    }

    public boolean rssSymmetric() {
        return rssSymmetric;
    }

    /** The port's configuration once the port id and the number of queues are known. */
    public PortConfig portConfig(int resolvedPortId, int resolvedQueues) {
        return PortConfig.builder().portId(resolvedPortId).queues(resolvedQueues, resolvedQueues)
                .descriptors(rxDescriptors, txDescriptors).promiscuous(promiscuous)
                .rss(rssHashTypes, rssSymmetric).build();
    }

    public static final class Builder {
        private List<String> ealArgs = List.of();
        private int portId;
        private String portName;
        private int queues = 1;
        private int burstSize = 32;
        private int rxDescriptors = 1024;
        private int txDescriptors = 1024;
        private int mbufs;
        private int mbufCacheSize = 256;
        private int txRetries;
        private boolean promiscuous = true;
        private List<String> rssHashTypes = List.of("ip", "tcp", "udp");
        private boolean rssSymmetric;

        private Builder() {
        }

        public Builder ealArgs(List<String> ealArgs) {
            this.ealArgs = List.copyOf(ealArgs);
            return this;
        }

        public Builder portId(int portId) {
            this.portId = PortConfig.requireRange("port id", portId, 0, 65535);
            this.portName = null;
            return this;
        }

        /** A device name such as {@code net_af_packet0}, instead of an id. */
        public Builder portName(String portName) {
            if (portName.isBlank()) {
                throw new IllegalArgumentException("port name must not be blank");
            }
            this.portName = portName;
            return this;
        }

        public Builder queues(int queues) {
            this.queues = PortConfig.requireRange("queues", queues, ONE_QUEUE_PER_LCORE, 1024);
            return this;
        }

        /** Hash types by DPDK's names or groups (ip, tcp, udp, sctp), and whether the key is symmetric. */
        public Builder rss(List<String> hashTypes, boolean symmetric) {
            for (String type : hashTypes) {
                if (type.isBlank()) {
                    throw new IllegalArgumentException("an RSS hash type must not be blank");
                }
            }
            this.rssHashTypes = List.copyOf(hashTypes);
            this.rssSymmetric = symmetric;
            return this;
        }

        public Builder burstSize(int burstSize) {
            this.burstSize = PortConfig.requireRange("burst size", burstSize, 1, QueueCounters.MAX_BURST_SIZE);
            return this;
        }

        public Builder descriptors(int rxDescriptors, int txDescriptors) {
            this.rxDescriptors = PortConfig.requireRange("Rx descriptors", rxDescriptors, 16, 32768);
            this.txDescriptors = PortConfig.requireRange("Tx descriptors", txDescriptors, 16, 32768);
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

        public Builder txRetries(int txRetries) {
            this.txRetries = PortConfig.requireRange("tx retries", txRetries, 0, 1_000_000);
            return this;
        }

        public Builder promiscuous(boolean promiscuous) {
            this.promiscuous = promiscuous;
            return this;
        }

        public EchoConfig build() {
            return new EchoConfig(this);
        }
    }
}
