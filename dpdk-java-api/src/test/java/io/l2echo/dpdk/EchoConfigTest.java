package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EchoConfigTest {
    @Test
    void theResolvedPortKeepsEverySettingButTheNameAndQueues() {
        EchoConfig config = EchoConfig.builder().port(PortConfig.builder().portName("net_af_packet0")
                .descriptors(512, 256).promiscuous(false).rss(List.of("ipv4-udp"), true).build()).build();
        PortConfig resolved = config.portConfig(3, 2);
        assertEquals(3, resolved.portId());
        assertTrue(resolved.portName().isEmpty(), "the id is what was resolved from the name");
        assertEquals(2, resolved.rxQueues());
        assertEquals(2, resolved.txQueues());
        assertEquals(512, resolved.rxDescriptors());
        assertEquals(256, resolved.txDescriptors());
        assertEquals(false, resolved.promiscuous());
        assertEquals(List.of("ipv4-udp"), resolved.rssHashTypes());
        assertTrue(resolved.rssSymmetric());
    }
}
