package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parsesAndPrintsTheLinuxForm() {
        MacAddress mac = MacAddress.parse("02:0A:ff:00:10:9c");
        assertEquals(0x020AFF00109CL, mac.value());
        assertEquals("02:0a:ff:00:10:9c", mac.toString());
        assertEquals(mac, MacAddress.parse("02-0a-ff-00-10-9c\n"));
        assertEquals(mac, MacAddress.parse("2:a:ff:0:10:9c"));
    }

    @Test
    void convertsToAndFromBytes() {
        byte[] bytes = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0x00, 0x01};
        MacAddress mac = MacAddress.of(bytes);
        assertEquals("de:ad:be:ef:00:01", mac.toString());
        assertArrayEquals(bytes, mac.toBytes());
        byte[] frame = new byte[20];
        mac.writeTo(frame, 6);
        assertEquals(mac, MacAddress.of(frame, 6));
    }

    @Test
    void knowsGroupAddresses() {
        assertTrue(MacAddress.parse("ff:ff:ff:ff:ff:ff").isMulticast());
        assertTrue(MacAddress.parse("33:33:00:00:00:01").isMulticast());
        assertFalse(MacAddress.parse("02:00:00:00:00:01").isMulticast());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:00:00:00:00", "02:00:00:00:00:00:00", "02:00:00:00:00:0g", "02:00:00:00:00:100",
            "02::00:00:00:00"})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    }

    @Test
    void rejectsMoreThan48Bits() {
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
    }
}
