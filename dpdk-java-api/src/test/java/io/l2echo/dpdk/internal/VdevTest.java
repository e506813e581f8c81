package io.l2echo.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VdevTest {
    private static final List<String> EAL = List.of("-l", "0,1", "--vdev=net_af_packet0,iface=eth1,qpairs=2",
            "--vdev", "net_vhost1,iface=/tmp/v.sock,client=1", "--no-pci", "--vdev=net_null0");

    @Test
    void bothSpellingsOfTheOptionAreRead() {
        assertEquals(List.of(new Vdev("net_af_packet0", Map.of("iface", "eth1", "qpairs", "2")),
                new Vdev("net_vhost1", Map.of("iface", "/tmp/v.sock", "client", "1")), new Vdev("net_null0", Map.of())),
                Vdev.all(EAL));
    }

    @Test
    void byDriverAndByDeviceName() {
        assertEquals(List.of("net_vhost1"), Vdev.ofDriver(EAL, "net_vhost", "eth_vhost").stream().map(Vdev::name).toList());
        assertEquals(Optional.of("eth1"), Vdev.named(EAL, "net_af_packet0").flatMap(vdev -> vdev.arg("iface")));
        assertEquals(Optional.empty(), Vdev.named(EAL, "net_af_packet1"));
    }
}
