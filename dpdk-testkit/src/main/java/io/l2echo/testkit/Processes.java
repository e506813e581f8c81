package io.l2echo.testkit;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Short commands with a timeout, signals by pid, and command lines for child JVMs. */
public final class Processes {

    /** The signals a test sends; numbers as on every Linux architecture. */
    public enum Signal {
        INT(2), KILL(9), TERM(15);

        private final int number;

        Signal(int number) {
            this.number = number;
        }

        public int number() {
            return number;
        }
    }

    /**
     * A finished command.
     *
     * @param output stdout and stderr, interleaved as they arrived
     */
    public record Result(List<String> command, int exitCode, String output) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        /** This result if the command exited 0, else an IOException naming the command, its status and output. */
        public Result requireSuccess() throws IOException {
            if (!succeeded()) {
                throw new IOException("'" + String.join(" ", command) + "' exited " + exitCode
                        + (output.isBlank() ? " without output" : ":\n" + output.strip()));
            }
            return this;
        }
    }

    private Processes() {
    }

    public static Result run(Duration timeout, String... command) throws IOException {
        return run(timeout, List.of(command));
    }

    /**
     * Runs {@code command} to completion with stdin at end-of-file.
     *
     * @throws IOException if it cannot start, or runs past {@code timeout} (it is then killed with its descendants)
     */
    public static Result run(Duration timeout, List<String> command) throws IOException {
        try (ChildProcess child = ChildProcess.start(command)) {
            child.closeStdin();
            OptionalInt exit = child.awaitExit(timeout);
            if (exit.isPresent()) {
                return new Result(child.command(), exit.getAsInt(), child.output());
            }
            child.killTree();
            throw new IOException("'" + String.join(" ", command) + "' ran past its " + timeout.toMillis()
                    + " ms timeout and was killed with its descendants. Output:\n" + child.outputTail(40));
        }
    }

    /**
     * Sends {@code signal} to process {@code pid} with kill(2). Send only to processes this JVM
     * started.
     *
     * @return false if there is no such process (it has exited already)
     */
    public static boolean signal(long pid, Signal signal) throws IOException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            // kill(0) and kill(-n) would signal whole process groups.
            throw new IllegalArgumentException("not a single process id: " + pid);
        }
        if (LibC.kill((int) pid, signal.number()) == 0) {
            return true;
        }
        if (Native.getLastError() == LibC.ESRCH) {
            return false;
        }
        throw new IOException(LibC.lastError("kill(" + pid + ", SIG" + signal + ")"));
    }

    /**
     * {@code command} behind {@code env --default-signal=INT,TERM} (GNU coreutils 8.31+). A JVM
     * started from a non-interactive shell or service may inherit SIGINT as ignored, and a JVM
     * never installs handlers for signals ignored at its start: its child could then not be
     * stopped with SIGINT at all.
     */
    public static List<String> withDefaultSignals(List<String> command) {
        List<String> full = new ArrayList<>(command.size() + 2);
        full.add("env");
        full.add("--default-signal=INT,TERM");
        full.addAll(command);
        return full;
    }

    /** {@code java [jvmOptions] -jar jar [arguments]} with the running JVM's launcher, SIGINT and SIGTERM reset to default. */
    public static List<String> javaJar(Path jar, List<String> jvmOptions, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(currentJava().toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(arguments);
        return withDefaultSignals(command);
    }

    /** The {@code java} launcher of the running JVM, so child JVMs match the test's Java version. */
    public static Path currentJava() {
        return ProcessHandle.current().info().command()
                .map(Path::of)
                .filter(path -> path.getFileName().toString().equals("java") && Files.isExecutable(path))
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java"));
    }
}
