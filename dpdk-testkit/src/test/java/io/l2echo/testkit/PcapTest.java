package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic pcap reader on files written here, in both byte orders and both time resolutions. */
class PcapTest {
    @TempDir
    Path dir;

    private static final byte[] FIRST = {1, 2, 3, 4, 5, 6, 7};
    private static final byte[] SECOND = {9, 9};

    @Test
    void readsEveryRecordInOrder() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            for (int magic : new int[] {0xa1b2c3d4, 0xa1b23c4d}) {
                Path file = Files.write(dir.resolve(order + "-" + magic + ".pcap"), pcap(order, magic));
                List<byte[]> frames = Pcap.read(file);
                assertEquals(2, frames.size(), file.toString());
                assertArrayEquals(FIRST, frames.get(0));
                assertArrayEquals(SECOND, frames.get(1));
            }
        }
    }

    @Test
    void aFileCutShortOrNotPcapIsRefused() throws IOException {
        byte[] whole = pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4);
        Path cut = Files.write(dir.resolve("cut.pcap"), Arrays.copyOf(whole, whole.length - 1));
        assertThrows(IOException.class, () -> Pcap.read(cut));
        Path pcapng = Files.write(dir.resolve("x.pcapng"), new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d,
            0x3c, 0x2b, 0x1a, 1, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, 28, 0, 0, 0});
        assertThrows(IOException.class, () -> Pcap.read(pcapng));
    }

    private static byte[] pcap(ByteOrder order, int magic) {
        ByteBuffer out = ByteBuffer.allocate(24 + 16 + FIRST.length + 16 + SECOND.length).order(order);
        out.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        for (byte[] frame : List.of(FIRST, SECOND)) {
            out.putInt(1).putInt(2).putInt(frame.length).putInt(frame.length + 10).put(frame);
        }
        return out.array();
    }
}
