package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DpdkExceptionTest {
    @Test
    void theMessageCarriesOperationDetailErrnoAndHint() {
        DpdkException e = new DpdkException("configure port 0", "nb_rx_queues=2 > 1", 22, "EINVAL",
                "Invalid argument", "use fewer queues");
        assertEquals("configure port 0 failed: nb_rx_queues=2 > 1 (errno 22 EINVAL: Invalid argument). "
                + "use fewer queues", e.getMessage());
        assertEquals(22, e.errno());
        assertEquals("EINVAL", e.errnoName().orElseThrow());
    }

    @Test
    void aFailureFoundBeforeDpdkHasNoErrno() {
        DpdkException e = new DpdkException("open port 3", "there is no port 3", "pass --vdev");
        assertEquals("open port 3 failed: there is no port 3. pass --vdev", e.getMessage());
        assertEquals(0, e.errno());
    }

    @Test
    void macAddressesPrintAsDpdkPrintsThem() {
        assertEquals("02:00:00:00:00:09", DeviceInfo.formatMac(0x020000000009L));
        assertEquals("ff:ee:dd:cc:bb:aa", DeviceInfo.formatMac(0xffeeddccbbaaL));
    }

    @Test
    void aMacAddressReadsBackAsTheBitsItWasPrintedFrom() {
        for (long bits : new long[] {0x020000000009L, 0xffeeddccbbaaL, 0L}) {
            DeviceInfo info = new DeviceInfo(0, "net_null0", "net_null", DeviceInfo.formatMac(bits), 1, 1, 0,
                    List.of(), false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            assertEquals(bits, info.macAddressBits(), info.macAddress());
        }
    }
}
