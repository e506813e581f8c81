package io.l2echo.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.DpdkException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreflightTest {
    @TempDir
    Path root;

    private void machine(int totalPages, int freePages, boolean mounted, String capEff) throws IOException {
        Path size = Files.createDirectories(root.resolve("sys/kernel/mm/hugepages/hugepages-2048kB"));
        Files.writeString(size.resolve("nr_hugepages"), totalPages + "\n");
        Files.writeString(size.resolve("free_hugepages"), freePages + "\n");
        Files.createDirectories(root.resolve("proc/self"));
        Files.writeString(root.resolve("proc/mounts"), "proc /proc proc rw 0 0\n"
                + (mounted ? "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n" : ""));
        Files.writeString(root.resolve("proc/self/status"), "Name:\tjava\nCapEff:\t" + capEff + "\n");
    }

    @Test
    void aReadyMachinePasses() throws IOException {
        machine(512, 512, true, "000001ffffffffff");
        assertEquals(List.of(), new Preflight(root, () -> 0, () -> true).check(List.of("-l", "0,1")));
    }

    @Test
    void noHugepagesSaysHowToReserveThem() throws IOException {
        machine(0, 0, true, "0");
        List<Preflight.Problem> problems = new Preflight(root, () -> 0, () -> true).check(List.of());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).fix().contains("scripts/setup_env.sh"), problems.toString());
    }

    @Test
    void noHugepagesIsFineWithNoHuge() throws IOException {
        machine(0, 0, false, "0");
        assertEquals(List.of(), new Preflight(root, () -> 0, () -> true).check(List.of("--no-huge")));
    }

    @Test
    void allPagesTakenIsReported() throws IOException {
        machine(64, 0, true, "0");
        List<Preflight.Problem> problems = new Preflight(root, () -> 0, () -> true).check(List.of());
        assertTrue(problems.get(0).cause().contains("all 64 hugepages are in use"), problems.toString());
    }

    @Test
    void aMissingMountMattersOnlyWithoutInMemory() throws IOException {
        machine(512, 512, false, "0");
        assertTrue(new Preflight(root, () -> 0, () -> true).check(List.of()).get(0).cause().contains("hugetlbfs"));
        assertEquals(List.of(), new Preflight(root, () -> 0, () -> true).check(List.of("--in-memory")));
    }

    @Test
    void anUnprivilegedUserIsToldToUseRoot() throws IOException {
        machine(512, 512, true, "0000000000000000");
        DpdkException e = assertThrows(DpdkException.class,
                () -> new Preflight(root, () -> 1000, () -> true).require(List.of("--in-memory")));
        assertTrue(e.getMessage().contains("not running as root (missing CAP_SYS_ADMIN, CAP_IPC_LOCK, CAP_NET_RAW)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("sudo"), e.getMessage());
    }

    @Test
    void missingDpdkLibrariesSayHowToInstallThem() throws IOException {
        machine(512, 512, true, "0");
        List<Preflight.Problem> problems = new Preflight(root, () -> 0, () -> false).check(List.of());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).cause().contains("librte_eal"), problems.toString());
        assertTrue(problems.get(0).fix().contains("scripts/install_deps.sh"), problems.toString());
    }

    @Test
    void capabilitiesReplaceRoot() throws IOException {
        long caps = (1L << 13) | (1L << 14) | (1L << 21);
        machine(512, 512, true, Long.toHexString(caps));
        assertEquals(List.of(), new Preflight(root, () -> 1000, () -> true).check(List.of()));
    }

    @Test
    void aVhostUserSocketAnotherServerListensOnIsRefused() throws IOException {
        machine(512, 512, true, "0");
        Files.createDirectories(root.resolve("tmp"));
        Files.writeString(root.resolve("tmp/a.sock"), "");
        Files.writeString(root.resolve("tmp/b.sock"), "");
        Files.createDirectories(root.resolve("proc/net"));
        Files.writeString(root.resolve("proc/net/unix"), """
                Num       RefCount Protocol Flags    Type St Inode Path
                0000000000000000: 00000002 00000000 00010000 0001 01 23456 /tmp/a.sock
                0000000000000000: 00000003 00000000 00000000 0001 03 23457 /tmp/a.sock
                """);
        Preflight preflight = new Preflight(root, () -> 0, () -> true);

        List<Preflight.Problem> served = preflight.check(List.of("--vdev=net_vhost0,iface=/tmp/a.sock,queues=2"));
        assertEquals(List.of(new Preflight.Problem("the vhost-user socket /tmp/a.sock is served by another process",
                "stop that process, or give iface= another path")), served);

        List<Preflight.Problem> stale = preflight.check(List.of("--vdev", "eth_vhost1,iface=/tmp/b.sock"));
        assertEquals(1, stale.size(), stale::toString);
        assertTrue(stale.get(0).cause().startsWith("/tmp/b.sock exists and nothing listens on it"), stale::toString);

        assertEquals(List.of(), preflight.check(List.of("--vdev=net_vhost0,iface=/tmp/a.sock,client=1")),
                "a client connects to a server's socket");
        assertEquals(List.of(), preflight.check(List.of("--vdev=net_vhost0,iface=/tmp/new.sock")), "a new path");
        assertEquals(List.of(), preflight.check(List.of("--vdev=virtio_user0,path=/tmp/a.sock")),
                "virtio_user connects to it");
    }

    @Test
    void anAfPacketInterfaceWhoseFramesOutgrowTheRingIsRefused() throws IOException {
        machine(512, 512, true, "0");
        Path jumbo = Files.createDirectories(root.resolve("sys/class/net/jumbo0"));
        Files.writeString(jumbo.resolve("mtu"), "9000\n");
        Path plain = Files.createDirectories(root.resolve("sys/class/net/plain0"));
        Files.writeString(plain.resolve("mtu"), "1500\n");
        Preflight preflight = new Preflight(root, () -> 0, () -> true);

        List<Preflight.Problem> problems = preflight.check(List.of("--vdev=net_af_packet0,iface=jumbo0"));
        assertEquals(List.of(new Preflight.Problem("jumbo0 has MTU 9000, so frames of up to 9014 bytes, and "
                + "net_af_packet's ring holds 1982: it would echo longer frames cut short",
                "lower the MTU to at most 1968 (ip link set jumbo0 mtu 1500)")), problems);
        assertEquals(List.of(), preflight.check(List.of("--vdev=net_af_packet0,iface=jumbo0,framesz=16384")),
                "a ring slot that holds the MTU");
        assertEquals(List.of(), preflight.check(List.of("--vdev", "net_af_packet1,iface=plain0,qpairs=2")));
        assertEquals(List.of(), preflight.check(List.of("--vdev=net_af_packet0,iface=absent0")),
                "a missing interface is the PMD's to name");
    }

    @Test
    void aPciDeviceAnotherProcessHoldsIsRefusedNamingIt() throws IOException {
        machine(512, 512, true, "0");
        Path uioNic = Files.createDirectories(root.resolve("sys/bus/pci/devices/0000:00:10.0/uio/uio0"));
        Path vfioNic = Files.createDirectories(root.resolve("sys/bus/pci/devices/0000:03:00.1"));
        Files.createSymbolicLink(vfioNic.resolve("iommu_group"), Path.of("../../../../kernel/iommu_groups/7"));
        Files.createDirectories(root.resolve("sys/bus/pci/devices/0000:00:11.0"));
        process(612, "java", "/dev/uio0", "/dev/null");
        process(613, "dpdk-testpmd", "/dev/vfio/7");
        process(614, "bash", "/dev/pts/0");
        Preflight preflight = new Preflight(root, () -> 0, () -> true);

        assertEquals(List.of(new Preflight.Problem("0000:00:10.0 is in use by 612 (java)", "stop that process first "
                + "(two processes driving one NIC corrupt each other's rings), or name another device with -a")),
                preflight.check(List.of("-l", "0,1", "-a", "0000:00:10.0")));
        List<Preflight.Problem> problems = preflight.check(List.of("--allow=03:00.1,txq_inline=128", "-a0000:00:11.0"));
        assertEquals(1, problems.size(), problems::toString);
        assertEquals("0000:03:00.1 is in use by 613 (dpdk-testpmd)", problems.get(0).cause(), problems::toString);
        assertEquals(List.of(), preflight.check(List.of("-a", "0000:00:11.0")), "a device nobody holds");
    }

    private void process(int pid, String name, String... openFiles) throws IOException {
        Path process = root.resolve("proc/" + pid);
        Files.createDirectories(process.resolve("fd"));
        Files.writeString(process.resolve("comm"), name + "\n");
        for (int fd = 0; fd < openFiles.length; fd++) {
            Files.createSymbolicLink(process.resolve("fd/" + fd), Path.of(openFiles[fd]));
        }
    }
}
