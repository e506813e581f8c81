package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EchoConfigTest {
    @Test
    void theResolvedPortKeepsEverySettingButTheNameAndQueues() {
        PortConfig port = PortConfig.builder().portName("net_af_packet0").descriptors(512, 256).promiscuous(false)
                .rss(List.of("ipv4-udp"), true).build();
        PortConfig resolved = port.resolved(3, 2);
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

    @Test
    void withoutPortsTheEchoRunsOnPortZeroWithRss() {
        List<PortConfig> ports = EchoConfig.builder().build().ports();
        assertEquals(1, ports.size());
        assertEquals(0, ports.get(0).portId());
        assertEquals(List.of("ip", "tcp", "udp"), ports.get(0).rssHashTypes());
    }

    @Test
    void portsAreKeptInTheOrderGivenAndTheDefaultIsDropped() {
        EchoConfig config = EchoConfig.builder().port(PortConfig.builder().portId(1).build())
                .port(PortConfig.builder().portName("net_null0").build()).build();
        assertEquals(2, config.ports().size());
        assertEquals(1, config.ports().get(0).portId());
        assertEquals("net_null0", config.ports().get(1).portName().orElseThrow());
    }

    @Test
    void aPortGivenTwiceIsRefusedAtOnce() {
        EchoConfig.Builder byId = EchoConfig.builder().port(PortConfig.builder().portId(1).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> byId.port(PortConfig.builder().portId(1).build()));
        assertTrue(e.getMessage().contains("port 1 is given twice"), e.getMessage());
        EchoConfig.Builder byName = EchoConfig.builder().port(PortConfig.builder().portName("net_null0").build());
        assertThrows(IllegalArgumentException.class, () -> byName.port(PortConfig.builder().portName("net_null0").build()));
    }

    @Test
    void theLinkPollIntervalIsBounded() {
        assertEquals(Duration.ofMillis(100), EchoConfig.builder().build().linkPollInterval());
        assertThrows(IllegalArgumentException.class, () -> EchoConfig.builder().linkPollInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> EchoConfig.builder().linkPollInterval(Duration.ofHours(1)));
    }

    @Test
    void aPortAsTheUserGivesItIsAnIdWhenAllDigitsElseADeviceName() {
        assertEquals(3, PortConfig.builder().port("3").build().portId());
        assertTrue(PortConfig.builder().port("3").build().portName().isEmpty());
        assertEquals("0000:03:00.0", PortConfig.builder().port("0000:03:00.0").build().portName().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> PortConfig.builder().port("70000"));
        assertThrows(IllegalArgumentException.class, () -> PortConfig.builder().port(""));
    }

    @Test
    void theEchoSwapsMacsAndReflectsUnicastUnlessTold() {
        EchoConfig config = EchoConfig.builder().build();
        assertEquals(SwapLevel.MAC, config.swapLevel());
        assertEquals(ReflectPolicy.UNICAST, config.reflectPolicy());
        EchoConfig widened = config.toBuilder().swapLevel(SwapLevel.PORTS).reflectPolicy(ReflectPolicy.GROUP).build();
        assertEquals(SwapLevel.PORTS, widened.swapLevel());
        assertEquals(ReflectPolicy.GROUP, widened.toBuilder().build().reflectPolicy());
    }

    @Test
    void aSwapLevelOrPolicyBesidePacketHandlersIsAContradiction() {
        PacketHandlerFactory handlers = (queue, device) -> burst -> { };
        EchoConfig.Builder builder = EchoConfig.builder().packetHandlers(handlers, IdleStrategy.busySpin());
        builder.build(); // the defaults alone are no contradiction
        assertThrows(IllegalArgumentException.class, () -> builder.swapLevel(SwapLevel.MAC).build());
        assertThrows(IllegalArgumentException.class, () -> EchoConfig.builder()
                .reflectPolicy(ReflectPolicy.EVERYTHING).packetHandlers(handlers, IdleStrategy.busySpin()).build());
    }

    @Test
    void optionNamesParseCaseInsensitivelyAndAnUnknownOneListsTheChoices() {
        assertEquals(SwapLevel.IP, SwapLevel.fromOption("IP"));
        assertEquals(ReflectPolicy.EVERYTHING, ReflectPolicy.fromOption("everything"));
        assertEquals("unknown swap level 'l4': one of mac, ip, ports",
                assertThrows(IllegalArgumentException.class, () -> SwapLevel.fromOption("l4")).getMessage());
        assertEquals("unknown reflect policy 'all': one of unicast, group, everything",
                assertThrows(IllegalArgumentException.class, () -> ReflectPolicy.fromOption("all")).getMessage());
    }
}
