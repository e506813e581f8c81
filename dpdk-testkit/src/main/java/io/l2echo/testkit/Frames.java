package io.l2echo.testkit;

/**
 * Layout of the test frames that {@link UdpFrameTemplate} builds, and what a receiver does with
 * them: recognise one among foreign traffic, read its sequence number, derive the echo it
 * expects, and name the field at a byte offset when an echo differs.
 *
 * <pre>
 *  offset  length  field
 *       0       6  destination MAC
 *       6       6  source MAC
 *      12       2  EtherType 0x0800 (IPv4)
 *      14      20  IPv4 header, no options, DF set, identification = sequence &amp; 0xffff
 *      34       8  UDP header, checksum over the pseudo header
 *      42       8  sequence number, big-endian          ({@link #SEQUENCE_OFFSET})
 *      50       4  magic "L2E1"                          ({@link #MAGIC_OFFSET})
 *      54     6..  payload bytes from the template's seed and the sequence
 * </pre>
 *
 * Lengths exclude the 4-byte FCS, which neither raw sockets nor DPDK's mbufs carry.
 */
public final class Frames {

    /** The 64-byte Ethernet minimum without its FCS. */
    public static final int MIN_LENGTH = 60;
    /** A 1500-byte MTU plus the Ethernet header. */
    public static final int MAX_LENGTH = 1514;

    public static final int ETHERNET_HEADER_LENGTH = 14;
    public static final int IPV4_HEADER_LENGTH = 20;
    public static final int UDP_HEADER_LENGTH = 8;
    public static final int IPV4_OFFSET = ETHERNET_HEADER_LENGTH;
    public static final int UDP_OFFSET = IPV4_OFFSET + IPV4_HEADER_LENGTH;
    public static final int PAYLOAD_OFFSET = UDP_OFFSET + UDP_HEADER_LENGTH;
    public static final int SEQUENCE_OFFSET = PAYLOAD_OFFSET;
    public static final int MAGIC_OFFSET = SEQUENCE_OFFSET + Long.BYTES;
    /** "L2E1": tells our frames from whatever else a kernel sends on the same link. */
    public static final int MAGIC = 0x4C32_4531;

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int IPPROTO_UDP = 17;
    static final int IPV4_VERSION_IHL = 0x45;

    private Frames() {
    }

    /** The frame a MAC-swapping echo returns: destination and source MAC exchanged, nothing else changed. */
    public static byte[] macSwapped(byte[] frame) {
        if (frame.length < ETHERNET_HEADER_LENGTH) {
            throw new IllegalArgumentException("a frame of " + frame.length + " bytes has no Ethernet header");
        }
        byte[] swapped = frame.clone();
        System.arraycopy(frame, 0, swapped, MacAddress.LENGTH, MacAddress.LENGTH);
        System.arraycopy(frame, MacAddress.LENGTH, swapped, 0, MacAddress.LENGTH);
        return swapped;
    }

    /** Whether the first {@code length} bytes of {@code buffer} hold a frame built by {@link UdpFrameTemplate}. */
    public static boolean isTestFrame(byte[] buffer, int length) {
        return length >= MIN_LENGTH
                && length <= buffer.length
                && readShort(buffer, 12) == ETHERTYPE_IPV4
                && (buffer[IPV4_OFFSET] & 0xFF) == IPV4_VERSION_IHL
                && (buffer[IPV4_OFFSET + 9] & 0xFF) == IPPROTO_UDP
                && readInt(buffer, MAGIC_OFFSET) == MAGIC;
    }

    public static long sequenceOf(byte[] frame) {
        return sequenceOf(frame, frame.length);
    }

    /** The sequence number of the test frame in the first {@code length} bytes of {@code buffer}. */
    public static long sequenceOf(byte[] buffer, int length) {
        if (!isTestFrame(buffer, length)) {
            throw new IllegalArgumentException("not a test frame: " + describe(buffer, length));
        }
        return readLong(buffer, SEQUENCE_OFFSET);
    }

    /** One line for logs and assertion messages: length, MACs, and either the UDP flow and sequence or the EtherType. */
    public static String describe(byte[] buffer, int length) {
        if (length < ETHERNET_HEADER_LENGTH) {
            return length + " bytes, a runt without an Ethernet header";
        }
        String macs = MacAddress.of(buffer, 6) + " > " + MacAddress.of(buffer, 0);
        if (!isTestFrame(buffer, length)) {
            return String.format("%d bytes %s ethertype 0x%04x", length, macs, readShort(buffer, 12));
        }
        return String.format("%d bytes %s %s:%d > %s:%d seq %d", length, macs,
                ipv4ToString(readInt(buffer, IPV4_OFFSET + 12)), readShort(buffer, UDP_OFFSET),
                ipv4ToString(readInt(buffer, IPV4_OFFSET + 16)), readShort(buffer, UDP_OFFSET + 2),
                readLong(buffer, SEQUENCE_OFFSET));
    }

    /** The header field, or payload part, that byte {@code offset} of a test frame belongs to. */
    public static String fieldAt(int offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (offset < 6) {
            return "destination MAC";
        }
        if (offset < 12) {
            return "source MAC";
        }
        if (offset < IPV4_OFFSET) {
            return "EtherType";
        }
        if (offset < UDP_OFFSET) {
            return ipv4FieldAt(offset - IPV4_OFFSET);
        }
        if (offset < PAYLOAD_OFFSET) {
            return switch ((offset - UDP_OFFSET) / 2) {
                case 0 -> "UDP source port";
                case 1 -> "UDP destination port";
                case 2 -> "UDP length";
                default -> "UDP checksum";
            };
        }
        if (offset < MAGIC_OFFSET) {
            return "sequence number";
        }
        if (offset < MAGIC_OFFSET + Integer.BYTES) {
            return "magic";
        }
        return "payload byte " + (offset - PAYLOAD_OFFSET);
    }

    private static String ipv4FieldAt(int offset) {
        return switch (offset) {
            case 0 -> "IPv4 version/IHL";
            case 1 -> "IPv4 DSCP/ECN";
            case 2, 3 -> "IPv4 total length";
            case 4, 5 -> "IPv4 identification";
            case 6, 7 -> "IPv4 flags/fragment offset";
            case 8 -> "IPv4 TTL";
            case 9 -> "IPv4 protocol";
            case 10, 11 -> "IPv4 header checksum";
            case 12, 13, 14, 15 -> "IPv4 source address";
            default -> "IPv4 destination address";
        };
    }

    static String ipv4ToString(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** Parses a dotted quad without going near a resolver, unlike {@code InetAddress.getByName}. */
    static int parseIpv4(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    static int readShort(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
    }

    static int readInt(byte[] b, int offset) {
        return (readShort(b, offset) << 16) | readShort(b, offset + 2);
    }

    static long readLong(byte[] b, int offset) {
        return ((long) readInt(b, offset) << 32) | (readInt(b, offset + 4) & 0xFFFF_FFFFL);
    }

    static void writeShort(byte[] b, int offset, int value) {
        b[offset] = (byte) (value >>> 8);
        b[offset + 1] = (byte) value;
    }

    static void writeInt(byte[] b, int offset, int value) {
        writeShort(b, offset, value >>> 16);
        writeShort(b, offset + 2, value);
    }

    static void writeLong(byte[] b, int offset, long value) {
        writeInt(b, offset, (int) (value >>> 32));
        writeInt(b, offset + 4, (int) value);
    }
}
