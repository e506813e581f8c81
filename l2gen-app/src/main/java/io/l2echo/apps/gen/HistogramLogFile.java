package io.l2echo.apps.gen;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Every trial's round-trip histogram, in HdrHistogram's log format (what its
 * {@code HistogramLogProcessor} and plotting tools read), values in nanoseconds, one interval
 * per trial, tagged with the trial's phase and offered rate: {@code latency-10000pps},
 * {@code search-flatout}.
 */
final class HistogramLogFile implements AutoCloseable {
    private final HistogramLogWriter writer;

    private HistogramLogFile(HistogramLogWriter writer) {
        this.writer = writer;
    }

    static HistogramLogFile create(Path file) {
        HistogramLogWriter writer;
        try {
            writer = new HistogramLogWriter(file.toFile());
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("--histogram-log: cannot write " + file + " (" + e.getMessage()
                    + "); name a file in a writable directory");
        }
        long now = System.currentTimeMillis();
        writer.outputComment("l2gen round trips in nanoseconds, one interval per trial, tagged PHASE-RATE");
        writer.outputLogFormatVersion();
        writer.setBaseTime(now);
        writer.outputStartTime(now);
        writer.outputLegend();
        return new HistogramLogFile(writer);
    }

    static String tag(String phase, long ratePps) {
        return phase + "-" + (ratePps == 0 ? "flatout" : ratePps + "pps");
    }

    /** Appends a trial that ran from {@code startMillis} to {@code endMillis} (wall clock). */
    void append(GeneratorResult result, String phase, long startMillis, long endMillis) {
        Histogram histogram = result.roundTripNanos();
        histogram.setTag(tag(phase, result.config().ratePps()));
        histogram.setStartTimeStamp(startMillis);
        histogram.setEndTimeStamp(endMillis);
        writer.outputIntervalHistogram(histogram);
    }

    @Override
    public void close() {
        writer.close();
    }
}
