package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UdpFrameTemplateTest {

    private static final UdpFrameTemplate TEMPLATE = UdpFrameTemplate.builder()
            .sourceMac(MacAddress.parse("02:aa:bb:cc:dd:01"))
            .destinationMac(MacAddress.parse("02:aa:bb:cc:dd:02"))
            .sourceIp("10.99.0.1").destinationIp("10.99.0.2")
            .sourcePort(40000).destinationPort(9)
            .payloadSeed(42)
            .build();

    @Test
    void everyLengthFrom60To1514HasConsistentHeadersAndValidChecksums() {
        for (int length = Frames.MIN_LENGTH; length <= Frames.MAX_LENGTH; length++) {
            byte[] frame = TEMPLATE.frame(length * 7L, length);
            ByteBuffer b = ByteBuffer.wrap(frame);
            assertEquals(length, frame.length);
            assertEquals(0x0800, b.getShort(12) & 0xFFFF, "EtherType");
            assertEquals(0x45, b.get(14) & 0xFF, "version/IHL");
            assertEquals(length - 14, b.getShort(16) & 0xFFFF, "IPv4 total length");
            assertEquals(17, b.get(23), "protocol");
            assertEquals(length - 34, b.getShort(38) & 0xFFFF, "UDP length");
            assertEquals(0xFFFF, onesComplementSum(frame, 14, 20, 0), "IPv4 header checksum, length " + length);
            assertEquals(0xFFFF, udpChecksumSum(frame), "UDP checksum, length " + length);
            assertEquals(length * 7L, Frames.sequenceOf(frame));
            assertTrue(Frames.isTestFrame(frame, frame.length));
        }
    }

    /** The IPv4 header example of Wikipedia's "Internet checksum" article: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7. */
    @Test
    void ipv4HeaderChecksumMatchesAPublishedExample() {
        byte[] frame = TEMPLATE.toBuilder().sourceIp("192.168.0.1").destinationIp("192.168.0.199").build()
                .frame(0, 14 + 0x73);
        byte[] expectedHeader = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertArrayEquals(expectedHeader, Arrays.copyOfRange(frame, 14, 34));
    }

    /** RFC 768: a checksum that computes to zero is sent as 0xffff, since zero means "none". */
    @Test
    void udpChecksumThatComputesToZeroIsSentAsAllOnes() {
        for (long seed = 0; seed < 2_000_000; seed++) {
            byte[] frame = TEMPLATE.toBuilder().payloadSeed(seed).build().frame(1, Frames.MIN_LENGTH);
            int field = ByteBuffer.wrap(frame).getShort(40) & 0xFFFF;
            assertNotEquals(0, field, "seed " + seed);
            if (field == 0xFFFF) {
                assertEquals(0xFFFF, udpChecksumSum(frame));
                return;
            }
        }
        throw new AssertionError("no seed below 2,000,000 gave a 0xffff checksum; expected one in about 65,536");
    }

    @Test
    void headerFieldsAreWhereTheLayoutSays() {
        byte[] frame = TEMPLATE.frame(0x0102_0304_0506_0708L, 100);
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertEquals(MacAddress.parse("02:aa:bb:cc:dd:02"), MacAddress.of(frame, 0));
        assertEquals(MacAddress.parse("02:aa:bb:cc:dd:01"), MacAddress.of(frame, 6));
        assertEquals(0x0708, b.getShort(18) & 0xFFFF, "identification = low 16 bits of the sequence");
        assertEquals(0x4000, b.getShort(20) & 0xFFFF, "DF, no fragment offset");
        assertEquals(64, b.get(22), "TTL");
        assertEquals(0x0A63_0001, b.getInt(26));
        assertEquals(0x0A63_0002, b.getInt(30));
        assertEquals(40000, b.getShort(34) & 0xFFFF);
        assertEquals(9, b.getShort(36) & 0xFFFF);
        assertEquals(0x0102_0304_0506_0708L, b.getLong(Frames.SEQUENCE_OFFSET));
        assertEquals(Frames.MAGIC, b.getInt(Frames.MAGIC_OFFSET));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xFFFF_FFFFL})
    void sequenceNumberRoundTrips(long sequence) {
        assertEquals(sequence, Frames.sequenceOf(TEMPLATE.frame(sequence, 60)));
        assertEquals(sequence, Frames.sequenceOf(Frames.macSwapped(TEMPLATE.frame(sequence, 1514))));
    }

    @Test
    void sequenceIsReadFromTheReceivedLengthOfALargerBuffer() {
        byte[] buffer = new byte[2048];
        byte[] frame = TEMPLATE.frame(99, 60);
        System.arraycopy(frame, 0, buffer, 0, frame.length);
        assertEquals(99, Frames.sequenceOf(buffer, frame.length));
        assertFalse(Frames.isTestFrame(buffer, 59), "a runt is not a test frame");
    }

    @Test
    void payloadVariesWithSequenceAndSeedAndIsReproducible() {
        byte[] a = TEMPLATE.frame(1, Frames.MAX_LENGTH);
        byte[] b = TEMPLATE.frame(2, Frames.MAX_LENGTH);
        byte[] c = TEMPLATE.toBuilder().payloadSeed(43).build().frame(1, Frames.MAX_LENGTH);
        int from = Frames.MAGIC_OFFSET + 4;
        assertFalse(Arrays.equals(a, from, a.length, b, from, b.length), "sequence changes the payload");
        assertFalse(Arrays.equals(a, from, a.length, c, from, c.length), "seed changes the payload");
        assertArrayEquals(a, TEMPLATE.frame(1, Frames.MAX_LENGTH), "same seed and sequence, same frame");
        Set<Byte> distinct = new HashSet<>();
        for (int i = from; i < a.length; i++) {
            distinct.add(a[i]);
        }
        assertTrue(distinct.size() > 200, "payload uses " + distinct.size() + " distinct byte values");
    }

    @Test
    void macSwappedExchangesTheAddressesAndNothingElse() {
        byte[] frame = TEMPLATE.frame(5, 333);
        byte[] copy = frame.clone();
        byte[] swapped = Frames.macSwapped(frame);
        assertArrayEquals(copy, frame, "input left alone");
        assertArrayEquals(Arrays.copyOfRange(frame, 6, 12), Arrays.copyOfRange(swapped, 0, 6));
        assertArrayEquals(Arrays.copyOfRange(frame, 0, 6), Arrays.copyOfRange(swapped, 6, 12));
        assertArrayEquals(Arrays.copyOfRange(frame, 12, 333), Arrays.copyOfRange(swapped, 12, 333));
        assertArrayEquals(frame, Frames.macSwapped(swapped));
    }

    @Test
    void sweepCoversEveryLengthStartingAt60() {
        List<byte[]> frames = TEMPLATE.sweep(1000, 1455);
        assertEquals(60, frames.get(0).length);
        Set<Integer> lengths = new HashSet<>();
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(1000 + i, Frames.sequenceOf(frames.get(i)));
            lengths.add(frames.get(i).length);
        }
        assertEquals(Frames.MAX_LENGTH - Frames.MIN_LENGTH + 1, lengths.size());
        assertTrue(lengths.contains(Frames.MAX_LENGTH));
    }

    @Test
    void flowsCycleTheSourcePort() {
        UdpFrameTemplate four = TEMPLATE.toBuilder().flows(4).build();
        for (long seq = 0; seq < 8; seq++) {
            assertEquals(40000 + seq % 4, ByteBuffer.wrap(four.frame(seq, 60)).getShort(34) & 0xFFFF);
            assertEquals(0xFFFF, udpChecksumSum(four.frame(seq, 60)));
        }
        assertThrows(IllegalArgumentException.class, () -> TEMPLATE.toBuilder().sourcePort(65535).flows(2).build());
    }

    @Test
    void rejectsWhatCannotBeAValidTestFrame() {
        assertThrows(IllegalArgumentException.class, () -> TEMPLATE.frame(0, 59));
        assertThrows(IllegalArgumentException.class, () -> TEMPLATE.frame(0, 1515));
        assertThrows(IllegalArgumentException.class, () -> UdpFrameTemplate.builder().sourceMac(MacAddress.parse("01:00:5e:00:00:01")));
        assertThrows(IllegalArgumentException.class, () -> UdpFrameTemplate.builder().sourceIp("10.99.0.256"));
        assertThrows(IllegalArgumentException.class, () -> UdpFrameTemplate.builder().destinationIp("example.org"));
        assertThrows(IllegalArgumentException.class, () -> UdpFrameTemplate.builder().destinationPort(65536));
    }

    @Test
    void foreignFramesAreNotTestFrames() {
        byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertFalse(Frames.isTestFrame(arp, 60));
        byte[] otherUdp = TEMPLATE.frame(1, 60);
        otherUdp[Frames.MAGIC_OFFSET] ^= 1;
        assertFalse(Frames.isTestFrame(otherUdp, 60), "UDP without the magic");
        assertThrows(IllegalArgumentException.class, () -> Frames.sequenceOf(arp));
        assertTrue(Frames.describe(arp, 60).contains("ethertype 0x0806"), Frames.describe(arp, 60));
        assertEquals("60 bytes 02:aa:bb:cc:dd:01 > 02:aa:bb:cc:dd:02 10.99.0.1:40000 > 10.99.0.2:9 seq 1",
                Frames.describe(TEMPLATE.frame(1, 60), 60));
    }

    @Test
    void fieldAtNamesEveryRegion() {
        assertEquals("destination MAC", Frames.fieldAt(0));
        assertEquals("source MAC", Frames.fieldAt(11));
        assertEquals("EtherType", Frames.fieldAt(13));
        assertEquals("IPv4 header checksum", Frames.fieldAt(25));
        assertEquals("IPv4 destination address", Frames.fieldAt(33));
        assertEquals("UDP checksum", Frames.fieldAt(41));
        assertEquals("sequence number", Frames.fieldAt(49));
        assertEquals("magic", Frames.fieldAt(53));
        assertEquals("payload byte 12", Frames.fieldAt(54));
    }

    // Independent of Checksums: the receiver's check, a sum over the data including the checksum field.

    private static int onesComplementSum(byte[] data, int offset, int length, long initial) {
        long sum = initial;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xFF;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += hi * 256L + lo;
        }
        while (sum > 0xFFFF) {
            sum = (sum >> 16) + (sum & 0xFFFF);
        }
        return (int) sum;
    }

    private static int udpChecksumSum(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int udpLength = b.getShort(38) & 0xFFFF;
        long pseudo = (b.getShort(26) & 0xFFFF) + (b.getShort(28) & 0xFFFF) + (b.getShort(30) & 0xFFFF)
                + (b.getShort(32) & 0xFFFF) + 17 + udpLength;
        return onesComplementSum(frame, 34, udpLength, pseudo);
    }

    private static byte[] hex(String text) {
        String digits = text.replace(" ", "");
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
