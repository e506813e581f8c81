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
    /* perf report -n: "    63.21%          6321  librte_net_virtio.so.23.0". */
    private static final Pattern REPORT_LINE = Pattern.compile("^\\s*([0-9.]+)%\\s+(\\d+)\\s+(.+?)\\s*$");

    /** One shared object's (or thread's) part of the samples. */
    record Share(String name, double percent) {
    }

    /**
     * What one profile window saw. {@code samples} are the polling thread's, {@code cpuSamples}
     * all taken on its CPU; {@code shares} split the thread's by shared object, {@code others}
     * name what else ran on the CPU (percent of all its samples). {@code seconds}: the wall
     * time the preemptions were counted over, perf's start-up included.
     */
    record PollingProfile(double seconds, long samples, long cpuSamples, List<Share> shares,
            List<Share> others, long echoPreemptions, long generatorPreemptions) {

        /** How much of its CPU the thread had: a polling thread is never off it by choice. */
        double onCpuPercent() {
            return cpuSamples == 0 ? 0 : 100.0 * samples / cpuSamples;
        }

        double echoPreemptionsPerSecond() {
            return echoPreemptions / seconds;
        }

        double generatorPreemptionsPerSecond() {
            return generatorPreemptions / seconds;
        }

        /** Share of the samples in objects whose name starts with one of these prefixes. */
        double percentIn(String... prefixes) {
            return shares.stream().filter(s -> List.of(prefixes).stream().anyMatch(s.name()::startsWith))
                    .mapToDouble(Share::percent).sum();
        }

        String topShares(int count) {
            return top(shares, count);
        }

        String topOthers(int count) {
            return others.isEmpty() ? "nothing" : top(others, count);
        }

        private static String top(List<Share> list, int count) {
            return String.join(", ", list.stream().limit(count)
                    .map(s -> String.format(Locale.ROOT, "%s %.1f%%", s.name(), s.percent())).toList());
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

    /**
     * Samples the CPU the echo's polling thread is pinned to for one window: what the thread
     * ran, by shared object, and what else ran there instead of it. Both sides' preemptions
     * are counted over the window.
     */
    static PollingProfile record(long echoPid, long echoTid, int cpu, long generatorPid, long generatorTid,
            Duration window) throws IOException {
        Path data = Files.createTempFile("l2bench-", ".perf.data");
        try {
            String pollingThread = ProcThreads.name(echoPid, echoTid);
            long echoBefore = ProcThreads.involuntarySwitches(echoPid, echoTid);
            long generatorBefore = ProcThreads.involuntarySwitches(generatorPid, generatorTid);
            long started = System.nanoTime();
            Processes.run(window.plusSeconds(30), "perf", "record", "-q", "-e", "cpu-clock", "-F",
                    String.valueOf(SAMPLES_PER_SECOND), "-C", String.valueOf(cpu), "-o", data.toString(), "--", "sleep",
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
            // What the polling thread ran, as shares of its own samples.
            List<Share> shares = new ArrayList<>();
            long samples = report(data, shares, "--tid", String.valueOf(echoTid), "--percentage", "relative",
                    "--sort", "dso");
            // Everything that ran on its CPU, by thread name: the polling thread and what displaced it.
            List<Share> threads = new ArrayList<>();
            long cpuSamples = report(data, threads, "--sort", "comm");
            List<Share> others = threads.stream().filter(t -> !t.name().equals(pollingThread)).toList();
            return new PollingProfile(seconds, samples, cpuSamples, shares, others, echoPreemptions,
                    generatorPreemptions);
        } finally {
            Files.deleteIfExists(data);
        }
    }

    /* perf report -n, one "percent samples key" line per entry, into shares; returns the samples summed. */
    private static long report(Path data, List<Share> shares, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of("perf", "report", "-i", data.toString(), "--stdio", "-q", "-n"));
        command.addAll(List.of(options));
        long samples = 0;
        for (String line : Processes.run(Duration.ofSeconds(60), command).requireSuccess().output().lines().toList()) {
            Matcher m = REPORT_LINE.matcher(line);
            if (m.matches()) {
                shares.add(new Share(readable(m.group(3)), Double.parseDouble(m.group(1))));
                samples += Long.parseLong(m.group(2));
            }
        }
        return samples;
    }

    /* The shim is loaded from a file NativeLoader deletes once mapped: give it its real name. */
    private static String readable(String dso) {
        if (dso.startsWith("libdpdkj")) {
            return "libdpdkj.so (our shim)";
        }
        return dso.equals("[kernel.kallsyms]") ? "kernel" : dso;
    }
}
