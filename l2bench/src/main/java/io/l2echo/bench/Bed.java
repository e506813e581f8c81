package io.l2echo.bench;

import java.util.List;

/** Where the generator and the system under test meet, and which systems are compared there. */
enum Bed {
    VHOST("vhost-user", "`l2gen` on a `net_vhost` server port, the system under test on `virtio_user` (the PMD a "
            + "VM's virtio-net NIC uses), over shared memory: DPDK owns both ends and nothing rides the kernel.",
            List.of(SystemUnderTest.TESTPMD, SystemUnderTest.L2ECHO, SystemUnderTest.JAVA_HANDLER,
                    SystemUnderTest.L2ECHO_UNDER_GARBAGE, SystemUnderTest.TESTPMD_5TSWAP, SystemUnderTest.L2ECHO_IP,
                    SystemUnderTest.L2ECHO_PORTS, SystemUnderTest.L2ECHO_CAPTURED)),
    VETH("veth", "`l2gen` on `net_af_packet` in a network namespace, the system under test on the other end of the "
            + "veth pair: `net_af_packet` still rides the kernel's packet sockets, so the lead over a kernel echo "
            + "is modest here; it is where the kernel-socket echo can be compared at all.",
            List.of(SystemUnderTest.TESTPMD, SystemUnderTest.L2ECHO, SystemUnderTest.JAVA_HANDLER,
                    SystemUnderTest.KERNEL_ECHO));

    private final String label;
    private final String description;
    private final List<SystemUnderTest> systems;

    Bed(String label, String description, List<SystemUnderTest> systems) {
        this.label = label;
        this.description = description;
        this.systems = systems;
    }

    String label() {
        return label;
    }

    String description() {
        return description;
    }

    List<SystemUnderTest> systems() {
        return systems;
    }
}
