package io.l2echo.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The far end of the DPDK-to-DPDK test bed: {@code dpdk-testpmd} as a {@code net_vhost}
 * server with N queue pairs on a socket of its own, in {@code flowgen} mode, so it sends
 * many flows on every queue and drains whatever comes back. The app under test attaches as
 * the virtio_user client with {@link #virtioUserEalArgs(int)}.
 *
 * <p>flowgen sends as fast as it can and counts what does not fit as TX-dropped (billions
 * while no peer is attached); it cannot be rate-limited, so keep runs short. Each peer gets
 * its own socket and {@code --file-prefix} (this JVM's pid and a counter), runs with
 * {@code --in-memory}, and {@link #close()} removes the socket and the runtime directory
 * DPDK 22.11 keeps even then.
 *
 * <pre>{@code
 * try (VhostPeer peer = VhostPeer.start(2)) {
 *     // start the app with --no-pci --in-memory --file-prefix=P, peer.virtioUserEalArgs(0)
 *     peer.awaitAttached(Duration.ofSeconds(30));
 *     // ... let it run, stop the app ...
 *     TestpmdTotals totals = peer.stop();
 *     assert totals.idleRxQueues(2).isEmpty();
 * }
 * }</pre>
 */
public final class VhostPeer implements AutoCloseable {

    /**
     * Most queue pairs a virtio peer can use: the vhost library's VHOST_MAX_QUEUE_PAIRS (the
     * PMD's {@code queues} devarg alone accepts more, seen with 129).
     */
    public static final int MAX_QUEUES = 128;

    /** testpmd without {@code -i} prints this once forwarding has started. */
    private static final String READY = "Press enter to exit";
    /** The vhost library's log line when a virtio driver has set the device up (22.11 to 24.11). */
    private static final String ATTACHED = "virtio is now ready for processing";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_AFTER_OUTPUT = Duration.ofSeconds(2);
    /** Leaving {@code --in-memory} takes a moment; a hang is a bug, so bound it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final int MAX_NAME_ATTEMPTS = 100;
    private static final AtomicInteger PEERS = new AtomicInteger();

    private final int queues;
    private final Path socket;
    private final String filePrefix;
    private final Leftovers leftovers;
    private final ChildProcess testpmd;
    private final Thread cleanupOnExit;
    private TestpmdTotals totals;
    private boolean closed;

    private VhostPeer(int queues, Path socket, String filePrefix, Leftovers leftovers, ChildProcess testpmd,
                      Thread cleanupOnExit) {
        this.queues = queues;
        this.socket = socket;
        this.filePrefix = filePrefix;
        this.leftovers = leftovers;
        this.testpmd = testpmd;
        this.cleanupOnExit = cleanupOnExit;
    }

    /** A peer with {@code queues} queue pairs and the {@link Builder}'s other defaults, forwarding when this returns. */
    public static VhostPeer start(int queues) throws IOException {
        return builder().queues(queues).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int queues() {
        return queues;
    }

    /** The vhost-user socket testpmd listens on. */
    public Path socketPath() {
        return socket;
    }

    /** testpmd's {@code --file-prefix}, to check for leftovers. */
    public String filePrefix() {
        return filePrefix;
    }

    public long pid() {
        return testpmd.pid();
    }

    public boolean isRunning() {
        return testpmd.isAlive();
    }

    /** The virtio_user vdev that attaches to this peer with all its queues, e.g. {@code virtio_user0,path=/tmp/...,queues=2}. */
    public String virtioUserVdev(int portIndex) {
        return "virtio_user" + portIndex + ",path=" + socket + ",queues=" + queues;
    }

    /**
     * The EAL arguments of the attaching side besides its own {@code --no-pci --in-memory
     * --file-prefix}: the vdev, and {@code --single-file-segments}, without which virtio_user
     * fails with "Too many memory regions".
     */
    public List<String> virtioUserEalArgs(int portIndex) {
        return List.of("--vdev=" + virtioUserVdev(portIndex), "--single-file-segments");
    }

    /**
     * Waits until a virtio driver has set the device up. Its queues carry traffic once the
     * driver starts polling them, which may be a moment later.
     *
     * @return false if the timeout passed or testpmd exited first
     */
    public boolean awaitAttached(Duration timeout) throws IOException {
        return testpmd.awaitOutput(ATTACHED, timeout);
    }

    /** testpmd's output so far (stdout and stderr), for assertion messages. */
    public String outputTail(int maxLines) {
        return testpmd.outputTail(maxLines);
    }

    /**
     * Stops testpmd with SIGINT, removes what it left, and returns its final statistics.
     * Stop the attached side first: the peer's counts are final only once nothing comes in.
     * Calling it again returns the same totals.
     *
     * @throws IOException if testpmd had to be killed, failed, or printed no final statistics
     */
    public synchronized TestpmdTotals stop() throws IOException {
        if (totals != null) {
            return totals;
        }
        if (closed) {
            throw new IllegalStateException(this + " was closed before it was stopped: its totals are gone");
        }
        int status;
        try {
            status = testpmd.stop(Processes.Signal.INT, STOP_GRACE);
        } finally {
            removeLeftovers();
        }
        // Debian's 22.11 build exits 0 after SIGINT; other releases re-raise the signal after cleanup.
        if (status != 0 && status != 128 + Processes.Signal.INT.number()) {
            throw new IOException("testpmd (" + this + ") ended with status " + status
                    + ", not 0 or 130 as after SIGINT: it failed or was killed. Last output:\n"
                    + testpmd.outputTail(40));
        }
        try {
            totals = TestpmdTotals.parse(testpmd.output());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage() + ". Last output:\n" + testpmd.outputTail(40), e);
        }
        return totals;
    }

    /** Stops testpmd if it still runs (SIGINT, then SIGKILL) and removes the socket and its runtime directory; idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Cleanup.completely(() -> {
            try {
                testpmd.close();
            } finally {
                removeLeftovers();
            }
        }, cleanupOnExit);
    }

    @Override
    public String toString() {
        return "VhostPeer[" + socket + ", " + queues + " queue(s), file prefix " + filePrefix + ", pid "
                + testpmd.pid() + "]";
    }

    /**
     * testpmd unlinks its socket on a clean exit, not when killed. The runtime directory stays
     * either way; with {@code --in-memory} there are no hugepage files to remove.
     */
    private void removeLeftovers() throws IOException {
        Files.deleteIfExists(socket);
        leftovers.remove();
    }

    /** Settings of a peer; {@link #start()} starts it. */
    public static final class Builder {
        private int queues = 1;
        private int flows = 64;
        private int mainCpu = 0;
        private int forwardingCpu = Runtime.getRuntime().availableProcessors() - 1;
        private int mbufs = 16384;
        private Path testpmd;

        private Builder() {
        }

        /** Queue pairs on the vhost port (1..{@value #MAX_QUEUES}), one flowgen stream each. */
        public Builder queues(int queues) {
            if (queues < 1 || queues > MAX_QUEUES) {
                throw new IllegalArgumentException("queues must be 1.." + MAX_QUEUES + ", got " + queues);
            }
            this.queues = queues;
            return this;
        }

        /** Flows per port in flowgen mode (destination addresses varied); 64 unless set. */
        public Builder flows(int flows) {
            if (flows < 1) {
                throw new IllegalArgumentException("flows must be at least 1, got " + flows);
            }
            this.flows = flows;
            return this;
        }

        /**
         * CPUs for testpmd's main lcore (idle while forwarding) and its one forwarding lcore,
         * which polls every queue. Unless set: CPU 0 and the last CPU, so that on two CPUs the
         * attaching side's busy lcore can have CPU 0 to itself.
         */
        public Builder cpus(int mainCpu, int forwardingCpu) {
            if (mainCpu < 0 || forwardingCpu < 0) {
                throw new IllegalArgumentException("CPU numbers must be >= 0, got " + mainCpu + " and " + forwardingCpu);
            }
            this.mainCpu = mainCpu;
            this.forwardingCpu = forwardingCpu;
            return this;
        }

        /** The mbuf pool's size; 16384 (about 36 MB of hugepages) unless set. */
        public Builder mbufs(int mbufs) {
            if (mbufs < 1024) {
                throw new IllegalArgumentException("mbufs must be at least 1024, got " + mbufs);
            }
            this.mbufs = mbufs;
            return this;
        }

        /** The testpmd binary; {@code dpdk-testpmd} on the PATH unless set. */
        public Builder testpmd(Path testpmd) {
            this.testpmd = testpmd;
            return this;
        }

        /**
         * Starts testpmd and waits until it forwards (it does not wait for a virtio peer).
         *
         * @throws IOException if it does not, after stopping it and removing what it left
         */
        public VhostPeer start() throws IOException {
            Path binary = testpmd != null ? testpmd : findOnPath("dpdk-testpmd");
            if (!Files.isExecutable(binary)) {
                throw new IOException(binary + " is not executable: apt-get install -y dpdk (see LAB-NOTES.md)");
            }
            String pid = Long.toString(ProcessHandle.current().pid());
            for (int attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
                String name = "l2e-vhost-" + pid + "-" + PEERS.incrementAndGet();
                Path socket = Path.of("/tmp", name + ".sock");
                if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)
                        && !Files.exists(Leftovers.runtimeDirectory(name), LinkOption.NOFOLLOW_LINKS)) {
                    return start(binary, socket, name);
                }
            }
            throw new IOException("no free vhost socket name for pid " + pid + " after " + MAX_NAME_ATTEMPTS
                    + " tries: leftovers of earlier runs? See /tmp/l2e-vhost-*.sock and "
                    + Leftovers.runtimeDirectory("l2e-vhost-*"));
        }

        private VhostPeer start(Path binary, Path socket, String filePrefix) throws IOException {
            Leftovers leftovers = Leftovers.snapshot(filePrefix);
            ChildProcess testpmd = ChildProcess.start(command(binary, socket, filePrefix));
            Thread cleanupOnExit = new Thread(() -> {
                try {
                    testpmd.close();
                    Files.deleteIfExists(socket);
                    leftovers.remove();
                } catch (IOException e) {
                    System.err.println("vhost peer " + socket + " (file prefix " + filePrefix
                            + ") may be left behind: " + e.getMessage());
                }
            }, "vhost-peer-cleanup-" + filePrefix);
            VhostPeer peer = new VhostPeer(queues, socket, filePrefix, leftovers, testpmd, cleanupOnExit);
            Runtime.getRuntime().addShutdownHook(cleanupOnExit);
            try {
                if (!testpmd.awaitOutput(READY, START_TIMEOUT) || !Files.exists(socket)) {
                    // Output ends a moment before the process is reaped.
                    OptionalInt exit = testpmd.awaitExit(EXIT_AFTER_OUTPUT);
                    throw new IOException("testpmd " + (exit.isPresent()
                            ? "exited " + exit.getAsInt() + " before forwarding on " + socket
                            : "did not start forwarding on " + socket + " within " + START_TIMEOUT.toSeconds() + " s")
                            + ". Check free hugepages (grep Huge /proc/meminfo;"
                            + " LAB-NOTES.md, Hugepages) and the CPUs in --lcores. Last output, usage text left out:\n"
                            + unindentedTail(testpmd, 40));
                }
                return peer;
            } catch (IOException | RuntimeException e) {
                try {
                    peer.close();
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }

        /**
         * stdbuf makes testpmd's stdout line-buffered: on a pipe it is block-buffered, and the
         * readiness line would arrive only at exit. {@code --disable-link-check} keeps testpmd
         * from waiting 9 s for a link that comes up only when a peer attaches.
         */
        private List<String> command(Path binary, Path socket, String filePrefix) {
            String q = Integer.toString(queues);
            return List.of("stdbuf", "-oL", binary.toString(),
                    "--lcores=0@" + mainCpu + ",1@" + forwardingCpu, "--main-lcore=0",
                    "--no-pci", "--in-memory", "--file-prefix=" + filePrefix,
                    "--vdev=net_vhost0,iface=" + socket + ",queues=" + q,
                    "--",
                    "--forward-mode=flowgen", "--flowgen-flows=" + flows, "--rxq=" + q, "--txq=" + q,
                    "--nb-cores=1", "--total-num-mbufs=" + mbufs, "--auto-start", "--disable-link-check");
        }

        /** After an EAL error testpmd prints its usage, indented; the unindented lines say what went wrong. */
        private static String unindentedTail(ChildProcess testpmd, int maxLines) {
            List<String> lines = testpmd.output().lines()
                    .filter(line -> !line.isEmpty() && !Character.isWhitespace(line.charAt(0)))
                    .collect(Collectors.toList());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        }

        private static Path findOnPath(String program) throws IOException {
            String path = System.getenv("PATH");
            for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            throw new IOException(program + " not on the PATH (" + path + "): apt-get install -y dpdk (see LAB-NOTES.md)");
        }
    }
}
