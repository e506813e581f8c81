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
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real NIC path end to end: {@code scripts/nic-lab.sh} boots a QEMU guest with emulated PCI
 * NICs (virtio-net with two queue pairs, single-queue virtio-net, e1000e, and virtio-net behind a
 * virtual IOMMU), binds them with our scripts to uio_pci_generic and vfio-pci, runs l2echo and
 * l2multi on them, and checks every echo from the host with this module's l2gen; on Debian
 * x86-64 hosts the same in an arm64 guest too. Skipped only where QEMU cannot run at all.
 */
@Tag("dpdk")
class NicLabIT {
    private static final Duration LAB_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration ARM64_LAB_TIMEOUT = Duration.ofMinutes(25);
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

    /* The same steps on arm64, behind the virt machine's SMMUv3 instead of intel-iommu. */
    private static final List<String> KEY_STEPS_ARM64 = KEY_STEPS.stream()
            .map(step -> step.replace("behind intel-iommu", "behind the SMMUv3")).toList();

    @Test
    void everyStepOfTheGuestLabPassesAndTheLabLeavesNothingBehind() throws IOException {
        Assumptions.assumeTrue(onPath("qemu-system-x86_64"),
                "QEMU cannot run here: no qemu-system-x86_64 (scripts/install_deps.sh installs it)");
        runLab(List.of(), LAB_TIMEOUT, KEY_STEPS, Path.of("target", "nic-lab-logs"));
    }

    /*
     * Debian's arm64 kernel, OpenJDK and DPDK in an arm64 guest under TCG, the root unpacked by
     * the lab itself; the apps' jars carry the aarch64 shim (-Dnative.crossArm64, which the test
     * command gives on Debian x86-64 hosts, where it installs what this needs).
     */
    @Test
    void everyStepOfTheArm64GuestLabPassesAndTheLabLeavesNothingBehind() throws IOException {
        Assumptions.assumeTrue(onPath("qemu-system-aarch64") && onPath("mmdebstrap"), "the arm64 lab cannot run here: "
                + "no qemu-system-aarch64 or mmdebstrap (scripts/install_deps.sh --arm64-lab)");
        try (ZipFile jar = new ZipFile(Path.of("..", "l2echo-app", "target", "l2echo.jar").toFile())) {
            Assumptions.assumeTrue(jar.getEntry("META-INF/native/linux-aarch64/libdpdkj.so") != null,
                    "the jars carry no aarch64 shim (built without -Dnative.crossArm64)");
        }
        runLab(List.of("--arch", "arm64"), ARM64_LAB_TIMEOUT, KEY_STEPS_ARM64, Path.of("target", "nic-lab-arm64-logs"));
    }

    private static void runLab(List<String> arguments, Duration timeout, List<String> keySteps, Path logDirectory)
            throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "QEMU cannot run here: no /dev/net/tun");
        Path script = VethBed.findScript(Path.of("").toAbsolutePath()).resolveSibling("nic-lab.sh");
        Path logs = logDirectory.toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(arguments);
        command.addAll(List.of("--logs", logs.toString()));

        String output;
        OptionalInt status;
        try (ChildProcess lab = ChildProcess.start(command)) {
            status = lab.awaitExit(timeout);
            output = lab.output();
        }
        System.out.println(output);
        assertTrue(status.isPresent(), () -> "the lab did not end within " + timeout + ":\n" + output);
        // A JVM that died on a signal is reported first, as what it is, not as a failed check.
        List<String> crashes = output.lines().filter(line -> line.contains("] CRASH ")).toList();
        assertTrue(crashes.isEmpty(), () -> "a JVM crashed in the lab (its hs_err report is in " + logs + "):\n"
                + String.join("\n", crashes) + "\n\n" + output);
        assertEquals(0, status.getAsInt(), () -> "the lab failed (logs in " + logs + "):\n" + output);

        Matcher summary = SUMMARY.matcher(output);
        assertTrue(summary.find(), output);
        assertEquals("0", summary.group(2), output);
        for (String step : keySteps) {
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

    /*
     * The arm64 lab takes longer than the test command may (docs/real-nic.md says how long and
     * when it last passed); what it refuses, it refuses before it touches anything.
     */
    @Test
    void theArm64LabRefusesWhatItCannotRunBeforeTouchingAnything() throws IOException {
        Path script = VethBed.findScript(Path.of("").toAbsolutePath()).resolveSibling("nic-lab.sh");
        record Refusal(List<String> arguments, String says) {
        }
        List<Refusal> refusals = List.of(
                new Refusal(List.of("--arch", "sparc"), "--arch must be x86_64 or arm64 (got 'sparc')"),
                new Refusal(List.of("--arch", "arm64", "--scenario", "latency", "--results", "/dev/null"),
                        "the latency scenario runs on x86_64 only"),
                new Refusal(List.of("--arch", "arm64", "--accel", "kvm"), "KVM needs an arm64 host"),
                new Refusal(List.of("--guest-root", "/"), "--guest-root is for --arch arm64"),
                new Refusal(List.of("--arch", "arm64", "--guest-root", "/proc"),
                        "'/proc' is not a root made by scripts/lab/arm64_root.sh"));
        String before = Processes.run(Duration.ofSeconds(10), "ip", "netns", "list").requireSuccess().output();
        for (Refusal refusal : refusals) {
            List<String> command = new ArrayList<>(List.of("bash", script.toString()));
            command.addAll(refusal.arguments());
            Processes.Result result = Processes.run(Duration.ofSeconds(30), command);
            assertEquals(2, result.exitCode(), result::toString);
            assertTrue(result.output().contains(refusal.says()), () -> refusal.says() + " in:\n" + result.output());
        }
        assertEquals(before, Processes.run(Duration.ofSeconds(10), "ip", "netns", "list").requireSuccess().output(),
                "no namespace made");
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
