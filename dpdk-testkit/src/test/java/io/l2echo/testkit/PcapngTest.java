package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pcapng reader on files written here block by block, in both byte orders. */
class PcapngTest {
    @TempDir
    Path dir;

    private static final byte[] RECEIVED = {1, 2, 3, 4, 5};
    private static final byte[] SENT = {9, 8, 7, 6, 5, 4, 3, 2};

    @Test
    void readsInterfacesAndPacketsWithTheirDirectionInEitherByteOrder() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Path file = write(order, capture(order));
            Pcapng.Capture capture = Pcapng.read(file);
            assertEquals(List.of("net_af_packet0"), capture.interfaces(), order.toString());
            assertEquals(3, capture.packets().size(), order.toString());
            Pcapng.Packet in = capture.packets(Pcapng.Direction.INBOUND).get(0);
            assertArrayEquals(RECEIVED, in.data());
            assertEquals(60, in.originalLength());
            assertArrayEquals(SENT, capture.packets(Pcapng.Direction.OUTBOUND).get(0).data());
            assertEquals(Pcapng.Direction.UNKNOWN, capture.packets().get(2).direction(), "no epb_flags");
        }
    }

    @Test
    void aFileCutShortOrNotPcapngIsRefused() throws IOException {
        byte[] whole = capture(ByteOrder.LITTLE_ENDIAN);
        Path cut = write(ByteOrder.LITTLE_ENDIAN, Arrays.copyOf(whole, whole.length - 6));
        assertThrows(IOException.class, () -> Pcapng.read(cut));
        Path pcap = dir.resolve("classic.pcap");
        Files.write(pcap, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0});
        assertThrows(IOException.class, () -> Pcapng.read(pcap));
    }

    private Path write(ByteOrder order, byte[] bytes) throws IOException {
        Path file = dir.resolve(order + ".pcapng");
        Files.write(file, bytes);
        return file;
    }

    /* A section, an interface, a received and a sent packet, one without flags, and a statistics block. */
    private static byte[] capture(ByteOrder order) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        block(out, order, 0x0A0D0D0A, buffer(order, 16).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                .putLong(-1).array());
        byte[] name = "net_af_packet0".getBytes(StandardCharsets.UTF_8);
        ByteBuffer idb = buffer(order, 8 + 4 + 16 + 4).putShort((short) 1).putShort((short) 0).putInt(65535);
        idb.putShort((short) 2).putShort((short) name.length).put(name).position(idb.position() + 2); // padded
        idb.putShort((short) 0).putShort((short) 0);
        block(out, order, 1, idb.array());
        block(out, order, 6, packet(order, RECEIVED, 60, 1));
        block(out, order, 6, packet(order, SENT, 8, 2));
        block(out, order, 6, packet(order, SENT, 8, -1));
        block(out, order, 5, buffer(order, 12).putInt(0).putLong(0).array());
        return out.toByteArray();
    }

    private static byte[] packet(ByteOrder order, byte[] data, int original, int direction) {
        int padded = (data.length + 3) & ~3;
        ByteBuffer epb = buffer(order, 20 + padded + (direction < 0 ? 0 : 12));
        epb.putInt(0).putInt(0).putInt(42).putInt(data.length).putInt(original).put(data);
        epb.position(20 + padded);
        if (direction >= 0) {
            epb.putShort((short) 2).putShort((short) 4).putInt(direction).putShort((short) 0).putShort((short) 0);
        }
        return epb.array();
    }

    private static void block(ByteArrayOutputStream out, ByteOrder order, int type, byte[] body) {
        int length = 12 + body.length;
        out.writeBytes(buffer(order, 8).putInt(type).putInt(length).array());
        out.writeBytes(body);
        out.writeBytes(buffer(order, 4).putInt(length).array());
    }

    private static ByteBuffer buffer(ByteOrder order, int size) {
        return ByteBuffer.allocate(size).order(order);
    }
}
