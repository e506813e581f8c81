package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

class RssSetupTest {
    /* Bit i is named "tI", standing in for the shim's table. */
    private static final LongFunction<List<String>> NAMES = bits -> {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((bits & (1L << i)) != 0) {
                names.add("t" + i);
            }
        }
        return names;
    };

    @Test
    void theRequestIsMaskedToWhatTheDeviceHashes() {
        RssSetup rss = RssSetup.mask(List.of("ip", "udp"), 0b1110, 0b0110, false, NAMES);
        assertEquals(0b0110, rss.appliedBits());
        assertEquals(List.of("t1", "t2"), rss.applied());
        assertEquals(List.of("t3"), rss.unsupported());
        assertEquals("t1,t2; the device lacks t3", rss.summary());
    }

    @Test
    void aDeviceWithoutRssHashesNothingAndSaysSo() {
        RssSetup rss = RssSetup.mask(List.of("ip"), 0b11, 0, true, NAMES);
        assertFalse(rss.enabled());
        assertFalse(rss.symmetric(), "no key matters without a hash");
        assertEquals("off: the device hashes none of [ip]", rss.summary());
    }

    @Test
    void theSymmetricKeyRepeats6d5a() {
        byte[] key = RssSetup.symmetricKey(40);
        assertEquals(40, key.length);
        for (int i = 0; i < key.length; i += 2) {
            assertEquals((byte) 0x6d, key[i]);
            assertEquals((byte) 0x5a, key[i + 1]);
        }
        assertTrue(RssSetup.mask(List.of("ip"), 1, 1, true, NAMES).summary().contains("symmetric key"));
    }
}
