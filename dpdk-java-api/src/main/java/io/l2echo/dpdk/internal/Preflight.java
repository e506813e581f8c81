package io.l2echo.dpdk.internal;

import com.sun.jna.NativeLibrary;
import io.l2echo.dpdk.DpdkException;
import io.l2echo.dpdk.EalArguments;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Checks, before DPDK is asked, what makes EAL fail with a message few users can act on:
 * DPDK's libraries, privileges, hugepages, and ports another process holds. Each problem comes with its fix. The file
 * system root, the effective uid and the library probe are injectable so the checks are
 * tested without a special machine.
 */
public final class Preflight {
    /** Capabilities EAL needs without root: hugepage mapping, physical addresses, raw sockets. */
    private static final int CAP_NET_RAW = 13;
    private static final int CAP_IPC_LOCK = 14;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int ETHERNET_HEADER = 14;
    /* TPACKET_ALIGN(TPACKET2_HDRLEN + 16) - 14: where the kernel puts the frame in a ring slot. */
    private static final int AF_PACKET_SLOT_OVERHEAD = 66;
    /* What canLoadEal asks for: JNA's search, then the sonames of DPDK 22.11 to 25.11. */
    private static final List<String> EAL_NAMES = List.of("rte_eal", "librte_eal.so.23", "librte_eal.so.24",
            "librte_eal.so.25", "librte_eal.so.26");

    private final Path root;
    private final IntSupplier effectiveUid;
    private final BooleanSupplier dpdkLibrariesPresent;

    public Preflight(Path root, IntSupplier effectiveUid, BooleanSupplier dpdkLibrariesPresent) {
        this.root = root;
        this.effectiveUid = effectiveUid;
        this.dpdkLibrariesPresent = dpdkLibrariesPresent;
    }

    /** Checks this machine. */
    public static Preflight ofThisMachine() {
        return new Preflight(Path.of("/"), Libc.INSTANCE::geteuid, Preflight::canLoadEal);
    }

    /*
     * JNA finds versioned sonames (librte_eal.so.23) too, so this needs no -dev package; but its
     * own search knows arm64's /usr/lib/aarch64-linux-gnu only from an ld.so cache (it takes
     * aarch64 for arm-linux-gnueabi). The dynamic linker, asked for a soname, looks where it will
     * look for the shim's: those of the DPDK releases this builds against, 22.11 to 25.11.
     */
    private static boolean canLoadEal() {
        for (String name : EAL_NAMES) {
            try {
                NativeLibrary.getInstance(name);
                return true;
            } catch (UnsatisfiedLinkError e) {
                // the next name
            }
        }
        return false;
    }

    /** One thing in the way, and what fixes it. */
    public record Problem(String cause, String fix) {
        @Override
        public String toString() {
            return cause + ": " + fix;
        }
    }

    /** Throws a {@link DpdkException} that lists every problem found for these EAL arguments. */
    public void require(List<String> ealArgs) {
        List<Problem> problems = check(ealArgs);
        if (!problems.isEmpty()) {
            StringBuilder detail = new StringBuilder();
            for (Problem problem : problems) {
                detail.append(detail.length() == 0 ? "" : "; ").append(problem);
            }
            throw new DpdkException("check the environment for DPDK", detail.toString(), null);
        }
    }

    /** Every problem found for these EAL arguments, empty when there is none; {@link #require} throws them instead. */
    public List<Problem> check(List<String> ealArgs) {
        List<Problem> problems = new ArrayList<>();
        if (!dpdkLibrariesPresent.getAsBoolean()) {
            problems.add(new Problem("DPDK's runtime libraries are not installed (no librte_eal)",
                    "install them (sudo scripts/install_deps.sh, or apt-get install dpdk), or put your own "
                            + "DPDK build's lib directory on LD_LIBRARY_PATH"));
        }
        checkPrivileges(problems);
        if (!ealArgs.contains("--no-huge")) {
            checkHugepages(problems, ealArgs.contains("--in-memory"));
        }
        checkFilePrefixFree(problems, ealArgs);
        checkVhostSockets(problems, ealArgs);
        checkAfPacketMtu(problems, ealArgs);
        checkPciDevicesFree(problems, ealArgs);
        return problems;
    }

    /*
     * With shared memory, a primary holds a write lock on its runtime directory's config file for
     * as long as it runs; a second primary on the same --file-prefix fails inside rte_eal_init
     * with words about locks. Found here, it is named with what to change.
     */
    private void checkFilePrefixFree(List<Problem> problems, List<String> ealArgs) {
        if (ealArgs.contains("--in-memory") || ealArgs.contains("--no-shconf")) {
            return; // no shared configuration: prefixes cannot collide
        }
        List<String> prefixes = EalArguments.optionValues(ealArgs, "--file-prefix", null);
        String prefix = prefixes.isEmpty() ? "rte" : prefixes.get(prefixes.size() - 1);
        Path config = runtimeBase().resolve(prefix).resolve("config");
        if (!Files.exists(config)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(config, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            if (lock == null) {
                problems.add(new Problem("another DPDK primary process runs with --file-prefix=" + prefix
                        + " (it holds " + config + ")", "stop it, or give this process another --file-prefix"));
            }
        } catch (IOException | OverlappingFileLockException unreadable) {
            // not ours to judge: rte_eal_init will say
        }
    }

    /* Where EAL keeps runtime directories: /var/run/dpdk for root, else under XDG_RUNTIME_DIR or /tmp. */
    private Path runtimeBase() {
        if (effectiveUid.getAsInt() == 0) {
            return root.resolve("var/run/dpdk");
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg != null ? Path.of(xdg, "dpdk") : root.resolve("tmp/dpdk");
    }

    /*
     * Nothing stops a second process from driving a NIC through uio_pci_generic: both would
     * reset the device and write its rings, and each would corrupt the other's traffic. (vfio
     * refuses a second open with EBUSY, in words few users connect with the cause.) A device on
     * the allow list that another process holds open is refused, naming that process.
     */
    private void checkPciDevicesFree(List<Problem> problems, List<String> ealArgs) {
        for (String device : allowedPciDevices(ealArgs)) {
            Path sysfs = root.resolve("sys/bus/pci/devices").resolve(device);
            List<String> deviceFiles = new ArrayList<>();
            try (DirectoryStream<Path> uio = Files.newDirectoryStream(sysfs.resolve("uio"), "uio*")) {
                uio.forEach(dir -> deviceFiles.add("/dev/" + dir.getFileName()));
            } catch (IOException notUio) {
                // not on uio_pci_generic
            }
            try {
                deviceFiles.add("/dev/vfio/" + Files.readSymbolicLink(sysfs.resolve("iommu_group")).getFileName());
            } catch (IOException noIommuGroup) {
                // no IOMMU
            }
            List<String> holders = processesHolding(deviceFiles);
            if (!holders.isEmpty()) {
                problems.add(new Problem(device + " is in use by " + String.join(", ", holders),
                        "stop that process first (two processes driving one NIC corrupt each other's rings), "
                                + "or name another device with -a"));
            }
        }
    }

    /* The PCI addresses given with -a/--allow, domain added where omitted, device arguments cut off. */
    private static List<String> allowedPciDevices(List<String> ealArgs) {
        List<String> devices = new ArrayList<>();
        for (String value : EalArguments.optionValues(ealArgs, "--allow", "-a")) {
            String address = value.split(",", 2)[0].toLowerCase(Locale.ROOT);
            if (address.matches("[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]")) {
                address = "0000:" + address;
            }
            if (address.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]")) {
                devices.add(address);
            }
        }
        return devices;
    }

    /* "PID (name)" of every other process with one of these device files open. */
    private List<String> processesHolding(List<String> deviceFiles) {
        List<String> holders = new ArrayList<>();
        if (deviceFiles.isEmpty()) {
            return holders;
        }
        String self = String.valueOf(ProcessHandle.current().pid());
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(root.resolve("proc"), "[0-9]*")) {
            for (Path process : processes) {
                String pid = process.getFileName().toString();
                if (!pid.equals(self) && holdsAny(process.resolve("fd"), deviceFiles)) {
                    holders.add(pid + " (" + String.join("", readLines(process.resolve("comm"))).trim() + ")");
                }
            }
        } catch (IOException e) {
            return holders;
        }
        return holders;
    }

    private static boolean holdsAny(Path fdDir, List<String> deviceFiles) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (deviceFiles.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we looked
                }
            }
        } catch (IOException notOurs) {
            // another user's process, or it exited
        }
        return false;
    }

    /*
     * net_af_packet copies each frame into a ring slot of framesz bytes (2048 unless given),
     * after the kernel's 66 bytes of tpacket2 header and padding, and passes a longer frame on
     * cut short: an echo would send back a frame that was never sent. The interface's MTU must
     * keep frames within the slot.
     */
    private void checkAfPacketMtu(List<Problem> problems, List<String> ealArgs) {
        for (Vdev vdev : Vdev.ofDriver(ealArgs, "net_af_packet", "eth_af_packet")) {
            String iface = vdev.arg("iface").orElse(null);
            Path mtuFile = iface == null ? null : root.resolve("sys/class/net").resolve(iface).resolve("mtu");
            if (mtuFile == null || !Files.isReadable(mtuFile)) {
                continue; // the PMD names a missing interface itself
            }
            long slot;
            long mtu;
            try {
                slot = Long.parseLong(vdev.arg("framesz").orElse("2048")) - AF_PACKET_SLOT_OVERHEAD;
                mtu = readLong(mtuFile);
            } catch (IOException | NumberFormatException e) {
                continue; // a bad framesz is the PMD's to refuse
            }
            if (mtu + ETHERNET_HEADER > slot) {
                problems.add(new Problem(iface + " has MTU " + mtu + ", so frames of up to " + (mtu + ETHERNET_HEADER)
                        + " bytes, and net_af_packet's ring holds " + slot + ": it would echo longer frames cut "
                        + "short", "lower the MTU to at most " + (slot - ETHERNET_HEADER) + " (ip link set " + iface
                        + " mtu 1500)"));
            }
        }
    }

    /*
     * A net_vhost server whose bind fails still unlinks its socket path when it closes: started
     * on the socket of a running server, it would cut that server off from new peers. So it is
     * refused here, before EAL touches the path. Only this network namespace's sockets show.
     */
    private void checkVhostSockets(List<Problem> problems, List<String> ealArgs) {
        List<String> unixSockets = readLines(root.resolve("proc/net/unix"));
        for (Vdev vdev : Vdev.ofDriver(ealArgs, "net_vhost", "eth_vhost")) {
            String path = vdev.arg("iface").orElse(null);
            if (path == null || vdev.arg("client").equals(Optional.of("1"))
                    || !Files.exists(path.startsWith("/") ? root.resolve(path.substring(1)) : Path.of(path))) {
                continue;
            }
            if (isListening(unixSockets, path)) {
                problems.add(new Problem("the vhost-user socket " + path + " is served by another process",
                        "stop that process, or give iface= another path"));
            } else {
                problems.add(new Problem(path + " exists and nothing listens on it (left by a process that "
                        + "crashed?)", "remove it if no process of another network namespace serves it, or give "
                        + "iface= another path"));
            }
        }
    }

    /* /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path"; flag 0x10000 is a listening socket. */
    private static boolean isListening(List<String> unixSockets, String path) {
        for (String line : unixSockets) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 8 && fields[7].equals(path)
                    && (Long.parseLong(fields[3], 16) & 0x10000) != 0) {
                return true;
            }
        }
        return false;
    }

    private void checkPrivileges(List<Problem> problems) {
        if (effectiveUid.getAsInt() == 0) {
            return;
        }
        long effective = effectiveCapabilities();
        List<String> missing = new ArrayList<>();
        if ((effective & (1L << CAP_SYS_ADMIN)) == 0) {
            missing.add("CAP_SYS_ADMIN");
        }
        if ((effective & (1L << CAP_IPC_LOCK)) == 0) {
            missing.add("CAP_IPC_LOCK");
        }
        if ((effective & (1L << CAP_NET_RAW)) == 0) {
            missing.add("CAP_NET_RAW");
        }
        if (!missing.isEmpty()) {
            problems.add(new Problem("not running as root (missing " + String.join(", ", missing) + ")",
                    "run as root (sudo), or grant the capabilities: setcap cap_sys_admin,cap_ipc_lock,"
                            + "cap_net_raw+ep on the java binary"));
        }
    }

    private long effectiveCapabilities() {
        for (String line : readLines(root.resolve("proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
            }
        }
        return 0;
    }

    private void checkHugepages(List<Problem> problems, boolean inMemory) {
        long freeBytes = 0;
        long totalPages = 0;
        Path sizes = root.resolve("sys/kernel/mm/hugepages");
        if (Files.isDirectory(sizes)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sizes, "hugepages-*kB")) {
                for (Path dir : dirs) {
                    String name = dir.getFileName().toString();
                    long pageKb = Long.parseLong(name.substring("hugepages-".length(), name.length() - 2));
                    totalPages += readLong(dir.resolve("nr_hugepages"));
                    freeBytes += readLong(dir.resolve("free_hugepages")) * pageKb * 1024;
                }
            } catch (IOException e) {
                problems.add(new Problem("cannot read " + sizes + " (" + e.getMessage() + ")",
                        "check that sysfs is mounted"));
                return;
            }
        }
        if (totalPages == 0) {
            problems.add(new Problem("no hugepages are reserved",
                    "run sudo scripts/setup_env.sh (or echo 512 > /proc/sys/vm/nr_hugepages), "
                            + "or pass --no-huge for a functional test"));
            return;
        }
        if (freeBytes == 0) {
            problems.add(new Problem("all " + totalPages + " hugepages are in use",
                    "stop the DPDK process holding them, remove stale files from the hugetlbfs "
                            + "mount, or reserve more with sudo scripts/setup_env.sh --pages N"));
        }
        // --in-memory maps anonymous hugepages and needs no hugetlbfs mount.
        if (!inMemory && !hasHugetlbfsMount()) {
            problems.add(new Problem("no hugetlbfs is mounted",
                    "run sudo scripts/setup_env.sh (mounts /dev/hugepages), or pass --in-memory"));
        }
    }

    private boolean hasHugetlbfsMount() {
        for (String line : readLines(root.resolve("proc/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 2 && fields[2].equals("hugetlbfs")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long readLong(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).trim());
    }
}
