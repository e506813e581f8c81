package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProcessesTest {

    @Test
    void runCapturesStdoutAndStderrAndTheExitCode() throws IOException {
        Processes.Result result = Processes.run(Duration.ofSeconds(10), "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, result.exitCode());
        assertTrue(result.output().contains("out\n") && result.output().contains("err\n"), result.output());
        IOException failed = assertThrows(IOException.class, result::requireSuccess);
        assertTrue(failed.getMessage().contains("exited 3") && failed.getMessage().contains("err"), failed.getMessage());
    }

    @Test
    void runGivesEndOfFileOnStdin() throws IOException {
        assertEquals("0\n", Processes.run(Duration.ofSeconds(10), "sh", "-c", "wc -c").requireSuccess().output());
    }

    @Test
    void runKillsACommandPastItsTimeout() {
        long start = System.nanoTime();
        IOException timedOut = assertThrows(IOException.class,
                () -> Processes.run(Duration.ofMillis(300), "sh", "-c", "echo started; sleep 30"));
        assertTrue(timedOut.getMessage().contains("300 ms timeout") && timedOut.getMessage().contains("started"),
                timedOut.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "killed, not waited for");
    }

    @Test
    void stopSendsTheSignalAndReportsTheStatus() throws IOException {
        try (ChildProcess child = ChildProcess.start(List.of("sleep", "30"))) {
            assertTrue(child.isAlive());
            assertEquals(128 + 2, child.stop(Processes.Signal.INT, Duration.ofSeconds(5)));
            assertFalse(Processes.signal(child.pid(), Processes.Signal.TERM), "no such process any more");
        }
    }

    @Test
    void stopKillsAProcessThatIgnoresTheSignal() throws IOException {
        try (ChildProcess child = ChildProcess.start(List.of("sh", "-c", "trap '' INT; echo ready; sleep 30"))) {
            assertTrue(child.awaitOutput("ready", Duration.ofSeconds(5)), child.output());
            IOException killed = assertThrows(IOException.class,
                    () -> child.stop(Processes.Signal.INT, Duration.ofMillis(300)));
            assertTrue(killed.getMessage().contains("killed with SIGKILL"), killed.getMessage());
            assertFalse(child.isAlive());
        }
    }

    @Test
    void childKeepsStdinOpenUntilStopped() throws IOException {
        try (ChildProcess child = ChildProcess.start(List.of("sh", "-c", "read line; echo got eof"))) {
            assertEquals(OptionalInt.empty(), child.awaitExit(Duration.ofMillis(300)), "still waiting for input");
        }
    }

    @Test
    void outputTailKeepsTheLastLines() throws IOException {
        try (ChildProcess child = ChildProcess.start(List.of("sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done"))) {
            assertEquals(OptionalInt.of(0), child.awaitExit(Duration.ofSeconds(5)));
            assertEquals("line4\nline5\n", child.outputTail(2));
            assertEquals(child.output(), child.outputTail(10));
        }
    }

    /** A JVM launched from a non-interactive shell may inherit SIGINT ignored; the command line undoes that. */
    @Test
    void withDefaultSignalsUnignoresSigint() throws IOException {
        List<String> showIgnored = List.of("grep", "SigIgn", "/proc/self/status");
        assertTrue(sigintIgnoredIn(showIgnored), "control: the trap does make SIGINT ignored");
        assertFalse(sigintIgnoredIn(Processes.withDefaultSignals(showIgnored)));
    }

    private static boolean sigintIgnoredIn(List<String> showIgnored) throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
        command.addAll(showIgnored);
        String output = Processes.run(Duration.ofSeconds(10), command).requireSuccess().output();
        long ignored = Long.parseLong(output.replace("SigIgn:", "").strip(), 16);
        return (ignored & (1L << (Processes.Signal.INT.number() - 1))) != 0;
    }

    @Test
    void javaJarUsesTheRunningJvm() {
        List<String> command = Processes.javaJar(Path.of("app.jar"), List.of("-Xmx64m"), List.of("--port", "0"));
        Path java = Processes.currentJava();
        assertTrue(Files.isExecutable(java), java.toString());
        assertEquals(List.of("env", "--default-signal=INT,TERM", java.toString(), "-Xmx64m", "-jar", "app.jar", "--port", "0"),
                command);
    }

    @Test
    void refusesToSignalProcessGroups() {
        assertThrows(IllegalArgumentException.class, () -> Processes.signal(0, Processes.Signal.INT));
        assertThrows(IllegalArgumentException.class, () -> Processes.signal(-1, Processes.Signal.KILL));
    }
}
