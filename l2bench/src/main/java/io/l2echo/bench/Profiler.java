package io.l2echo.bench;

import io.l2echo.testkit.ProcThreads;
import io.l2echo.testkit.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a polling lcore's time goes while it echoes flat out: perf samples of that one thread
 * (cpu-clock, which works in a VM without hardware counters), summed by shared object, and how
 * often the scheduler took its CPU away from it and from the generator's polling lcore.
 */
final class Profiler {
    private static final int SAMPLES_PER_SECOND = 4999;
    /* perf report -n --sort dso: "    63.21%          6321  librte_net_virtio.so.23.0". */
    private static final Pattern DSO_LINE = Pattern.compile("^\\s*([0-9.]+)%\\s+(\\d+)\\s+(.+?)\\s*$");

    /** One shared object's part of the samples. */
    record Share(String dso, double percent) {
    }

    /** What one profile window saw. */
    /* window: what perf sampled; seconds: the wall time the preemptions were counted over, perf's start-up included. */
    record PollingProfile(Duration window, double seconds, long samples, List<Share> shares, long echoPreemptions,
            long generatorPreemptions) {

        /** How much of the window the thread was on its CPU: a polling thread is never off it by choice. */
        double onCpuPercent() {
            return 100.0 * samples / (SAMPLES_PER_SECOND * window.toNanos() / 1e9);
        }

        double echoPreemptionsPerSecond() {
            return echoPreemptions / seconds;
        }

        double generatorPreemptionsPerSecond() {
            return generatorPreemptions / seconds;
        }

        /** Share of the samples in objects whose name starts with one of these prefixes. */
        double percentIn(String... prefixes) {
            return shares.stream().filter(s -> List.of(prefixes).stream().anyMatch(s.dso()::startsWith))
                    .mapToDouble(Share::percent).sum();
        }

        String topShares(int count) {
            return String.join(", ", shares.stream().limit(count)
                    .map(s -> String.format(Locale.ROOT, "%s %.1f%%", s.dso(), s.percent())).toList());
        }
    }

    private Profiler() {
    }

    /** Whether perf is installed and may sample other processes' threads here. */
    static boolean available() {
        try {
            return Processes.run(Duration.ofSeconds(10), "perf", "--version").succeeded();
        } catch (IOException e) {
            return false;
        }
    }

    /** Samples the echo's polling thread for one window, counting both sides' preemptions over it. */
    static PollingProfile record(long echoPid, long echoTid, long generatorPid, long generatorTid, Duration window)
            throws IOException {
        Path data = Files.createTempFile("l2bench-", ".perf.data");
        try {
            long echoBefore = ProcThreads.involuntarySwitches(echoPid, echoTid);
            long generatorBefore = ProcThreads.involuntarySwitches(generatorPid, generatorTid);
            long started = System.nanoTime();
            Processes.run(window.plusSeconds(30), "perf", "record", "-q", "-e", "cpu-clock", "-F", String.valueOf(SAMPLES_PER_SECOND), "-t",
                    String.valueOf(echoTid), "-o", data.toString(), "--", "sleep",
                    String.valueOf(window.toSeconds())).requireSuccess();
            double seconds = (System.nanoTime() - started) / 1e9;
            long echoPreemptions;
            long generatorPreemptions;
            try {
                echoPreemptions = ProcThreads.involuntarySwitches(echoPid, echoTid) - echoBefore;
                generatorPreemptions = ProcThreads.involuntarySwitches(generatorPid, generatorTid) - generatorBefore;
            } catch (NoSuchFileException gone) {
                throw new IOException("the generator or the echo ended inside the " + window.toSeconds()
                        + " s profile window: give the profile run more frames", gone);
            }
            Processes.Result report = Processes.run(Duration.ofSeconds(60), "perf", "report", "-i", data.toString(),
                    "--stdio", "-q", "-n", "--sort", "dso").requireSuccess();
            List<Share> shares = new ArrayList<>();
            long samples = 0;
            for (String line : report.output().lines().toList()) {
                Matcher m = DSO_LINE.matcher(line);
                if (m.matches()) {
                    shares.add(new Share(readable(m.group(3)), Double.parseDouble(m.group(1))));
                    samples += Long.parseLong(m.group(2));
                }
            }
            return new PollingProfile(window, seconds, samples, shares, echoPreemptions, generatorPreemptions);
        } finally {
            Files.deleteIfExists(data);
        }
    }

    /* The shim is loaded from a file NativeLoader deletes once mapped: give it its real name. */
    private static String readable(String dso) {
        if (dso.startsWith("libdpdkj")) {
            return "libdpdkj.so (our shim)";
        }
        return dso.equals("[kernel.kallsyms]") ? "kernel" : dso;
    }
}
