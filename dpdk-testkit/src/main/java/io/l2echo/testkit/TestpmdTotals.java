package io.l2echo.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The final statistics of any {@code dpdk-testpmd} (a {@link VhostPeer}'s, or one a test runs
 * itself): the "Accumulated forward statistics for all ports" block and the per-stream blocks
 * above it, as testpmd prints them when it stops forwarding.
 *
 * <pre>{@code
 * int status = testpmd.stop(Processes.Signal.INT, Duration.ofSeconds(20));
 * TestpmdTotals totals = TestpmdTotals.parse(testpmd.output());
 * }</pre>
 *
 * @param rxDropped what the port missed (imissed)
 * @param txDropped what the forwarding engine could not send, plus the port's Tx errors
 */
public record TestpmdTotals(long rxPackets, long rxDropped, long txPackets, long txDropped,
                            List<StreamTotals> streams) {

    /**
     * Per-stream statistics, printed by testpmd only for streams that carried something and
     * only when a port has more than one stream (queue).
     */
    public record StreamTotals(int rxPort, int rxQueue, int txPort, int txQueue,
                               long rxPackets, long txPackets, long txDropped) {
    }

    private static final Pattern STREAM_HEADER = Pattern.compile(
            "Forward Stats for RX Port=\\s*(\\d+)/Queue=\\s*(\\d+) -> TX Port=\\s*(\\d+)/Queue=\\s*(\\d+)");
    private static final Pattern STREAM_COUNTS = Pattern.compile(
            "RX-packets:\\s*(\\d+)\\s*TX-packets:\\s*(\\d+)\\s*TX-dropped:\\s*(\\d+)");
    private static final Pattern RX_COUNTS = Pattern.compile("RX-packets:\\s*(\\d+)\\s*RX-dropped:\\s*(\\d+)");
    private static final Pattern TX_COUNTS = Pattern.compile("TX-packets:\\s*(\\d+)\\s*TX-dropped:\\s*(\\d+)");
    private static final String ACCUMULATED = "Accumulated forward statistics for all ports";
    /** testpmd prints this when it stops forwarding; the statistics follow. */
    private static final String STOPPING = "Telling cores to stop...";

    public TestpmdTotals {
        streams = List.copyOf(streams);
    }

    /**
     * Reads the statistics of the last stop from the output of any {@code dpdk-testpmd},
     * line by line, so that log lines written in between (vhost, EAL) do not matter.
     *
     * @throws IllegalArgumentException if the output has no complete accumulated block
     */
    public static TestpmdTotals parse(String testpmdOutput) {
        int lastStop = testpmdOutput.lastIndexOf(STOPPING);
        List<StreamTotals> streams = new ArrayList<>();
        int[] stream = null;
        boolean inAccumulated = false;
        long[] rx = null;
        long[] tx = null;
        for (String line : testpmdOutput.substring(Math.max(lastStop, 0)).split("\n")) {
            Matcher m;
            if ((m = STREAM_HEADER.matcher(line)).find()) {
                stream = new int[] {intOf(m, 1), intOf(m, 2), intOf(m, 3), intOf(m, 4)};
            } else if (stream != null && (m = STREAM_COUNTS.matcher(line)).find()) {
                streams.add(new StreamTotals(stream[0], stream[1], stream[2], stream[3],
                        longOf(m, 1), longOf(m, 2), longOf(m, 3)));
                stream = null;
            } else if (line.contains(ACCUMULATED)) {
                inAccumulated = true;
            } else if (inAccumulated && rx == null && (m = RX_COUNTS.matcher(line)).find()) {
                rx = new long[] {longOf(m, 1), longOf(m, 2)};
            } else if (inAccumulated && tx == null && (m = TX_COUNTS.matcher(line)).find()) {
                tx = new long[] {longOf(m, 1), longOf(m, 2)};
            }
        }
        if (rx == null || tx == null) {
            throw new IllegalArgumentException("no complete '" + ACCUMULATED + "' block in testpmd's output:"
                    + " testpmd prints it when it stops forwarding (SIGINT, or end-of-file on stdin)"
                    + " after having started");
        }
        return new TestpmdTotals(rx[0], rx[1], tx[0], tx[1], streams);
    }

    /**
     * The queues among {@code 0..queues-1} on which nothing was received. testpmd leaves
     * out streams that carried nothing, and prints none for a single queue: then the
     * port's count stands for queue 0.
     */
    public List<Integer> idleRxQueues(int queues) {
        return IntStream.range(0, queues)
                .filter(queue -> streams.isEmpty() && queues == 1
                        ? rxPackets == 0
                        : streams.stream().noneMatch(s -> s.rxQueue() == queue && s.rxPackets() > 0))
                .boxed()
                .collect(Collectors.toList());
    }

    private static int intOf(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    private static long longOf(Matcher m, int group) {
        return Long.parseLong(m.group(group));
    }
}
