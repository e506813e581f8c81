package io.l2echo.testkit;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Frames for testing the reflector's swap levels: Ethernet with up to two VLAN tags, IPv4 or
 * IPv6, UDP, TCP or SCTP (its CRC32c computed whole here, with {@link CRC32C}), every checksum valid; the frame a level should send back, computed here from
 * the protocols' layouts (independently of the shim's kernel); and a check that a received
 * frame's checksums still hold. Each frame carries {@link #MARKER} and a sequence number in its
 * payload, so a test tells its own frames from what a namespace's kernel sends.
 */
public final class ReflectFrames {
    /** Eight bytes at the start of every payload built here. */
    public static final long MARKER = 0x4C32_5245_464C_4543L; // "L2REFLEC"
    public static final int TPID_8021Q = 0x8100;
    public static final int TPID_8021AD = 0x88a8;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_SCTP = 132;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int TCP_HEADER_LENGTH = 20;
    private static final int UDP_HEADER_LENGTH = 8;
    private static final int SCTP_COMMON_HEADER_LENGTH = 12;

    private ReflectFrames() {
    }

    /**
     * A frame from {@code source} to {@code destination} (MACs), through {@code tpids} (outer
     * first; each tag's VLAN id is its index + 100), carrying {@code proto} (UDP or TCP) from
     * {@code sourceIp}:{@code sourcePort} to {@code destinationIp}:{@code destinationPort}, the
     * IP version given by the addresses' length (4 or 16 bytes), with {@code payloadLength}
     * bytes of payload (at least 16: the marker and {@code sequence}).
     */
    public static byte[] build(MacAddress source, MacAddress destination, int[] tpids, byte[] sourceIp,
            byte[] destinationIp, int proto, int sourcePort, int destinationPort, long sequence, int payloadLength) {
        if (sourceIp.length != destinationIp.length || (sourceIp.length != 4 && sourceIp.length != 16)) {
            throw new IllegalArgumentException("two IPv4 or two IPv6 addresses");
        }
        if (proto != PROTO_UDP && proto != PROTO_TCP && proto != PROTO_SCTP) {
            throw new IllegalArgumentException("UDP, TCP or SCTP, not " + proto);
        }
        if (payloadLength < 16) {
            throw new IllegalArgumentException("a payload of at least 16 bytes: the marker and the sequence");
        }
        boolean v6 = sourceIp.length == 16;
        int l2 = 12 + 4 * tpids.length + 2;
        int ipHeader = v6 ? 40 : 20;
        int l4Header = proto == PROTO_TCP ? TCP_HEADER_LENGTH
                : proto == PROTO_SCTP ? SCTP_COMMON_HEADER_LENGTH : UDP_HEADER_LENGTH;
        int l4Length = l4Header + payloadLength;
        ByteBuffer frame = ByteBuffer.allocate(Math.max(60, l2 + ipHeader + l4Length));
        destination.writeTo(frame.array(), 0);
        source.writeTo(frame.array(), 6);
        frame.position(12);
        for (int i = 0; i < tpids.length; i++) {
            frame.putShort((short) tpids[i]).putShort((short) (100 + i));
        }
        frame.putShort((short) (v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4));
        int ip = frame.position();
        if (v6) {
            frame.putInt(0x6000_0000).putShort((short) l4Length).put((byte) proto).put((byte) 64).put(sourceIp)
                    .put(destinationIp);
        } else {
            frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4Length)).putShort((short) sequence)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0).put(sourceIp)
                    .put(destinationIp);
            frame.putShort(ip + 10, (short) ~Checksums.fold(Checksums.sum(frame.array(), ip, 20, 0)));
        }
        int l4 = frame.position();
        frame.putShort((short) sourcePort).putShort((short) destinationPort);
        if (proto == PROTO_TCP) {
            frame.putInt((int) sequence).putInt(0).put((byte) 0x50).put((byte) 0x18).putShort((short) 512)
                    .putShort((short) 0).putShort((short) 0);
        } else if (proto == PROTO_SCTP) {
            frame.putInt((int) sequence).putInt(0); // verification tag, checksum
        } else {
            frame.putShort((short) l4Length).putShort((short) 0);
        }
        frame.putLong(MARKER).putLong(sequence);
        for (int i = 16; i < payloadLength; i++) {
            frame.put((byte) (sequence * 31 + i));
        }
        if (proto == PROTO_SCTP) {
            writeSctpChecksum(frame.array(), l4, l4Length);
            return frame.array();
        }
        int checksumAt = l4 + (proto == PROTO_TCP ? 16 : 6);
        int checksum = ~Checksums.fold(pseudoHeaderSum(frame.array(), ip, v6, proto, l4Length)
                + Checksums.sum(frame.array(), l4, l4Length, 0)) & 0xffff;
        frame.putShort(checksumAt, (short) (proto == PROTO_UDP && checksum == 0 ? 0xffff : checksum));
        return frame.array();
    }

    /** Whether {@code frame}'s payload starts with {@link #MARKER}: one of ours. */
    public static boolean isOurs(byte[] frame, int length) {
        ByteBuffer b = ByteBuffer.wrap(frame, 0, length);
        for (int i = 14; i + 8 <= length; i++) {
            if (b.getLong(i) == MARKER) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a reflector at {@code level} ("mac", "ip" or "ports") sends back for {@code frame}
     * (one built here, to a unicast MAC): MACs swapped; at ip and ports the IP addresses too,
     * unless the destination is a group address; at ports the UDP/TCP ports too, unless the IPv4
     * packet is a fragment. Checksums as they were: a swap only permutes the summed words.
     */
    public static byte[] expected(byte[] frame, String level) {
        byte[] out = frame.clone();
        swap(out, 0, 6, 6);
        if (level.equals("mac")) {
            return out;
        }
        if (!level.equals("ip") && !level.equals("ports")) {
            throw new IllegalArgumentException("level mac, ip or ports, not " + level);
        }
        int off = 12;
        int type = u16(out, off);
        for (int tags = 0; tags < 2 && (type == TPID_8021Q || type == TPID_8021AD || type == 0x9100); tags++) {
            off += 4;
            type = u16(out, off);
        }
        int ip = off + 2;
        int l4;
        int proto;
        if (type == ETHERTYPE_IPV4) {
            if ((out[ip + 16] & 0xff) >= 224) {
                return out;
            }
            swap(out, ip + 12, ip + 16, 4);
            if ((u16(out, ip + 6) & 0x3fff) != 0) {
                return out;
            }
            l4 = ip + (out[ip] & 0x0f) * 4;
            proto = out[ip + 9] & 0xff;
        } else if (type == ETHERTYPE_IPV6) {
            if ((out[ip + 24] & 0xff) == 0xff) {
                return out;
            }
            swap(out, ip + 8, ip + 24, 16);
            l4 = ip + 40;
            proto = out[ip + 6] & 0xff;
        } else {
            return out;
        }
        if (level.equals("ports") && (proto == PROTO_UDP || proto == PROTO_TCP)) {
            swap(out, l4, l4 + 2, 2);
        } else if (level.equals("ports") && proto == PROTO_SCTP) {
            swap(out, l4, l4 + 2, 2);
            int length = type == ETHERTYPE_IPV6 ? u16(out, ip + 4) : u16(out, ip + 2) - (l4 - ip);
            writeSctpChecksum(out, l4, length); // not a sum: recomputed whole
        }
        return out;
    }

    /** Null when the frame's IPv4 header checksum and its UDP or TCP checksum hold; else what does not. */
    public static String checksumProblem(byte[] frame, int length) {
        int off = 12;
        int type = u16(frame, off);
        while (type == TPID_8021Q || type == TPID_8021AD || type == 0x9100) {
            off += 4;
            type = u16(frame, off);
        }
        int ip = off + 2;
        boolean v6 = type == ETHERTYPE_IPV6;
        if (!v6 && type != ETHERTYPE_IPV4) {
            return "not IP: EtherType " + Integer.toHexString(type);
        }
        int l4;
        int l4Length;
        int proto;
        if (v6) {
            l4 = ip + 40;
            l4Length = u16(frame, ip + 4);
            proto = frame[ip + 6] & 0xff;
        } else {
            int header = (frame[ip] & 0x0f) * 4;
            if (Checksums.fold(Checksums.sum(frame, ip, header, 0)) != 0xffff) {
                return "IPv4 header checksum";
            }
            l4 = ip + header;
            l4Length = u16(frame, ip + 2) - header;
            proto = frame[ip + 9] & 0xff;
        }
        if (l4 + l4Length > length) {
            return "cut short: " + length + " bytes";
        }
        if (proto == PROTO_SCTP) {
            byte[] copy = Arrays.copyOfRange(frame, l4, l4 + l4Length);
            writeSctpChecksum(copy, 0, l4Length);
            return Arrays.equals(copy, 8, 12, frame, l4 + 8, l4 + 12) ? null : "SCTP CRC32c";
        }
        int sum = Checksums.fold(pseudoHeaderSum(frame, ip, v6, proto, l4Length)
                + Checksums.sum(frame, l4, l4Length, 0));
        return sum == 0xffff ? null : (proto == PROTO_TCP ? "TCP" : "UDP") + " checksum";
    }

    /* RFC 9260's CRC32c over the SCTP packet with its checksum field zero, stored least significant byte first. */
    private static void writeSctpChecksum(byte[] b, int sctp, int length) {
        Arrays.fill(b, sctp + 8, sctp + 12, (byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(b, sctp, length);
        long value = crc.getValue();
        for (int i = 0; i < 4; i++) {
            b[sctp + 8 + i] = (byte) (value >>> (8 * i));
        }
    }

    private static int pseudoHeaderSum(byte[] frame, int ip, boolean v6, int proto, int l4Length) {
        int addresses = v6 ? Checksums.sum(frame, ip + 8, 32, 0) : Checksums.sum(frame, ip + 12, 8, 0);
        return addresses + proto + l4Length;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static void swap(byte[] b, int x, int y, int n) {
        byte[] tmp = Arrays.copyOfRange(b, x, x + n);
        System.arraycopy(b, y, b, x, n);
        System.arraycopy(tmp, 0, b, y, n);
    }
}
