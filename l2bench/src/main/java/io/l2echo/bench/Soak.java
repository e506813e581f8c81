package io.l2echo.bench;

import io.l2echo.testkit.ChildProcess;
import io.l2echo.testkit.Leftovers;
import io.l2echo.testkit.ProcThreads;
import io.l2echo.testkit.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bounded soak: l2echo on the vhost-user bed at a steady rate well below capacity, for
 * minutes, in back-to-back trials. It must lose nothing, every mbuf must return to the pool
 * once traffic stops, and neither the JVM's heap (after a full GC) nor the process's resident
 * native memory may grow. Written to docs/SOAK.md; {@code --seconds 20} is the CI version.
 */
final class Soak {
    private static final Pattern IN_USE = Pattern.compile("mbufs in use ([\\d,]+)");
    /* Mempool's last word, logged when EAL frees it after the ports closed. */
    private static final Pattern POOL_FREED = Pattern.compile("mbuf pool \\S+ freed with [^\n]*");
    /* jcmd GC.heap_info, G1 or any collector: "... total 258048K, used 10468K [...". */
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
    private static final long HEAP_GROWTH_LIMIT_KB = 1024;
    private static final long RSS_GROWTH_LIMIT_KB = 2048;
    /* The heap sized and touched up front: resident memory then grows only by native allocations. */
    private static final List<String> ECHO_JVM_OPTIONS = List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch");

    /** How long, how fast, and where the report goes. */
    record Settings(Duration length, Duration trial, long ratePps, Path output) {
        static Settings parse(List<String> args) {
            Duration length = Duration.ofMinutes(10);
            Duration trial = Duration.ofSeconds(10);
            long rate = 20_000;
            Path output = Path.of("docs/SOAK.md");
            for (int i = 0; i < args.size(); i++) {
                switch (args.get(i)) {
                    case "--minutes" -> length = Duration.ofMinutes(Long.parseLong(args.get(++i)));
                    case "--seconds" -> length = Duration.ofSeconds(Long.parseLong(args.get(++i)));
                    case "--trial-seconds" -> trial = Duration.ofSeconds(Long.parseLong(args.get(++i)));
                    case "--rate" -> rate = Long.parseLong(args.get(++i));
                    case "--output" -> output = Path.of(args.get(++i));
                    default -> throw new IllegalArgumentException("unknown soak option " + args.get(i)
                            + " (--minutes M | --seconds S, --trial-seconds S, --rate PPS, --output FILE)");
                }
            }
            if (length.compareTo(trial.multipliedBy(2)) < 0 || rate < 1) {
                throw new IllegalArgumentException("a soak needs at least two trials and a positive rate");
            }
            return new Settings(length, trial, rate, output);
        }

        int trials() {
            return (int) (length.toSeconds() / trial.toSeconds());
        }
    }

    /**
     * One trial and the echo's state right after it; the preemptions of each side's polling
     * thread are those during the trial.
     */
    record Sample(int trial, Trial result, long rssKb, long mbufsInUse, long echoPreemptions,
            long generatorPreemptions) {
    }

    /**
     * The trials, and the echo before the first and after the last with traffic stopped: its
     * pool's mbufs in use, its heap after a full GC (-1 without jcmd), and what it said when it
     * freed its pool.
     */
    record Outcome(List<Sample> samples, long mbufsBefore, long mbufsAfter, long heapBefore, long heapAfter,
            String poolFreed) {
    }

    private final Settings settings;
    private final Path repo;
    private final Path java = Processes.currentJava();

    Soak(Settings settings, Path repo) {
        this.settings = settings;
        this.repo = repo;
    }

    static void main(List<String> args, Path repo) throws IOException, InterruptedException {
        Settings settings = Settings.parse(args);
        Soak soak = new Soak(settings, repo);
        Path output = repo.resolve(settings.output());
        soak.run(output);
        System.out.println("l2bench: wrote " + output);
    }

    void run(Path output) throws IOException, InterruptedException {
        VhostBed bed = new VhostBed(repo, java, "l2e-soak-" + ProcessHandle.current().pid());
        long framesPerTrial = settings.ratePps() * settings.trial().toSeconds();
        List<String> generator = bed.generator(List.of("--rates", String.join(",",
                Collections.nCopies(settings.trials(), String.valueOf(settings.ratePps()))), "--count",
                String.valueOf(framesPerTrial), "--trial-seconds", String.valueOf(settings.trial().toSeconds()),
                "--json"));
        List<String> echo = new ArrayList<>(List.of(java.toString()));
        echo.addAll(ECHO_JVM_OPTIONS);
        echo.addAll(List.of("-jar", repo.resolve("l2echo-app/target/l2echo.jar").toString()));
        echo.addAll(bed.echoEal(SystemUnderTest.L2ECHO.pollingLcore()));
        echo.addAll(List.of("--", "--stats-interval", "1000"));

        Leftovers generatorLeftovers = Leftovers.snapshot(bed.tag() + "-gen");
        Leftovers echoLeftovers = Leftovers.snapshot(bed.tag() + "-echo");
        List<Sample> samples = new ArrayList<>();
        Outcome outcome;
        try (ChildProcess gen = ChildProcess.start(Processes.withDefaultSignals(generator))) {
            for (int i = 0; !Files.exists(bed.socket()); i++) {
                if (i == 600 || !gen.isAlive()) {
                    throw new IOException("l2gen did not open " + bed.socket() + ":\n" + gen.outputTail(20));
                }
                Thread.sleep(100);
            }
            try (ChildProcess dut = ChildProcess.start(Processes.withDefaultSignals(echo))) {
                if (!dut.awaitOutput("mbufs in use", Duration.ofMinutes(1))) {
                    throw new IOException("l2echo printed no stats:\n" + dut.outputTail(20));
                }
                long mbufsBefore = lastMbufsInUse(dut);
                long heapBefore = heapAfterFullGc(dut.pid());
                long echoThread = ProcThreads.ealWorker(dut.pid(), 1).orElseThrow(
                        () -> new IOException("l2echo has no EAL thread for lcore 1"));
                long generatorThread = ProcThreads.ealWorker(gen.pid(), 1).orElseThrow(
                        () -> new IOException("l2gen has no EAL thread for lcore 1"));
                long echoSwitches = ProcThreads.involuntarySwitches(dut.pid(), echoThread);
                long generatorSwitches = ProcThreads.involuntarySwitches(gen.pid(), generatorThread);
                System.out.println("l2bench: soak of " + settings.trials() + " trials of " + settings.trial().toSeconds()
                        + " s at " + settings.ratePps() + " pps");
                Duration timeout = settings.length().plusMinutes(2);
                long deadline = System.nanoTime() + timeout.toNanos();
                while (samples.size() < settings.trials()) {
                    List<String> trials = gen.output().lines().filter(l -> l.startsWith("{\"phase\":\"latency\""))
                            .toList();
                    if (trials.size() > samples.size()) {
                        Trial trial = new Trial(trials.get(samples.size()));
                        long echoNow = ProcThreads.involuntarySwitches(dut.pid(), echoThread);
                        // After its last trial l2gen may be gone already: its count is then unknown.
                        long generatorNow = switchesOr(gen.pid(), generatorThread, generatorSwitches - 1);
                        samples.add(new Sample(samples.size() + 1, trial, rssKb(dut.pid()), lastMbufsInUse(dut),
                                echoNow - echoSwitches, generatorNow - generatorSwitches));
                        echoSwitches = echoNow;
                        generatorSwitches = generatorNow;
                        System.out.printf(Locale.ROOT, "l2bench:   trial %d: lost %d, rss %,d kB%n", samples.size(),
                                (long) trial.number("lost"), samples.get(samples.size() - 1).rssKb());
                    } else if (!gen.isAlive() || System.nanoTime() > deadline) {
                        throw new IOException("l2gen stopped after " + samples.size() + " trials:\n"
                                + gen.outputTail(20));
                    } else {
                        Thread.sleep(100);
                    }
                }
                OptionalInt status = gen.awaitExit(Duration.ofMinutes(1));
                if (status.isEmpty() || status.getAsInt() != 0) {
                    throw new IOException("l2gen did not finish cleanly:\n" + gen.outputTail(20));
                }
                // Two stats intervals with no traffic: whatever was in flight is back.
                Thread.sleep(2500);
                long mbufsAfter = lastMbufsInUse(dut);
                long heapAfter = heapAfterFullGc(dut.pid());
                int echoStatus = dut.stop(Processes.Signal.INT, Duration.ofSeconds(10));
                if (echoStatus != 0) {
                    throw new IOException("l2echo exited " + echoStatus + ":\n" + dut.outputTail(20));
                }
                Matcher freed = POOL_FREED.matcher(dut.output());
                outcome = new Outcome(samples, mbufsBefore, mbufsAfter, heapBefore, heapAfter,
                        freed.find() ? freed.group().trim() : "(no word of its pool)");
            }
        } finally {
            Files.deleteIfExists(bed.socket());
            generatorLeftovers.remove();
            echoLeftovers.remove();
        }
        write(output, generator, echo, outcome);
    }

    private void write(Path output, List<String> generator, List<String> echo, Outcome outcome) throws IOException {
        List<Sample> samples = outcome.samples();
        long heapBefore = outcome.heapBefore();
        long heapAfter = outcome.heapAfter();
        StringBuilder md = new StringBuilder("# Soak\n\n");
        md.append("Written by `sudo scripts/benchmark.sh --soak ").append(String.join(" ", settingsArgs()))
                .append("` on ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(".\n\n| what | value |\n| --- | --- |\n");
        Report.machine().forEach(row -> md.append("| ").append(row[0]).append(" | ").append(row[1]).append(" |\n"));
        md.append(String.format(Locale.ROOT, "%nl2echo on the vhost-user bed (`virtio_user`, l2gen serving "
                + "`net_vhost`), %d trials of %d s back to back at %,d pps, 60-byte frames: %s in all. After each "
                + "trial: the echo's resident memory (VmRSS; hugepages are not in it, and its heap is sized and "
                + "touched up front, `" + String.join(" ", ECHO_JVM_OPTIONS) + "`, so only native allocations "
                + "grow it) and the mbufs its pool has out. Before the first trial and after the last, with traffic stopped: the pool's mbufs in use, "
                + "and the JVM heap in use after a full GC (`jcmd PID GC.run`, then `GC.heap_info`).%n%n",
                samples.size(), settings.trial().toSeconds(), settings.ratePps(),
                formatDuration(settings.trial().multipliedBy(samples.size()))));
        md.append("```\n").append(Report.commandLine(generator, repo)).append("\n").append(Report.commandLine(echo, repo))
                .append("\n```\n\n## Verdicts\n\n");
        long lostAfterWarmUp = samples.stream().skip(1).mapToLong(s -> (long) s.result().number("lost")).sum();
        long sent = samples.stream().mapToLong(s -> (long) s.result().number("sent")).sum();
        md.append(verdict("no frame lost after the first (warm-up) trial", lostAfterWarmUp == 0,
                String.format(Locale.ROOT, "%,d lost of %,d sent", lostAfterWarmUp, sent)));
        md.append(verdict("every mbuf back in the pool when the echo freed it", outcome.poolFreed().contains(
                "freed with all"), String.format(Locale.ROOT, "\"%s\"; with traffic stopped and the port open, "
                + "%,d in use before, %,d after: the Rx ring's fill, which varies", outcome.poolFreed(),
                outcome.mbufsBefore(), outcome.mbufsAfter())));
        md.append(verdict("no growth of the JVM heap after a full GC (at most " + HEAP_GROWTH_LIMIT_KB + " kB)",
                heapAfter >= 0 && heapBefore >= 0 && heapAfter - heapBefore <= HEAP_GROWTH_LIMIT_KB,
                heapBefore < 0 ? "jcmd unavailable" : String.format(Locale.ROOT, "%,d kB before, %,d kB after",
                        heapBefore, heapAfter)));
        // Over the second half: the first settles JIT-compiled code and the allocator's arenas.
        Sample middle = samples.get(samples.size() / 2 - 1);
        Sample last = samples.get(samples.size() - 1);
        md.append(verdict("no growth of resident memory over the second half (at most " + RSS_GROWTH_LIMIT_KB
                + " kB)", last.rssKb() - middle.rssKb() <= RSS_GROWTH_LIMIT_KB, String.format(Locale.ROOT,
                "%,d kB after trial %d, %,d kB after trial %d; %,d kB after trial 1", middle.rssKb(), middle.trial(),
                last.rssKb(), last.trial(), samples.get(0).rssKb())));
        md.append("\nA lost frame is one the generator sent that never came back. When one is lost, the "
                + "preemption columns usually say why: the scheduler took a polling thread's CPU for a slice "
                + "(on a machine with fewer than four CPUs the generator, the echo and their JVMs share two), "
                + "and a 1024-entry ring overflows in it.\n");
        md.append("\n## Trials\n\n| trial | sent | echoed | lost | p99 µs | p99.9 µs | max µs | VmRSS kB | mbufs in use "
                + "| echo lcore preempted | generator lcore preempted |\n"
                + "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Sample s : samples) {
            Trial t = s.result();
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %.1f | %.1f | %.1f | %,d | %,d | %,d "
                    + "| %s |%n", s.trial(), t.number("sent"), t.number("echoed"), t.number("lost"), t.number("p99"),
                    t.number("p99_9"), t.number("max"), s.rssKb(), s.mbufsInUse(), s.echoPreemptions(),
                    s.generatorPreemptions() < 0 ? "(exited)" : String.format(Locale.ROOT, "%,d",
                            s.generatorPreemptions())));
        }
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, md.toString());
    }

    private List<String> settingsArgs() {
        return List.of("--seconds", String.valueOf(settings.length().toSeconds()), "--trial-seconds",
                String.valueOf(settings.trial().toSeconds()), "--rate", String.valueOf(settings.ratePps()));
    }

    private static String verdict(String what, boolean met, String measured) {
        return "- " + what + ": **" + (met ? "met" : "missed") + "** (" + measured + ")\n";
    }

    private static String formatDuration(Duration duration) {
        return duration.toMinutes() > 0 ? duration.toMinutes() + " min " + duration.toSecondsPart() + " s"
                : duration.toSeconds() + " s";
    }

    private static long lastMbufsInUse(ChildProcess echo) throws IOException {
        Matcher m = IN_USE.matcher(echo.output());
        OptionalLong last = OptionalLong.empty();
        while (m.find()) {
            last = OptionalLong.of(Long.parseLong(m.group(1).replace(",", "")));
        }
        return last.orElseThrow(() -> new IOException("no 'mbufs in use' in l2echo's output"));
    }

    private static long switchesOr(long pid, long tid, long otherwise) throws IOException {
        try {
            return ProcThreads.involuntarySwitches(pid, tid);
        } catch (NoSuchFileException exited) {
            return otherwise;
        }
    }

    private static long rssKb(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:")).findFirst()
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).orElseThrow();
    }

    /* -1 when the JDK has no jcmd (a bare JRE). */
    private long heapAfterFullGc(long pid) throws IOException {
        Path jcmd = java.resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        Processes.run(Duration.ofSeconds(30), jcmd.toString(), String.valueOf(pid), "GC.run").requireSuccess();
        String info = Processes.run(Duration.ofSeconds(30), jcmd.toString(), String.valueOf(pid), "GC.heap_info")
                .requireSuccess().output();
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IOException("no heap figures in jcmd GC.heap_info:\n" + info);
        }
        return Long.parseLong(m.group(1));
    }
}
