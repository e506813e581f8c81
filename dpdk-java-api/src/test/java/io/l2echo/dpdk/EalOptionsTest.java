package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EalOptionsTest {
    @Test
    void typedValuesBecomeEalsOwnOptions() {
        EalOptions options = EalOptions.builder().lcores(0, 2, 3).device("0000:03:00.0").device("0000:03:00.1,rxq_pkt_pad_en=1")
                .memoryMb(512).filePrefix("gateway").arg("--log-level=lib.eal:warning").build();
        assertEquals(List.of("-l", "0,2,3", "-a", "0000:03:00.0", "-a", "0000:03:00.1,rxq_pkt_pad_en=1", "-m", "512",
                "--file-prefix=gateway", "--log-level=lib.eal:warning"), options.arguments());
    }

    @Test
    void withoutAPciDevicePciIsNotProbed() {
        assertEquals(List.of("--no-pci", "--vdev=net_af_packet0,iface=eth1"),
                EalOptions.builder().vdev("net_af_packet0,iface=eth1").build().arguments());
        assertEquals(List.of("--no-pci"), EalOptions.builder().build().arguments());
    }

    @Test
    void badValuesAreRefusedWhenSetWithWhatIsExpected() {
        EalOptions.Builder builder = EalOptions.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.device("eth0")).getMessage()
                .contains("is not a PCI address such as 0000:03:00.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.vdev("iface=eth1")).getMessage()
                .contains("net_af_packet0,iface=IF"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.lcores(0, 1, 1)).getMessage()
                .contains("lcore 1 is given twice"));
        assertThrows(IllegalArgumentException.class, () -> builder.lcores(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.filePrefix("../etc"));
        assertThrows(IllegalArgumentException.class, () -> builder.memoryMb(-1));
    }

    @Test
    void theEchoConfigTakesThemAsItsEalArguments() {
        EalOptions options = EalOptions.builder().lcores(1).vdev("net_null0").build();
        assertEquals(List.of("-l", "1", "--no-pci", "--vdev=net_null0"),
                EchoConfig.builder().eal(options).build().ealArgs());
    }
}
