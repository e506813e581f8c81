package io.l2echo.apps.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.testkit.DpdkFixture;
import io.l2echo.testkit.EchoAppProcess;
import io.l2echo.testkit.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a user can get wrong at start-up and shutdown, as rows of docs/failure-modes.md: each
 * ends with its message, its exit status and nothing left behind (hugepage files, EAL's
 * runtime directory, vhost-user sockets).
 */
@Tag("dpdk")
class L2EchoMisuseIT {
    private static final Path JAR = Path.of("target", "l2echo.jar");

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    @ParameterizedTest
    @EnumSource(value = Processes.Signal.class, names = {"INT", "TERM"})
    void aSignalDuringStartUpStopsCleanlyOnceRunning(Processes.Signal signal) throws IOException {
        String prefix = dpdk.filePrefix();
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=net_null0", "--file-prefix=" + prefix), List.of("--stats-interval", "0")));
        // EAL prints while rte_eal_init runs: the handlers are in place by then, the echo not yet up.
        assertTrue(echo.awaitOutput("EAL:", EchoAppProcess.START_TIMEOUT), () -> echo.outputTail(20));
        assertEquals(0, echo.stopWith(signal), () -> echo.outputTail(20));
        assertTrue(echo.output().contains("SIG" + signal + " received, stopping"), () -> echo.outputTail(20));
        assertTrue(echo.output().contains("final: rx "), () -> "final totals:\n" + echo.outputTail(20));
    }

    /* Ctrl-C twice: the second must not cut the clean stop short (ShutdownSignalTest checks its message). */
    @Test
    void aSecondSigintWhileStoppingDoesNotCutTheStopShort() throws IOException, InterruptedException {
        String prefix = dpdk.filePrefix();
        EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=net_null0", "--file-prefix=" + prefix), List.of("--stats-interval", "0")));
        echo.awaitEchoing();
        assertTrue(echo.signal(Processes.Signal.INT));
        assertTrue(echo.awaitOutput("SIGINT received, stopping", Duration.ofSeconds(10)), echo::output);
        echo.signal(Processes.Signal.INT); // false only if the stop was already over
        OptionalInt status = echo.awaitExit(Duration.ofSeconds(20));
        assertEquals(OptionalInt.of(0), status, () -> echo.outputTail(20));
        assertEquals(1, echo.output().split("final: rx ", -1).length - 1, "one set of final totals");
    }

    @Test
    void aVhostUserSocketAnotherProcessServesIsNamedAsTheCause() throws IOException {
        Path socket = Path.of("/tmp", "l2e-it-inuse-" + ProcessHandle.current().pid() + ".sock");
        String firstPrefix = dpdk.filePrefix();
        String secondPrefix = dpdk.filePrefix();
        try (EchoAppProcess owner = EchoAppProcess.start(JAR, List.of("-l", "0", "--no-pci",
                "--vdev=net_vhost0,iface=" + socket, "--file-prefix=" + firstPrefix), List.of("--stats-interval", "0"))) {
            owner.awaitEchoing();
            EchoAppProcess.Exit exit = EchoAppProcess.runToExit(JAR, List.of("-l", "1", "--no-pci",
                    "--vdev=net_vhost0,iface=" + socket, "--file-prefix=" + secondPrefix), List.of());
            assertEquals(1, exit.status(), exit.output());
            assertTrue(exit.output().contains("l2echo: check the environment for DPDK failed: the vhost-user socket "
                    + socket + " is served by another process: stop that process, or give iface= another path"),
                    exit.output());
            assertFalse(exit.output().contains("EAL:"), "refused before EAL touched the socket");
            dpdk.assertNoneLeft(secondPrefix);
            assertTrue(Files.exists(socket), "the owner's socket is left alone");
            assertEquals(0, owner.stopWithSigint(), () -> owner.outputTail(20));
        } finally {
            assertFalse(Files.exists(socket), "the owner removes its socket when it stops");
        }
    }

    @Test
    void moreMemoryThanTheHugepagesHoldSaysHowToReserveMore() throws IOException {
        long reservedMb = reservedHugepageMegabytes();
        EchoAppProcess.Exit exit = EchoAppProcess.runToExitLeavingNothing(JAR, List.of("-l", "0", "--no-pci",
                "--vdev=net_null0", "-m", String.valueOf(reservedMb + 64)), List.of());
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: initialise EAL failed"), exit.output());
        assertTrue(exit.output().contains("ENOMEM"), exit.output());
        assertTrue(exit.output().contains("reserve more (sudo scripts/setup_env.sh --pages N) or ask for less (-m MB)"),
                exit.output());
    }

    @Test
    void aPoolLargerThanTheHugepagesSaysHowToReserveMore() throws IOException {
        // 16 Mi mbufs of about 2 KiB: 36 GB, more than any test machine reserves.
        EchoAppProcess.Exit exit = EchoAppProcess.runToExitLeavingNothing(JAR, List.of("-l", "0", "--no-pci",
                "--vdev=net_null0"), List.of("--mbufs", "16777216"));
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: create mbuf pool echo_pool_p0 failed"), exit.output());
        assertTrue(exit.output().contains("errno 12 ENOMEM"), exit.output());
        assertTrue(exit.output().contains("reserve more (sudo scripts/setup_env.sh --pages N) or ask for fewer mbufs"),
                exit.output());
    }

    @Test
    void aPoolTooSmallForTheDescriptorsSaysWhatItMustHold() throws IOException {
        EchoAppProcess.Exit exit = EchoAppProcess.runToExitLeavingNothing(JAR, List.of("-l", "0", "--no-pci",
                "--vdev=net_null0"), List.of("--mbufs", "1100", "--rx-desc", "2048"));
        assertEquals(1, exit.status(), exit.output());
        assertTrue(exit.output().contains("l2echo: size the mbuf pool of port 0 failed: 1100 mbufs are fewer than the 3488"),
                exit.output());
        assertTrue(exit.output().contains("raise --mbufs to at least 3488"), exit.output());
    }

    @Test
    void captureWithoutAPrefixOrWithPrivateMemoryIsAUsageErrorSayingWhatToChange() throws IOException {
        EchoAppProcess.Exit noPrefix = EchoAppProcess.runToExit(JAR, List.of("-l", "0", "--no-pci",
                "--vdev=net_null0"), List.of("--capturable"));
        assertEquals(2, noPrefix.status(), noPrefix.output());
        assertTrue(noPrefix.output().contains("capture needs --file-prefix=NAME among the EAL options"),
                noPrefix.output());
        EchoAppProcess.Exit inMemory = EchoAppProcess.runToExitLeavingNothing(JAR, List.of("-l", "0", "--no-pci",
                "--vdev=net_null0", "--in-memory"), List.of("--capturable"));
        assertEquals(2, inMemory.status(), inMemory.output());
        assertTrue(inMemory.output().contains("--in-memory keeps them out: leave it out"), inMemory.output());
        assertFalse(inMemory.output().contains("EAL:"), "DPDK never started: " + inMemory.output());
    }

    @Test
    void aSecondEchoOnTheSamePrefixIsNamedAsTheCauseAndTheFirstRunsOn() throws IOException {
        String prefix = dpdk.filePrefix();
        EchoAppProcess first = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
                "--vdev=net_null0", "--file-prefix=" + prefix), List.of("--stats-interval", "0", "--capturable")));
        first.awaitEchoing();
        EchoAppProcess.Exit second = EchoAppProcess.runToExit(JAR, List.of("-l", "0", "--no-pci",
                "--vdev=net_null1", "--file-prefix=" + prefix), List.of("--capturable"));
        assertEquals(1, second.status(), second.output());
        assertTrue(second.output().contains("another DPDK primary process runs with --file-prefix=" + prefix),
                second.output());
        assertTrue(second.output().contains("give this process another --file-prefix"), second.output());
        assertTrue(first.awaitExit(Duration.ofMillis(200)).isEmpty(), "the first echo runs on");
        assertEquals(0, first.stopWithSigint(), () -> first.outputTail(20));
    }

    /* HugePages_Total x Hugepagesize of the default size, from /proc/meminfo. */
    private static long reservedHugepageMegabytes() throws IOException {
        long pages = 0;
        long pageKb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] words = line.split("\\s+");
            if (words[0].equals("HugePages_Total:")) {
                pages = Long.parseLong(words[1]);
            } else if (words[0].equals("Hugepagesize:")) {
                pageKb = Long.parseLong(words[1]);
            }
        }
        return pages * pageKb / 1024;
    }
}
