package io.l2echo.apps.gen;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A finished run: what was sent and came back, and the round-trip latency of every frame
 * that did, in nanoseconds (TSC stamped at send, read at receive, on the same lcore).
 */
public record GeneratorResult(GeneratorConfig config, GeneratorStats stats, Histogram roundTripNanos) {

    /**
     * Frames sent that never came back, those the Tx queue refused included; frames a stop
     * kept from being sent at all are not lost.
     */
    public long lost() {
        return stats.txPackets() + stats.txFailed() - stats.rxEchoes();
    }

    /** Frames per second actually sent, from the first frame to the last. */
    public double sentPps() {
        return stats.sendNanos() == 0 ? 0 : stats.txPackets() * 1e9 / stats.sendNanos();
    }

    /** A round-trip percentile in microseconds. */
    public double percentileMicros(double percentile) {
        return roundTripNanos.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * Two lines for a report: what was sent, echoed, lost and otherwise, then round-trip
     * percentiles in microseconds.
     */
    public String summary() {
        return String.format(Locale.ROOT, "sent %,d (%,.0f pps, %,d refused by Tx)  echoed %,d  lost %,d  reordered %,d"
                + "  duplicated %,d  corrupted %,d  foreign %,d%nround trip (us): p50 %.1f  p90 %.1f  p99 %.1f"
                + "  p99.9 %.1f  p99.99 %.1f  max %.1f", stats.txPackets(), sentPps(), stats.txFailed(),
                stats.rxEchoes(), lost(), stats.rxReordered(), stats.rxDuplicates(), stats.rxCorrupted(),
                stats.rxForeign(), percentileMicros(50),
                percentileMicros(90), percentileMicros(99), percentileMicros(99.9), percentileMicros(99.99),
                roundTripNanos.getMaxValue() / 1000.0);
    }
}
