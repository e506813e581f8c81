package io.l2echo.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Sends test frames through an echo and checks what comes back: each frame exactly once, equal
 * byte for byte to the expected echo ({@link Frames#macSwapped} by default), whatever the order.
 *
 * <p>Sending is paced by a window of frames in flight, receiving as it goes, so neither the
 * echo's rx ring nor our socket overflows and a loss really is a loss. A frame unanswered for
 * the {@link Builder#lossTimeout loss timeout} leaves the window (and is missing unless it turns
 * up later); when nothing of ours arrives for the {@link Builder#stallTimeout stall timeout},
 * sending stops, so a dead echo fails fast. After the last expected echo the verifier keeps
 * listening for the {@link Builder#settle settle} time to catch duplicates.
 *
 * <pre>{@code
 * EchoReport report = EchoVerifier.builder().window(64).build().verify(socket, template.sweep(0, 2000));
 * report.assertPerfect();
 * }</pre>
 */
public final class EchoVerifier {

    /** {@link #awaitEcho} probes use sequence numbers from here up; {@link #verify} refuses them. */
    public static final long PROBE_SEQUENCE_BASE = 0x7FFF_FFFF_0000_0000L;

    private static final int RECEIVE_BUFFER_BYTES = 65_536;
    private static final int STRAYS_KEPT = 5;
    private static final long RECEIVE_WAIT_MILLIS = 10;
    private static final long PROBE_INTERVAL_MILLIS = 100;

    private static final byte UNSENT = 0;
    private static final byte IN_FLIGHT = 1;
    private static final byte ECHOED = 2;
    private static final byte PRESUMED_LOST = 3;

    private final int window;
    private final Duration lossTimeout;
    private final Duration stallTimeout;
    private final Duration settle;
    private final Duration timeout;
    private final UnaryOperator<byte[]> expectedEcho;

    private EchoVerifier(Builder builder) {
        this.window = builder.window;
        this.lossTimeout = builder.lossTimeout;
        this.stallTimeout = builder.stallTimeout;
        this.settle = builder.settle;
        this.timeout = builder.timeout;
        this.expectedEcho = builder.expectedEcho;
    }

    /** Window 64, loss timeout 1 s, stall timeout 3 s, settle 200 ms, timeout 60 s, MAC-swapped echoes. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends {@code frames} on {@code socket} and collects their echoes. Every frame must be a
     * test frame ({@link Frames#isTestFrame}) with a sequence number of its own.
     */
    public EchoReport verify(RawSocket socket, List<byte[]> frames) throws IOException {
        Run run = new Run(frames);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String stoppedEarly = "";
        while (run.next < frames.size() || run.inFlight > 0) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                stoppedEarly = "the " + timeout.toMillis() + " ms timeout passed";
                break;
            }
            if (now - run.lastProgress >= stallTimeout.toNanos()) {
                stoppedEarly = "no echo of ours for " + stallTimeout.toMillis() + " ms";
                break;
            }
            run.ageOut(now);
            if (run.next < frames.size() && run.inFlight < window) {
                run.send(socket, now);
                run.receiveQueued(socket);
            } else {
                run.receive(socket, RECEIVE_WAIT_MILLIS);
            }
        }
        long settleEnd = Math.min(deadline, System.nanoTime()) + settle.toNanos();
        for (long remaining; (remaining = settleEnd - System.nanoTime()) > 0; ) {
            run.receive(socket, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        }
        return run.report(stoppedEarly, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Sends a 60-byte probe from {@code template} every 100 ms until one comes back as
     * expected, i.e. until the echo is forwarding; then discards the probes still on their way.
     *
     * @return false if no probe came back within {@code timeout}
     */
    public boolean awaitEcho(RawSocket socket, UdpFrameTemplate template, Duration timeout) throws IOException {
        byte[] buffer = new byte[RECEIVE_BUFFER_BYTES];
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long probe = PROBE_SEQUENCE_BASE; deadline - System.nanoTime() > 0; probe++) {
            socket.send(template.frame(probe, Frames.MIN_LENGTH));
            long intervalEnd = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS));
            for (long remaining; (remaining = intervalEnd - System.nanoTime()) > 0; ) {
                int length = socket.receive(buffer, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                if (length > 0 && Frames.isTestFrame(buffer, length)) {
                    long sequence = Frames.sequenceOf(buffer, length);
                    if (sequence >= PROBE_SEQUENCE_BASE && sequence <= probe
                            && isEcho(template.frame(sequence, Frames.MIN_LENGTH), buffer, length)) {
                        discardFor(socket, buffer, PROBE_INTERVAL_MILLIS);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean isEcho(byte[] sent, byte[] received, int length) {
        byte[] expected = expectedEcho.apply(sent);
        return Arrays.equals(expected, 0, expected.length, received, 0, length);
    }

    private static void discardFor(RawSocket socket, byte[] buffer, long millis) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long remaining; (remaining = end - System.nanoTime()) > 0; ) {
            socket.receive(buffer, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        }
    }

    /** The state of one {@link #verify} call. */
    private final class Run {
        final List<byte[]> frames;
        final Map<Long, Integer> indexBySequence;
        final long[] sequences;
        final byte[] state;
        final long[] sentAtNanos;
        final int[] copies;
        final ArrayDeque<Integer> sendOrder = new ArrayDeque<>();
        final List<EchoReport.Mismatch> mismatches = new ArrayList<>();
        final List<String> strays = new ArrayList<>();
        final byte[] buffer = new byte[RECEIVE_BUFFER_BYTES];
        int next;
        int inFlight;
        int echoed;
        int unexpected;
        int foreign;
        long lastProgress = System.nanoTime();

        Run(List<byte[]> frames) {
            this.frames = frames;
            int n = frames.size();
            indexBySequence = new HashMap<>(n * 2);
            sequences = new long[n];
            state = new byte[n];
            sentAtNanos = new long[n];
            copies = new int[n];
            for (int i = 0; i < n; i++) {
                byte[] frame = frames.get(i);
                sequences[i] = Frames.sequenceOf(frame);
                if (sequences[i] >= PROBE_SEQUENCE_BASE) {
                    throw new IllegalArgumentException("frame " + i + " has sequence number " + sequences[i]
                            + ", in the range kept for probes (from " + PROBE_SEQUENCE_BASE + ")");
                }
                Integer earlier = indexBySequence.put(sequences[i], i);
                if (earlier != null) {
                    throw new IllegalArgumentException("frames " + earlier + " and " + i + " share sequence number "
                            + sequences[i] + ": echoes could not be told apart");
                }
            }
        }

        void send(RawSocket socket, long now) throws IOException {
            int i = next++;
            socket.send(frames.get(i));
            state[i] = IN_FLIGHT;
            sentAtNanos[i] = now;
            sendOrder.addLast(i);
            inFlight++;
        }

        /** Frees the window of frames unanswered for the loss timeout; they are sent in order, so the oldest lead. */
        void ageOut(long now) {
            while (!sendOrder.isEmpty()) {
                int oldest = sendOrder.peekFirst();
                if (state[oldest] == IN_FLIGHT) {
                    if (now - sentAtNanos[oldest] < lossTimeout.toNanos()) {
                        return;
                    }
                    state[oldest] = PRESUMED_LOST;
                    inFlight--;
                }
                sendOrder.removeFirst();
            }
        }

        /** Takes everything already queued, without waiting; bounded by the window plus strays. */
        void receiveQueued(RawSocket socket) throws IOException {
            for (int i = 0; i < window + 64; i++) {
                if (!receive(socket, 0)) {
                    return;
                }
            }
        }

        /** @return whether a frame arrived within {@code timeoutMillis} */
        boolean receive(RawSocket socket, long timeoutMillis) throws IOException {
            int length = socket.receive(buffer, timeoutMillis);
            if (length < 0) {
                return false;
            }
            if (!Frames.isTestFrame(buffer, length)) {
                foreign++;
                keepStray("foreign", length);
                return true;
            }
            Integer index = indexBySequence.get(Frames.sequenceOf(buffer, length));
            if (index == null) {
                unexpected++;
                keepStray("unexpected", length);
                return true;
            }
            int i = index;
            if (++copies[i] > 1) {
                return true;
            }
            echoed++;
            if (state[i] == IN_FLIGHT) {
                inFlight--;
            }
            state[i] = ECHOED;
            lastProgress = System.nanoTime();
            compare(i, length);
            return true;
        }

        void compare(int i, int length) {
            byte[] expected = expectedEcho.apply(frames.get(i));
            int offset = Arrays.mismatch(expected, 0, expected.length, buffer, 0, length);
            if (offset >= 0) {
                mismatches.add(new EchoReport.Mismatch(sequences[i], expected.length, length, offset,
                        offset < expected.length ? expected[offset] & 0xFF : -1,
                        offset < length ? buffer[offset] & 0xFF : -1));
            }
        }

        void keepStray(String kind, int length) {
            if (strays.size() < STRAYS_KEPT) {
                strays.add(kind + ": " + Frames.describe(buffer, length));
            }
        }

        EchoReport report(String stoppedEarly, Duration elapsed) {
            List<EchoReport.Missing> missing = new ArrayList<>();
            Map<Long, Integer> duplicates = new HashMap<>();
            for (int i = 0; i < frames.size(); i++) {
                if (state[i] != UNSENT && copies[i] == 0) {
                    missing.add(new EchoReport.Missing(sequences[i], frames.get(i).length));
                }
                if (copies[i] > 1) {
                    duplicates.put(sequences[i], copies[i] - 1);
                }
            }
            return new EchoReport(frames.size(), next, echoed, missing, duplicates, mismatches, unexpected, foreign,
                    strays, stoppedEarly, elapsed);
        }
    }

    /** Settings of a verifier. */
    public static final class Builder {
        private int window = 64;
        private Duration lossTimeout = Duration.ofSeconds(1);
        private Duration stallTimeout = Duration.ofSeconds(3);
        private Duration settle = Duration.ofMillis(200);
        private Duration timeout = Duration.ofSeconds(60);
        private UnaryOperator<byte[]> expectedEcho = Frames::macSwapped;

        private Builder() {
        }

        /**
         * Most frames in flight at once. Keep it well below the echo's rx ring (DPDK's
         * {@code net_af_packet} has 512 frames per queue by default) and its mempool's spare mbufs.
         */
        public Builder window(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("window must be at least 1 frame, got " + frames);
            }
            this.window = frames;
            return this;
        }

        /** After this long without its echo, a frame stops holding a place in the window. */
        public Builder lossTimeout(Duration lossTimeout) {
            this.lossTimeout = positive(lossTimeout, "loss timeout");
            return this;
        }

        /** Sending stops when no echo of ours has arrived for this long. */
        public Builder stallTimeout(Duration stallTimeout) {
            this.stallTimeout = positive(stallTimeout, "stall timeout");
            return this;
        }

        /** How long to keep listening after the last expected echo, for duplicates and late frames. */
        public Builder settle(Duration settle) {
            if (settle.isNegative()) {
                throw new IllegalArgumentException("negative settle time " + settle);
            }
            this.settle = settle;
            return this;
        }

        /** Upper bound of the whole run before settling. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** What the echo of a frame must be, for echoes other than a MAC swap. */
        public Builder expectedEcho(UnaryOperator<byte[]> expectedEcho) {
            this.expectedEcho = Objects.requireNonNull(expectedEcho, "expectedEcho");
            return this;
        }

        public EchoVerifier build() {
            return new EchoVerifier(this);
        }

        private static Duration positive(Duration duration, String what) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + duration);
            }
            return duration;
        }
    }
}
