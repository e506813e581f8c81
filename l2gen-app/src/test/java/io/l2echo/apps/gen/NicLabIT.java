package io.l2echo.apps.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.ChildProcess;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.VethBed;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real NIC path end to end: {@code scripts/nic-lab.sh} boots a QEMU guest with emulated PCI
 * NICs (virtio-net with two queue pairs, single-queue virtio-net, e1000e, and virtio-net behind a
 * virtual IOMMU), binds them with our scripts to uio_pci_generic and vfio-pci, runs l2echo and
 * l2multi on them, and checks every echo from the host with this module's l2gen. Skipped only
 * where QEMU cannot run at all.
 */
@Tag("dpdk")
class NicLabIT {
    private static final Duration LAB_TIMEOUT = Duration.ofMinutes(15);
    private static final Pattern SUMMARY = Pattern.compile("(?m)^nic-lab: (\\d+) passed, (\\d+) failed$");
    private static final Pattern WORK_DIR = Pattern.compile("work directory (\\S+), namespace (\\S+)");

    /* One step each scenario cannot pass without its NIC, driver and app really working. */
    private static final List<String> KEY_STEPS = List.of(
            "[uio] PASS virtio-net mq=on: bind_nic.sh binds 0000:00:10.0 to uio_pci_generic",
            "[uio] PASS virtio-net mq=on: a second l2echo on 0000:00:10.0 is refused, naming the first",
            "[vfio] PASS virtio-net mq=on behind intel-iommu: a second l2multi on 0000:00:13.0 is refused, naming the first",
            "[uio] PASS virtio-net mq=on: 2000 frames over 1 flow(s) echoed exactly once, MACs swapped, payload intact",
            "[uio] PASS virtio-net mq=on: RSS spread the flows over all 2 queues",
            "[uio] PASS virtio-net single queue: l2multi asking for 2 queues names the limit and mq=on",
            "[uio] PASS e1000e: l2echo received exactly the frames the host sent",
            "[uio] PASS e1000e: kernel driver answers ping again",
            "[vfio] PASS virtio-net mq=on behind intel-iommu: bind_nic.sh binds 0000:00:13.0 to vfio-pci",
            "[vfio] PASS virtio-net mq=on behind intel-iommu: RSS spread the flows over all 2 queues",
            "[vfio] PASS virtio-net mq=on behind intel-iommu: ping gets 100% loss (the kernel never sees the frames)");

    @Test
    void everyStepOfTheGuestLabPassesAndTheLabLeavesNothingBehind() throws IOException {
        Assumptions.assumeTrue(onPath("qemu-system-x86_64"),
                "QEMU cannot run here: no qemu-system-x86_64 (scripts/install_deps.sh installs it)");
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "QEMU cannot run here: no /dev/net/tun");
        Path script = VethBed.findScript(Path.of("").toAbsolutePath()).resolveSibling("nic-lab.sh");
        Path logs = Path.of("target", "nic-lab-logs").toAbsolutePath();

        String output;
        OptionalInt status;
        try (ChildProcess lab = ChildProcess.start(List.of("bash", script.toString(), "--logs", logs.toString()))) {
            status = lab.awaitExit(LAB_TIMEOUT);
            output = lab.output();
        }
        System.out.println(output);
        assertTrue(status.isPresent(), () -> "the lab did not end within " + LAB_TIMEOUT + ":\n" + output);
        // A JVM that died on a signal is reported first, as what it is, not as a failed check.
        List<String> crashes = output.lines().filter(line -> line.contains("] CRASH ")).toList();
        assertTrue(crashes.isEmpty(), () -> "a JVM crashed in the lab (its hs_err report is in " + logs + "):\n"
                + String.join("\n", crashes) + "\n\n" + output);
        assertEquals(0, status.getAsInt(), () -> "the lab failed (logs in " + logs + "):\n" + output);

        Matcher summary = SUMMARY.matcher(output);
        assertTrue(summary.find(), output);
        assertEquals("0", summary.group(2), output);
        for (String step : KEY_STEPS) {
            assertTrue(output.contains("nic-lab: " + step + " ("), () -> "missing step '" + step + "':\n" + output);
        }

        Matcher work = WORK_DIR.matcher(output);
        assertTrue(work.find(), output);
        assertFalse(Files.exists(Path.of(work.group(1))), "the work directory is removed");
        String namespaces = Processes.run(Duration.ofSeconds(10), "ip", "netns", "list").requireSuccess().output();
        assertFalse(namespaces.contains(work.group(2)), "the namespace is removed: " + namespaces);
        String links = Processes.run(Duration.ofSeconds(10), "ip", "-o", "link", "show").requireSuccess().output();
        assertFalse(links.contains("labtap"), "no tap is left: " + links);
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
