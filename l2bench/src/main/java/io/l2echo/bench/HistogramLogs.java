package io.l2echo.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * The round-trip histograms l2gen logs ({@code --histogram-log}), one file per run, kept beside
 * the report so a reader can plot or merge them with HdrHistogram's own tools.
 */
final class HistogramLogs {
    private static final String SUFFIX = ".hlog";

    private HistogramLogs() {
    }

    /** {@code vhost-l2echo_ports-3.hlog}: the bed, the system and the repeat. */
    static String fileName(String bed, String system, int repeat) {
        return (bed + "-" + system + "-" + repeat).toLowerCase(Locale.ROOT) + SUFFIX;
    }

    /** l2gen's tag for the latency trial at {@code ratePps} ({@code latency-10000pps}). */
    static String latencyTag(long ratePps) {
        return "latency-" + ratePps + "pps";
    }

    /** Creates the directory, and removes an earlier run's logs from it, so only this run's are kept. */
    static void clear(Path directory) throws IOException {
        Files.createDirectories(directory);
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path log : logs) {
                Files.delete(log);
            }
        }
    }

    /** Every interval of a log by its tag (l2gen tags each trial {@code PHASE-RATE}); empty if there is no log. */
    static Map<String, Histogram> read(Path log) throws IOException {
        Map<String, Histogram> byTag = new LinkedHashMap<>();
        if (!Files.exists(log)) {
            return byTag;
        }
        try (HistogramLogReader reader = new HistogramLogReader(log.toFile())) {
            for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
                byTag.put(h.getTag(), (Histogram) h);
            }
        }
        return byTag;
    }
}
