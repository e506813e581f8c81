package io.l2echo.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one {@link EchoVerifier} run: what was sent, which frames came back how often,
 * which came back altered and where, and what else arrived.
 *
 * @param total         frames handed to the verifier
 * @param sent          frames sent; less than {@code total} when the run stopped early
 * @param echoed        distinct frames echoed at least once, altered or not
 * @param missing       frames sent and never echoed, in send order
 * @param duplicates    sequence number to extra copies received, for frames echoed more than once
 * @param mismatches    frames whose first echo differs from the expected bytes
 * @param unexpected    test frames with a sequence number not in this run (e.g. a previous run's)
 * @param foreign       frames that are not test frames at all: the kernel's own traffic, ignored
 * @param strays        descriptions of the first few unexpected and foreign frames
 * @param stoppedEarly  why the run stopped before every frame was sent and answered or given up on, or empty
 * @param elapsed       from the first send to the end of the settle time
 */
public record EchoReport(int total, int sent, int echoed, List<Missing> missing, Map<Long, Integer> duplicates,
                         List<Mismatch> mismatches, int unexpected, int foreign, List<String> strays,
                         String stoppedEarly, Duration elapsed) {

    private static final int LISTED = 10;

    /** A frame that never came back. */
    public record Missing(long sequence, int length) {
        @Override
        public String toString() {
            return "seq " + sequence + " (" + length + " B)";
        }
    }

    /** The first difference between the expected echo and the one received. */
    public record Mismatch(long sequence, int expectedLength, int receivedLength, int offset, int expectedByte,
                           int receivedByte) {
        @Override
        public String toString() {
            if (offset >= Math.min(expectedLength, receivedLength)) {
                return String.format("seq %d: %d bytes back for %d sent", sequence, receivedLength, expectedLength);
            }
            return String.format("seq %d (%d B): byte %d (%s) is 0x%02x, expected 0x%02x", sequence, expectedLength,
                    offset, Frames.fieldAt(offset), receivedByte, expectedByte);
        }
    }

    public EchoReport {
        missing = List.copyOf(missing);
        duplicates = Map.copyOf(duplicates);
        mismatches = List.copyOf(mismatches);
        strays = List.copyOf(strays);
    }

    /** Every frame sent, each echoed exactly once and exactly as expected, nothing unexpected. Foreign traffic is allowed. */
    public boolean isPerfect() {
        return sent == total && echoed == total && missing.isEmpty() && duplicates.isEmpty() && mismatches.isEmpty()
                && unexpected == 0;
    }

    /** One paragraph: the counts, then the first few of each kind of fault. */
    public String summary() {
        StringBuilder text = new StringBuilder();
        text.append(String.format("%d/%d sent, %d echoed, %d missing, %d duplicated, %d altered, %d unexpected, "
                        + "%d foreign, in %d ms", sent, total, echoed, missing.size(), duplicates.size(), mismatches.size(),
                unexpected, foreign, elapsed.toMillis()));
        if (!stoppedEarly.isEmpty()) {
            text.append("\n  stopped early: ").append(stoppedEarly);
        }
        if (!missing.isEmpty()) {
            text.append("\n  missing: ").append(firstFew(missing));
        }
        if (!duplicates.isEmpty()) {
            text.append("\n  duplicated (extra copies): ").append(firstFew(duplicates.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> "seq " + e.getKey() + " +" + e.getValue())
                    .collect(Collectors.toList())));
        }
        if (!mismatches.isEmpty()) {
            text.append("\n  altered: ").append(firstFew(mismatches));
        }
        if (!strays.isEmpty()) {
            text.append("\n  strays: ").append(firstFew(strays));
        }
        return text.toString();
    }

    /** Throws an AssertionError with the {@link #summary()} unless the run {@link #isPerfect()}. */
    public void assertPerfect() {
        if (!isPerfect()) {
            throw new AssertionError("echo verification failed: " + summary());
        }
    }

    @Override
    public String toString() {
        return summary();
    }

    private static String firstFew(List<?> items) {
        String listed = items.stream().limit(LISTED).map(Object::toString).collect(Collectors.joining(", "));
        return items.size() > LISTED ? listed + ", ... (" + (items.size() - LISTED) + " more)" : listed;
    }
}
