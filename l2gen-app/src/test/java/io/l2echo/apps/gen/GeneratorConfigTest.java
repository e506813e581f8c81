package io.l2echo.apps.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GeneratorConfigTest {
    @Test
    void theTemplateIsAValidEthernetIpv4UdpFrame() {
        byte[] frame = GeneratorConfig.builder().frameLength(128).destinationMac(0x0a0b0c0d0e0fL).build()
                .frameTemplate(0x020000000001L);
        assertEquals(128, frame.length);
        assertEquals(0x0a, frame[0]);
        assertEquals(0x0f, frame[5]);
        assertEquals(0x02, frame[6]);
        assertEquals(0x01, frame[11]);
        assertEquals(0x0800, u16(frame, 12));
        assertEquals(0x45, frame[14]);
        assertEquals(128 - 14, u16(frame, 16), "IPv4 total length");
        assertEquals(17, frame[23], "UDP");
        assertEquals(0, GeneratorConfig.ipv4Checksum(frame, 14), "a header with its checksum sums to 0");
        assertEquals(40000, u16(frame, 34));
        assertEquals(40001, u16(frame, 36));
        assertEquals(128 - 34, u16(frame, 38), "UDP length");
        assertEquals(0, u16(frame, 40), "no UDP checksum, so flows can change the source port");
    }

    @Test
    void echoesAreCheckedAtMacLevelUnlessTheEchosLevelIsGiven() {
        assertEquals(io.l2echo.dpdk.SwapLevel.MAC, GeneratorConfig.builder().build().swapLevel());
        GeneratorConfig ports = GeneratorConfig.builder().swapLevel(io.l2echo.dpdk.SwapLevel.PORTS).build();
        assertEquals(io.l2echo.dpdk.SwapLevel.PORTS, GeneratorConfig.builder().from(ports).build().swapLevel());
    }

    @Test
    void outOfRangeValuesAreRefusedBeforeDpdk() {
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.builder().frameLength(59));
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.builder().frameLength(1515));
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.builder().count(0));
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.builder().ratePps(-1));
        assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.builder().flows(0));
    }

    private static int u16(byte[] frame, int offset) {
        return ((frame[offset] & 0xff) << 8) | (frame[offset + 1] & 0xff);
    }
}
