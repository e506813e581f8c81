package io.l2echo.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic libpcap file (what {@code dpdk-pdump} writes through the pcap PMD): every
 * record's bytes as captured, in file order. Microsecond and nanosecond files, either byte order.
 */
public final class Pcap {
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private Pcap() {
    }

    /**
     * The captured frames, in order.
     *
     * @throws IOException if the file cannot be read, is not pcap, or ends inside a record
     */
    public static List<byte[]> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < FILE_HEADER) {
            throw new IOException(file + " is too short for a pcap file header");
        }
        int magic = in.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                throw new IOException(file + " is not a pcap file (magic " + Integer.toHexString(magic) + ")");
            }
        }
        List<byte[]> frames = new ArrayList<>();
        in.position(FILE_HEADER);
        while (in.hasRemaining()) {
            if (in.remaining() < RECORD_HEADER) {
                throw new IOException(file + ": a record header is cut short at offset " + in.position());
            }
            int captured = in.getInt(in.position() + 8);
            in.position(in.position() + RECORD_HEADER);
            if (captured < 0 || captured > in.remaining()) {
                throw new IOException(file + ": a record of " + captured + " bytes is cut short");
            }
            byte[] frame = new byte[captured];
            in.get(frame);
            frames.add(frame);
        }
        return frames;
    }
}
