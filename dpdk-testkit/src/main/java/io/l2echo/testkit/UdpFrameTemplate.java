package io.l2echo.testkit;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable recipe for Ethernet II / IPv4 / UDP test frames in the layout of {@link Frames}.
 * Every frame carries its sequence number, so echoes can be matched to sends whatever order
 * they come back in, and a payload that varies with the seed and the sequence, so an echo that
 * returns the wrong buffer, or a stale one, does not compare equal by accident.
 *
 * <p>With {@link Builder#flows(int) flows(n)}, the UDP source port cycles over n values with the
 * sequence: the kernel's fanout hash, and RSS on real NICs, then spread frames over queues.
 */
public final class UdpFrameTemplate {

    /** Coprime with the 1455 lengths from 60 to 1514: consecutive frames jump across the range. */
    private static final int SWEEP_STRIDE = 1024;
    private static final int SWEEP_SPAN = Frames.MAX_LENGTH - Frames.MIN_LENGTH + 1;
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;
    private static final int IPV4_FLAG_DONT_FRAGMENT = 0x4000;
    private static final int TTL = 64;

    private final MacAddress sourceMac;
    private final MacAddress destinationMac;
    private final int sourceIp;
    private final int destinationIp;
    private final int sourcePort;
    private final int destinationPort;
    private final int flows;
    private final long payloadSeed;

    private UdpFrameTemplate(Builder builder) {
        this.sourceMac = builder.sourceMac;
        this.destinationMac = builder.destinationMac;
        this.sourceIp = builder.sourceIp;
        this.destinationIp = builder.destinationIp;
        this.sourcePort = builder.sourcePort;
        this.destinationPort = builder.destinationPort;
        this.flows = builder.flows;
        this.payloadSeed = builder.payloadSeed;
    }

    /** Defaults: 02:00:00:00:00:01 10.99.0.1:40000 to 02:00:00:00:00:02 10.99.0.2:40001, one flow. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this template's settings, to derive a variant. */
    public Builder toBuilder() {
        return new Builder()
                .sourceMac(sourceMac).destinationMac(destinationMac)
                .sourceIp(Frames.ipv4ToString(sourceIp)).destinationIp(Frames.ipv4ToString(destinationIp))
                .sourcePort(sourcePort).destinationPort(destinationPort)
                .flows(flows).payloadSeed(payloadSeed);
    }

    /**
     * Builds one frame of {@code length} bytes (60 to 1514, FCS excluded) with valid IPv4 header
     * and UDP checksums.
     */
    public byte[] frame(long sequence, int length) {
        if (length < Frames.MIN_LENGTH || length > Frames.MAX_LENGTH) {
            throw new IllegalArgumentException("frame length " + length + " is outside "
                    + Frames.MIN_LENGTH + ".." + Frames.MAX_LENGTH + " (bytes, without FCS)");
        }
        byte[] f = new byte[length];
        destinationMac.writeTo(f, 0);
        sourceMac.writeTo(f, MacAddress.LENGTH);
        Frames.writeShort(f, 12, Frames.ETHERTYPE_IPV4);

        int ip = Frames.IPV4_OFFSET;
        f[ip] = (byte) Frames.IPV4_VERSION_IHL;
        Frames.writeShort(f, ip + 2, length - Frames.ETHERNET_HEADER_LENGTH);
        Frames.writeShort(f, ip + 4, (int) sequence);
        Frames.writeShort(f, ip + 6, IPV4_FLAG_DONT_FRAGMENT);
        f[ip + 8] = (byte) TTL;
        f[ip + 9] = (byte) Frames.IPPROTO_UDP;
        Frames.writeInt(f, ip + 12, sourceIp);
        Frames.writeInt(f, ip + 16, destinationIp);
        Frames.writeShort(f, ip + 10, ~Checksums.fold(Checksums.sum(f, ip, Frames.IPV4_HEADER_LENGTH, 0)));

        int udp = Frames.UDP_OFFSET;
        int udpLength = length - Frames.UDP_OFFSET;
        Frames.writeShort(f, udp, sourcePort + (int) Long.remainderUnsigned(sequence, flows));
        Frames.writeShort(f, udp + 2, destinationPort);
        Frames.writeShort(f, udp + 4, udpLength);

        Frames.writeLong(f, Frames.SEQUENCE_OFFSET, sequence);
        Frames.writeInt(f, Frames.MAGIC_OFFSET, Frames.MAGIC);
        fillPayload(f, Frames.MAGIC_OFFSET + Integer.BYTES, sequence);

        int pseudoHeader = Checksums.sum(f, ip + 12, 8, Frames.IPPROTO_UDP + udpLength);
        int udpChecksum = ~Checksums.fold(Checksums.sum(f, udp, udpLength, pseudoHeader)) & 0xFFFF;
        // RFC 768: a computed zero goes on the wire as all ones; zero means "no checksum".
        Frames.writeShort(f, udp + 6, udpChecksum == 0 ? 0xFFFF : udpChecksum);
        return f;
    }

    /**
     * {@code count} frames with sequences {@code firstSequence, firstSequence + 1, ...} and
     * lengths {@link #sweepLength(int)}: with 1455 frames or more, every length from 60 to 1514
     * occurs, the first frame is 60 bytes long and the lengths change widely from one to the next.
     */
    public List<byte[]> sweep(long firstSequence, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative frame count " + count);
        }
        List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            frames.add(frame(firstSequence + i, sweepLength(i)));
        }
        return frames;
    }

    /** The length of the {@code index}-th frame of a {@link #sweep}; each of 60..1514 once per 1455 indices. */
    public static int sweepLength(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("negative index " + index);
        }
        return Frames.MIN_LENGTH + (int) ((long) index * SWEEP_STRIDE % SWEEP_SPAN);
    }

    private void fillPayload(byte[] f, int from, long sequence) {
        // SplitMix64 from (seed, sequence): cheap, well mixed, and the same on every run.
        long state = payloadSeed ^ (sequence * GOLDEN_GAMMA);
        int i = from;
        while (i < f.length) {
            state += GOLDEN_GAMMA;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
            z ^= z >>> 31;
            for (int b = 0; b < Long.BYTES && i < f.length; b++, i++) {
                f[i] = (byte) (z >>> (8 * b));
            }
        }
    }

    public MacAddress sourceMac() {
        return sourceMac;
    }

    public MacAddress destinationMac() {
        return destinationMac;
    }

    public String sourceIp() {
        return Frames.ipv4ToString(sourceIp);
    }

    public String destinationIp() {
        return Frames.ipv4ToString(destinationIp);
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    public int flows() {
        return flows;
    }

    public long payloadSeed() {
        return payloadSeed;
    }

    @Override
    public String toString() {
        return "UdpFrameTemplate[" + sourceMac + " " + sourceIp() + ":" + sourcePort
                + (flows > 1 ? "+" + (flows - 1) : "") + " > " + destinationMac + " " + destinationIp() + ":"
                + destinationPort + ", seed 0x" + Long.toHexString(payloadSeed) + "]";
    }

    /** Settings of a {@link UdpFrameTemplate}; validated as they are set. */
    public static final class Builder {
        private MacAddress sourceMac = new MacAddress(0x02_00_00_00_00_01L);
        private MacAddress destinationMac = new MacAddress(0x02_00_00_00_00_02L);
        private int sourceIp = Frames.parseIpv4("10.99.0.1");
        private int destinationIp = Frames.parseIpv4("10.99.0.2");
        private int sourcePort = 40000;
        private int destinationPort = 40001;
        private int flows = 1;
        private long payloadSeed = 0x5EED;

        private Builder() {
        }

        /** Must be a unicast address: a frame from a group address is dropped by bridges and some NICs. */
        public Builder sourceMac(MacAddress mac) {
            if (mac.isMulticast()) {
                throw new IllegalArgumentException("source MAC " + mac + " is a multicast address");
            }
            this.sourceMac = mac;
            return this;
        }

        public Builder destinationMac(MacAddress mac) {
            this.destinationMac = Objects.requireNonNull(mac, "mac");
            return this;
        }

        public Builder sourceIp(String dottedQuad) {
            this.sourceIp = Frames.parseIpv4(dottedQuad);
            return this;
        }

        public Builder sourceIp(Inet4Address address) {
            return sourceIp(address.getHostAddress());
        }

        public Builder destinationIp(String dottedQuad) {
            this.destinationIp = Frames.parseIpv4(dottedQuad);
            return this;
        }

        public Builder destinationIp(Inet4Address address) {
            return destinationIp(address.getHostAddress());
        }

        public Builder sourcePort(int port) {
            this.sourcePort = checkPort(port, "source");
            return this;
        }

        public Builder destinationPort(int port) {
            this.destinationPort = checkPort(port, "destination");
            return this;
        }

        /** Number of UDP source ports, from {@link #sourcePort(int)} up, that frames cycle through. */
        public Builder flows(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("flows must be at least 1, got " + count);
            }
            this.flows = count;
            return this;
        }

        public Builder payloadSeed(long seed) {
            this.payloadSeed = seed;
            return this;
        }

        public UdpFrameTemplate build() {
            if (sourcePort + flows - 1 > 0xFFFF) {
                throw new IllegalArgumentException(flows + " flows from source port " + sourcePort
                        + " run past port 65535");
            }
            return new UdpFrameTemplate(this);
        }

        private static int checkPort(int port, String which) {
            if (port < 0 || port > 0xFFFF) {
                throw new IllegalArgumentException(which + " port " + port + " is outside 0..65535");
            }
            return port;
        }
    }
}
