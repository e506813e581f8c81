package io.l2echo.dpdk;

import java.util.List;
import java.util.Optional;

/**
 * How to bring a port up. Immutable; the builder validates what it can before any native
 * call, and {@link Eal#startPort} checks the rest against the device's own limits.
 */
public final class PortConfig {
    private final int portId;
    private final String portName;
    private final int rxQueues;
    private final int txQueues;
    private final int rxDescriptors;
    private final int txDescriptors;
    private final boolean promiscuous;
    private final List<String> rssHashTypes;
    private final boolean rssSymmetric;

    private PortConfig(Builder b) {
        this.portId = b.portId;
        this.portName = b.portName;
        this.rxQueues = b.rxQueues;
        this.txQueues = b.txQueues;
        this.rxDescriptors = b.rxDescriptors;
        this.txDescriptors = b.txDescriptors;
        this.promiscuous = b.promiscuous;
        this.rssHashTypes = b.rssHashTypes;
        this.rssSymmetric = b.rssSymmetric;
    }

    /** A builder holding the defaults: port 0, one Rx and one Tx queue of 1024 descriptors, promiscuous, no RSS. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive a variant (the resolved port, the queues). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.portId = portId;
        b.portName = portName;
        b.rxQueues = rxQueues;
        b.txQueues = txQueues;
        b.rxDescriptors = rxDescriptors;
        b.txDescriptors = txDescriptors;
        b.promiscuous = promiscuous;
        b.rssHashTypes = rssHashTypes;
        b.rssSymmetric = rssSymmetric;
        return b;
    }

    /** These settings on the port id a name resolved to, with {@code queuePairs} Rx and Tx queues. */
    PortConfig resolved(int resolvedPortId, int queuePairs) {
        return toBuilder().portId(resolvedPortId).queues(queuePairs, queuePairs).build();
    }

    /** The port id, used when no {@link #portName()} is given. */
    public int portId() {
        return portId;
    }

    /** A device name such as {@code net_af_packet0}, which takes precedence over the id. */
    public Optional<String> portName() {
        return Optional.ofNullable(portName);
    }

    /** How many Rx queues to set up, each with {@link #rxDescriptors()} descriptors. */
    public int rxQueues() {
        return rxQueues;
    }

    /** How many Tx queues to set up, each with {@link #txDescriptors()} descriptors. */
    public int txQueues() {
        return txQueues;
    }

    /** Descriptors per Rx ring asked for; {@link Port#rxDescriptors()} says what the device's limits left. */
    public int rxDescriptors() {
        return rxDescriptors;
    }

    /** Descriptors per Tx ring asked for; {@link Port#txDescriptors()} says what the device's limits left. */
    public int txDescriptors() {
        return txDescriptors;
    }

    /** Whether the port receives frames whatever their destination MAC: an echo must see them all. */
    public boolean promiscuous() {
        return promiscuous;
    }

    /** RSS hash types by DPDK's names or groups (ip, tcp, udp, sctp); used with several Rx queues. */
    public List<String> rssHashTypes() {
        return rssHashTypes;
    }

    /** Whether RSS uses a symmetric key, so both directions of a flow share a queue. */
    public boolean rssSymmetric() {
        return rssSymmetric;
    }

    /**
     * Builds a {@link PortConfig}; each setter rejects a value out of range with an
     * {@link IllegalArgumentException}.
     */
    public static final class Builder {
        private int portId;
        private String portName;
        private int rxQueues = 1;
        private int txQueues = 1;
        private int rxDescriptors = 1024;
        private int txDescriptors = 1024;
        private boolean promiscuous = true;
        private List<String> rssHashTypes = List.of();
        private boolean rssSymmetric;

        private Builder() {
        }

        /** The port by id, 0..65535, in place of any name given before. */
        public Builder portId(int portId) {
            this.portId = requireRange("port id", portId, 0, 65535);
            this.portName = null;
            return this;
        }

        /**
         * The port as a user gives it: digits are an id, anything else a device name such as
         * {@code net_af_packet0} or {@code 0000:03:00.0}.
         */
        public Builder port(String idOrName) {
            return !idOrName.isEmpty() && idOrName.chars().allMatch(Character::isDigit)
                    ? portId(Integer.parseInt(idOrName)) : portName(idOrName);
        }

        /** A device name such as {@code net_af_packet0}, instead of an id. */
        public Builder portName(String portName) {
            if (portName.isBlank()) {
                throw new IllegalArgumentException("port name must not be blank");
            }
            this.portName = portName;
            return this;
        }

        /** Rx and Tx queue counts, 1..65535 each; the device's own limits are checked when the port starts. */
        public Builder queues(int rxQueues, int txQueues) {
            this.rxQueues = requireRange("Rx queues", rxQueues, 1, 65535);
            this.txQueues = requireRange("Tx queues", txQueues, 1, 65535);
            return this;
        }

        /** Descriptors per Rx and per Tx ring, 1..65535 each; the port adjusts them to the device's limits. */
        public Builder descriptors(int rxDescriptors, int txDescriptors) {
            this.rxDescriptors = requireRange("Rx descriptors", rxDescriptors, 1, 65535);
            this.txDescriptors = requireRange("Tx descriptors", txDescriptors, 1, 65535);
            return this;
        }

        /** Receive frames whatever their destination MAC: an echo must see them all. */
        public Builder promiscuous(boolean promiscuous) {
            this.promiscuous = promiscuous;
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

        /** A configuration with these settings. */
        public PortConfig build() {
            return new PortConfig(this);
        }
    }

    static int requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ", not " + value);
        }
        return value;
    }
}
