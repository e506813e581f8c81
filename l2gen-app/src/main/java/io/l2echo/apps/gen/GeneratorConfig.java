package io.l2echo.apps.gen;

import io.l2echo.dpdk.QueueCounters;
import io.l2echo.dpdk.SwapLevel;
import java.time.Duration;

/**
 * What the traffic generator sends: how many UDP frames, how long, how fast, over how many
 * flows, and to whom. Immutable; the builder rejects values out of range before any native
 * call.
 */
public final class GeneratorConfig {
    /** Ethernet + IPv4 + UDP headers, then the 8-byte sequence number and 8-byte TSC stamp. */
    public static final int MIN_FRAME_LENGTH = 58;
    /** The longest frame, without FCS: a 1500-byte MTU and the Ethernet header. */
    public static final int MAX_FRAME_LENGTH = 1514;

    private final long count;
    private final long ratePps;
    private final int frameLength;
    private final int flows;
    private final int burstSize;
    private final Duration drain;
    private final long destinationMac;
    private final int sourceIp;
    private final int destinationIp;
    private final int sourcePort;
    private final int destinationPort;
    private final SwapLevel swapLevel;

    private GeneratorConfig(Builder b) {
        this.count = b.count;
        this.ratePps = b.ratePps;
        this.frameLength = b.frameLength;
        this.flows = b.flows;
        this.burstSize = b.burstSize;
        this.drain = b.drain;
        this.destinationMac = b.destinationMac;
        this.sourceIp = b.sourceIp;
        this.destinationIp = b.destinationIp;
        this.sourcePort = b.sourcePort;
        this.destinationPort = b.destinationPort;
        this.swapLevel = b.swapLevel;
    }

    /** A builder holding the defaults: a million 60-byte frames flat out, one flow, bursts of 32, a 500 ms drain. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The level the echo swaps at: each echo is checked against the frame sent with exactly that
     * level's fields swapped, anything else counts as corrupted.
     */
    public SwapLevel swapLevel() {
        return swapLevel;
    }

    /** Frames to send. */
    public long count() {
        return count;
    }

    /** Offered load in frames per second; 0 sends as fast as the Tx queue takes them. */
    public long ratePps() {
        return ratePps;
    }

    /** Frame length without FCS: 60 is the minimum Ethernet frame, a "64-byte" frame on the wire. */
    public int frameLength() {
        return frameLength;
    }

    /** Flows, told apart by UDP source port: what RSS or a fanout hash spreads over queues. */
    public int flows() {
        return flows;
    }

    /** The most frames per {@code rte_eth_tx_burst} or {@code rte_eth_rx_burst} call. */
    public int burstSize() {
        return burstSize;
    }

    /** How long to keep receiving after the last frame is sent. */
    public Duration drain() {
        return drain;
    }

    /** The frame's template: Ethernet, IPv4 (header checksum set), UDP (no checksum), zeros. */
    byte[] frameTemplate(long sourceMac) {
        byte[] frame = new byte[frameLength];
        putMac(frame, 0, destinationMac);
        putMac(frame, 6, sourceMac);
        frame[12] = 0x08; // EtherType IPv4
        int ip = 14;
        frame[ip] = 0x45;
        putShort(frame, ip + 2, frameLength - ip);
        putShort(frame, ip + 6, 0x4000); // don't fragment
        frame[ip + 8] = 64;
        frame[ip + 9] = 17; // UDP
        putInt(frame, ip + 12, sourceIp);
        putInt(frame, ip + 16, destinationIp);
        putShort(frame, ip + 10, ipv4Checksum(frame, ip));
        int udp = ip + 20;
        putShort(frame, udp, sourcePort);
        putShort(frame, udp + 2, destinationPort);
        putShort(frame, udp + 4, frameLength - udp);
        return frame;
    }

    static int ipv4Checksum(byte[] frame, int offset) {
        int sum = 0;
        for (int i = offset; i < offset + 20; i += 2) {
            sum += ((frame[i] & 0xff) << 8) | (frame[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    private static void putMac(byte[] frame, int offset, long mac) {
        for (int i = 0; i < 6; i++) {
            frame[offset + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    private static void putShort(byte[] frame, int offset, int value) {
        frame[offset] = (byte) (value >>> 8);
        frame[offset + 1] = (byte) value;
    }

    private static void putInt(byte[] frame, int offset, int value) {
        putShort(frame, offset, value >>> 16);
        putShort(frame, offset + 2, value);
    }

    private static int requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ", not " + value);
        }
        return value;
    }

    /**
     * Builds a {@link GeneratorConfig}; each setter rejects a value out of range with an
     * {@link IllegalArgumentException}.
     */
    public static final class Builder {
        private long count = 1_000_000;
        private long ratePps;
        private int frameLength = 60;
        private int flows = 1;
        private int burstSize = 32;
        private Duration drain = Duration.ofMillis(500);
        private long destinationMac = 0x02_00_00_00_00_02L;
        private int sourceIp = 0x0a_63_00_01; // 10.99.0.1
        private int destinationIp = 0x0a_63_00_02; // 10.99.0.2
        private int sourcePort = 40000;
        private int destinationPort = 40001;
        private SwapLevel swapLevel = SwapLevel.MAC;

        private Builder() {
        }

        /** Starts from another configuration's settings. */
        public Builder from(GeneratorConfig other) {
            this.count = other.count;
            this.ratePps = other.ratePps;
            this.frameLength = other.frameLength;
            this.flows = other.flows;
            this.burstSize = other.burstSize;
            this.drain = other.drain;
            this.destinationMac = other.destinationMac;
            this.sourceIp = other.sourceIp;
            this.destinationIp = other.destinationIp;
            this.sourcePort = other.sourcePort;
            this.destinationPort = other.destinationPort;
            this.swapLevel = other.swapLevel;
            return this;
        }

        /**
         * The swap level of the echo under test ({@link SwapLevel#MAC} by default): at
         * {@link SwapLevel#IP} echoes must come back with the IPv4 addresses swapped too, at
         * {@link SwapLevel#PORTS} also the UDP ports (a flow's port then comes back as the
         * destination); any other difference counts as corrupted.
         */
        public Builder swapLevel(SwapLevel level) {
            this.swapLevel = java.util.Objects.requireNonNull(level, "level");
            return this;
        }

        /** Frames to send, 1..{@link Integer#MAX_VALUE}: the generator keeps a 4-byte round trip for each. */
        public Builder count(long count) {
            if (count < 1 || count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("count must be in 1.." + Integer.MAX_VALUE + ", not " + count);
            }
            this.count = count;
            return this;
        }

        /** Offered load in frames per second; 0 sends as fast as the Tx queue takes them. */
        public Builder ratePps(long ratePps) {
            if (ratePps < 0) {
                throw new IllegalArgumentException("rate must not be negative, not " + ratePps);
            }
            this.ratePps = ratePps;
            return this;
        }

        /**
         * Frame length without FCS, 60..{@link GeneratorConfig#MAX_FRAME_LENGTH}; 60 is a "64-byte"
         * frame on the wire.
         */
        public Builder frameLength(int frameLength) {
            this.frameLength = requireRange("frame length", frameLength, 60, MAX_FRAME_LENGTH);
            return this;
        }

        /** Flows, each a UDP source port counted up from 40000: 1..25536. */
        public Builder flows(int flows) {
            this.flows = requireRange("flows", flows, 1, 65536 - sourcePort);
            return this;
        }

        /** Frames per Tx and per Rx burst, 1..{@link QueueCounters#MAX_BURST_SIZE}. */
        public Builder burstSize(int burstSize) {
            this.burstSize = requireRange("burst size", burstSize, 1, QueueCounters.MAX_BURST_SIZE);
            return this;
        }

        /** How long to keep receiving after the last frame is sent (less once every frame came back); not negative. */
        public Builder drain(Duration drain) {
            if (drain.isNegative()) {
                throw new IllegalArgumentException("drain must not be negative");
            }
            this.drain = drain;
            return this;
        }

        /** Where frames go: the echo's MAC, or any when it is promiscuous. */
        public Builder destinationMac(long destinationMac) {
            this.destinationMac = destinationMac;
            return this;
        }

        /** A configuration with these settings. */
        public GeneratorConfig build() {
            return new GeneratorConfig(this);
        }
    }
}
