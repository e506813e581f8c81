package io.l2echo.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a pcapng file (the format {@code dpdk-dumpcap} writes, and Wireshark): its interfaces
 * and every enhanced packet block, with the direction its {@code epb_flags} option gives. Only
 * what tests check; the format is
 * <a href="https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html">draft-ietf-opsawg-pcapng</a>.
 */
public final class Pcapng {
    private static final int SECTION_HEADER = 0x0A0D0D0A;
    private static final int INTERFACE_DESCRIPTION = 0x00000001;
    private static final int ENHANCED_PACKET = 0x00000006;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_NAME = 2;
    private static final int OPTION_EPB_FLAGS = 2;

    /** Which way a packet went, from {@code epb_flags}: inbound is what the port received. */
    public enum Direction {
        UNKNOWN, INBOUND, OUTBOUND
    }

    /** One captured packet: on which interface, which way, its bytes as captured, and its length on the wire. */
    public record Packet(int interfaceId, Direction direction, byte[] data, int originalLength) {
    }

    /** The interfaces' names ({@code if_name}, "" where none) in id order, and the packets in file order. */
    public record Capture(List<String> interfaces, List<Packet> packets) {
        /** The packets that went {@code direction}, in order. */
        public List<Packet> packets(Direction direction) {
            return packets.stream().filter(p -> p.direction() == direction).toList();
        }
    }

    private Pcapng() {
    }

    /**
     * Reads the whole file.
     *
     * @throws IOException if it cannot be read or is not pcapng (a block cut short, a bad magic)
     */
    public static Capture read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        List<String> interfaces = new ArrayList<>();
        List<Packet> packets = new ArrayList<>();
        while (in.remaining() >= 12) {
            int start = in.position();
            int type = in.getInt(start); // a section header's type reads the same in either byte order
            if (type == SECTION_HEADER) {
                // The byte-order magic after the length says how this section is written.
                if (in.getInt(start + 8) != BYTE_ORDER_MAGIC) {
                    in.order(in.order() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                }
                if (in.getInt(start + 8) != BYTE_ORDER_MAGIC) {
                    throw new IOException(file + ": bad byte-order magic at offset " + start);
                }
                interfaces.clear(); // interface ids are per section
            } else if (interfaces.isEmpty() && packets.isEmpty() && start == 0) {
                throw new IOException(file + " does not start with a pcapng section header");
            }
            int length = in.getInt(start + 4);
            if (length < 12 || length % 4 != 0 || start + length > in.limit()) {
                throw new IOException(file + ": block of length " + length + " at offset " + start + " is cut short");
            }
            ByteBuffer body = in.duplicate().order(in.order()).position(start + 8).limit(start + length - 4).slice()
                    .order(in.order());
            switch (in.getInt(start)) {
                case INTERFACE_DESCRIPTION -> {
                    body.position(8); // link type, reserved, snap length
                    interfaces.add(stringOption(body, OPTION_IF_NAME));
                }
                case ENHANCED_PACKET -> {
                    int interfaceId = body.getInt(0);
                    int captured = body.getInt(12);
                    int original = body.getInt(16);
                    byte[] data = new byte[captured];
                    body.position(20).get(data);
                    body.position(20 + pad(captured));
                    packets.add(new Packet(interfaceId, direction(body), data, original));
                }
                default -> { } // section header, statistics and the rest: nothing tests read
            }
            in.position(start + length);
        }
        if (in.hasRemaining()) {
            throw new IOException(file + ": " + in.remaining() + " bytes after the last whole block");
        }
        return new Capture(List.copyOf(interfaces), List.copyOf(packets));
    }

    private static Direction direction(ByteBuffer options) {
        byte[] flags = option(options, OPTION_EPB_FLAGS);
        if (flags == null || flags.length < 4) {
            return Direction.UNKNOWN;
        }
        int value = ByteBuffer.wrap(flags).order(options.order()).getInt();
        return switch (value & 0x3) {
            case 1 -> Direction.INBOUND;
            case 2 -> Direction.OUTBOUND;
            default -> Direction.UNKNOWN;
        };
    }

    private static String stringOption(ByteBuffer options, int code) {
        byte[] value = option(options, code);
        if (value == null) {
            return "";
        }
        int end = value.length;
        while (end > 0 && value[end - 1] == 0) {
            end--;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /* The value of the first option with this code from the buffer's position, or null. */
    private static byte[] option(ByteBuffer options, int code) {
        ByteBuffer in = options.duplicate().order(options.order());
        while (in.remaining() >= 4) {
            int optionCode = Short.toUnsignedInt(in.getShort());
            int length = Short.toUnsignedInt(in.getShort());
            if (optionCode == OPTION_END || length > in.remaining()) {
                return null;
            }
            byte[] value = new byte[length];
            in.get(value);
            if (optionCode == code) {
                return value;
            }
            in.position(Math.min(in.limit(), in.position() + pad(length) - length));
        }
        return null;
    }

    private static int pad(int length) {
        return (length + 3) & ~3;
    }
}
