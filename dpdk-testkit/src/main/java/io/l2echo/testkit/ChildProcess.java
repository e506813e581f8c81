package io.l2echo.testkit;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A process started by a test, with its stdout and stderr captured together, stopped by a
 * signal and waited for within bounds, and killed if the JVM exits first.
 *
 * <p>Its stdin stays an open pipe until the process is stopped: {@code dpdk-testpmd} without
 * {@code -i} forwards until it reads end-of-file there, so a closed stdin would end it at once.
 * {@link #close()} sends SIGINT and, after {@link #DEFAULT_STOP_GRACE}, SIGKILL.
 */
public final class ChildProcess implements AutoCloseable {

    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

    /** Keeps a runaway child's output from filling the heap; the tail is what explains a failure. */
    private static final int MAX_OUTPUT_CHARS = 1 << 20;
    private static final long READER_JOIN_MILLIS = 2_000;
    private static final long KILL_WAIT_SECONDS = 5;

    private final List<String> command;
    private final Process process;
    private final StringBuilder output = new StringBuilder();
    private long droppedChars;
    /** Set, under the output lock, once the output reached end-of-file: the reader thread may not have ended yet. */
    private boolean outputEnded;
    private final Thread reader;
    private final Thread killOnExit;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChildProcess(List<String> command, Process process) {
        this.command = List.copyOf(command);
        this.process = process;
        this.reader = new Thread(this::readOutput, "child-output-" + process.pid());
        this.reader.setDaemon(true);
        this.killOnExit = new Thread(() -> destroyTree(process), "child-kill-" + process.pid());
    }

    /** Starts {@code command} with the JVM's environment and working directory. */
    public static ChildProcess start(List<String> command) throws IOException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ChildProcess child = new ChildProcess(command, process);
        child.reader.start();
        try {
            Runtime.getRuntime().addShutdownHook(child.killOnExit);
        } catch (IllegalStateException shutdownUnderWay) {
            // Started by another shutdown hook (a bed's 'down'), which waits for it anyway.
        }
        return child;
    }

    public long pid() {
        return process.pid();
    }

    public List<String> command() {
        return command;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process wrote so far, stdout and stderr interleaved as they arrived (the last MiB). */
    public String output() {
        synchronized (output) {
            return droppedChars == 0 ? output.toString() : "[" + droppedChars + " earlier chars dropped]\n" + output;
        }
    }

    /** The last {@code maxLines} lines of {@link #output()}, for assertion messages. */
    public String outputTail(int maxLines) {
        String all = output();
        if (all.isEmpty()) {
            return all;
        }
        int start = all.endsWith("\n") ? all.length() - 1 : all.length();
        for (int lines = 0; lines < maxLines && start > 0; lines++) {
            start = all.lastIndexOf('\n', start - 1);
            if (start < 0) {
                return all;
            }
        }
        return all.substring(start + 1);
    }

    /**
     * Waits until the output contains {@code text}, e.g. a readiness line.
     *
     * @return false if the process exited or the timeout passed first
     */
    public boolean awaitOutput(String text, Duration timeout) throws InterruptedIOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (output.indexOf(text) < 0) {
                long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0 || outputEnded) {
                    return output.indexOf(text) >= 0;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(output, remainingNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for '" + text + "' from " + this);
                }
            }
            return true;
        }
    }

    /** The exit status (128 + n after signal n), once the process has exited and its output is read. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedIOException {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return OptionalInt.empty();
            }
            reader.join(READER_JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + this + " to exit");
        }
        return OptionalInt.of(process.exitValue());
    }

    /**
     * Sends {@code signal} and waits up to {@code grace} for the process to exit.
     *
     * @return the exit status
     * @throws IOException if it had to be killed with SIGKILL (it was, with its descendants)
     */
    public int stop(Processes.Signal signal, Duration grace) throws IOException {
        if (process.isAlive()) {
            Processes.signal(process.pid(), signal);
        }
        OptionalInt exit = awaitExit(grace);
        if (exit.isPresent()) {
            return exit.getAsInt();
        }
        boolean reaped = killTree();
        throw new IOException(this + " did not exit within " + grace.toMillis() + " ms of SIG" + signal
                + (reaped ? "; killed with SIGKILL" : "; SIGKILL sent, still not reaped")
                + ". Last output:\n" + outputTail(40));
    }

    /**
     * Stops the process with SIGINT if it still runs (SIGKILL after the grace period);
     * idempotent. An interrupted caller (a harness being stopped) still waits for the stop; its
     * interrupt is kept for after.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Cleanup.completely(() -> {
            try {
                if (process.isAlive()) {
                    stop(Processes.Signal.INT, DEFAULT_STOP_GRACE);
                }
            } finally {
                process.getOutputStream().close();
            }
        }, killOnExit);
    }

    @Override
    public String toString() {
        return "process " + process.pid() + " (" + String.join(" ", command) + ")";
    }

    /** End-of-file on stdin, for commands that would otherwise wait for input. */
    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * SIGKILL to the process and every descendant (a script's children hold the output pipe too).
     *
     * @return whether the process was reaped within a few seconds
     */
    boolean killTree() throws InterruptedIOException {
        destroyTree(process);
        return awaitExit(Duration.ofSeconds(KILL_WAIT_SECONDS)).isPresent();
    }

    private void readOutput() {
        char[] chunk = new char[8192];
        try (Reader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                synchronized (output) {
                    output.append(chunk, 0, n);
                    int excess = output.length() - MAX_OUTPUT_CHARS;
                    if (excess > 0) {
                        output.delete(0, excess);
                        droppedChars += excess;
                    }
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.append("\n[reading output failed: ").append(e).append("]\n");
            }
        } finally {
            synchronized (output) {
                outputEnded = true;
                output.notifyAll();
            }
        }
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
