package io.l2echo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** docs/BENCHMARKS.md: the machine, the commands, the tables with ratios to testpmd, and plots. */
final class Report {
    private static final String[] PERCENTILES = {"p50", "p90", "p99", "p99_9", "p99_99", "max"};
    /** An l2echo swap level and the testpmd forward mode it is measured against. */
    private record SwapLevelPair(String name, SystemUnderTest ours, SystemUnderTest peer, boolean peerMatches) {
    }

    private static final List<SwapLevelPair> SWAP_LEVELS = List.of(
            new SwapLevelPair("mac", SystemUnderTest.L2ECHO, SystemUnderTest.TESTPMD, true),
            new SwapLevelPair("ip", SystemUnderTest.L2ECHO_IP, SystemUnderTest.TESTPMD_5TSWAP, false),
            new SwapLevelPair("ports", SystemUnderTest.L2ECHO_PORTS, SystemUnderTest.TESTPMD_5TSWAP, true));

    /* Under each percentile plot, how to read one. */
    private static final String READING_PERCENTILE_PLOTS = "Each curve is one system's round trips sorted from the "
            + "fastest to the slowest frame: left to right the nines axis (90%, 99%, 99.9%, each step ten times "
            + "rarer) runs from the median to the trial's slowest frame, up the log axis the latency, so a lower "
            + "curve is faster and where it bends up is where its tail begins. Thin lines are the single repeats, "
            + "the bold one their point-wise median: the spread between the thin lines is how much the machine "
            + "moved the result from run to run.\n\n";

    /* With fewer than four CPUs nothing keeps the allocating threads off the polling cores. */
    static final String CONTENDED_CPUS = "- With fewer than four CPUs, the allocating threads and the JVM's own GC "
            + "threads share CPUs with the generator's or the echo's polling lcore, so the run under allocation "
            + "load measures CPU contention as much as anything GC does; on a host with spare, isolated CPUs the "
            + "load runs beside the data path instead of on it.\n";

    private final Benchmark.Settings settings;
    private final Map<Bed, Map<SystemUnderTest, List<Benchmark.Run>>> beds;
    private final Map<SystemUnderTest, Benchmark.Run> profiles;
    private final GuestNicBed.Result guest;
    private final String swapKernels;
    private final Path repo;

    Report(Benchmark.Settings settings, Benchmark.Results results, Path repo) {
        this.settings = settings;
        this.beds = results.runs();
        this.profiles = results.profiles();
        this.guest = results.guest();
        this.swapKernels = results.swapKernels();
        this.repo = repo;
    }

    /** A command as a reader types it from the repository root: no path of the machine that ran it. */
    static String commandLine(List<String> command, Path repo) {
        String root = repo.toAbsolutePath().normalize() + "/";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder line = new StringBuilder();
        for (String word : command) {
            line.append(line.length() == 0 ? "" : " ").append(word.equals(java) ? "java" : word.replace(root, ""));
        }
        return line.toString();
    }

    void write(Path markdown) throws IOException {
        Path plots = markdown.resolveSibling("benchmarks");
        Files.createDirectories(plots);
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `sudo scripts/benchmark.sh").append(settings.quick() ? " --quick" : "").append("` on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".");
        if (settings.quick()) {
            md.append(" **Quick mode**: tiny trials that only prove the harness works; the numbers mean little.");
        }
        md.append("\n\n## Machine\n\n");
        md.append("| what | value |\n| --- | --- |\n");
        machine().forEach(row -> md.append("| ").append(row[0]).append(" | ").append(row[1]).append(" |\n"));
        md.append("\n## How it was measured\n\n");
        md.append("One generator for every system, `l2gen` (this project's: native send and receive loops on one "
                + "lcore, round trips TSC-stamped at send and read at receive, into an HdrHistogram). Each "
                + "process runs confined to its own CPU from start to end (`taskset -c`, every thread of it: a JVM's "
                + "GC, JIT and control-plane threads too): the generator on CPU " + Benchmark.GENERATOR_CPU
                + ", the system under test on CPU " + Benchmark.ECHO_CPU + ". Two beds:\n\n");
        for (Bed bed : beds.keySet()) {
            md.append("- **").append(bed.label()).append("**: ").append(bed.description()).append("\n");
        }
        md.append(String.format(Locale.ROOT, "%n- %d-byte frames (%d on the wire), one flow, %d repeat(s) of every "
                + "system, interleaved.%n", settings.frameLength(), settings.frameLength() + 4, settings.repeats()));
        md.append(String.format(Locale.ROOT, "- Warm-up: once a system echoes, l2gen sends at 10,000 pps for %d s, "
                + "unmeasured (`--warm-up`), so a JVM's start-up compilation, confined to the echo's CPU with it, is "
                + "done before the first trial; testpmd gets the same.%n", Benchmark.WARM_UP_SECONDS));
        md.append(String.format(Locale.ROOT, "- Throughput: the highest offered rate at which every frame came back "
                + "(RFC 2544 binary search, %d steps at most, trials of up to %,d frames or %d s, below the rate "
                + "the generator reaches flat out), and what each system echoes when the generator sends flat out.%n",
                settings.searchSteps(), settings.trialFrames(), settings.trialSeconds()));
        md.append("- Latency: offered rates " + settings.latencyRates() + " pps.\n- Systems:\n");
        for (SystemUnderTest system : SystemUnderTest.values()) {
            md.append("  - **").append(system.label()).append("**: ").append(system.description()).append("\n");
        }
        md.append("\nCommands of the first repeat:\n\n```\n");
        beds.values().forEach(systems -> systems.values().forEach(runs -> {
            md.append(commandLine(runs.get(0).generatorCommand(), repo)).append("\n");
            md.append(commandLine(runs.get(0).echoCommand(), repo)).append("\n\n");
        }));
        md.append("```\n\n");

        for (Map.Entry<Bed, Map<SystemUnderTest, List<Benchmark.Run>>> bed : beds.entrySet()) {
            new BedRuns(bed.getKey(), bed.getValue()).write(md, plots);
        }
        writeGuest(md, plots);

        md.append("## Targets\n\n");
        int lastRate = settings.latencyRates().size() - 1;
        BedRuns vhost = new BedRuns(Bed.VHOST, beds.getOrDefault(Bed.VHOST, Map.of()));
        double testpmd = vhost.median(SystemUnderTest.TESTPMD, Report::noLoss);
        double ours = vhost.median(SystemUnderTest.L2ECHO, Report::noLoss);
        md.append(target("vhost-user: no-loss throughput at least testpmd's", ours >= testpmd, ratio(ours, testpmd)));
        double flatOurs = vhost.median(SystemUnderTest.L2ECHO, Report::flatOutEchoedPps);
        double flatTheirs = vhost.median(SystemUnderTest.TESTPMD, Report::flatOutEchoedPps);
        md.append(target("vhost-user: flat-out echo rate at least testpmd's", flatOurs >= flatTheirs,
                ratio(flatOurs, flatTheirs)));
        for (String percentile : new String[] {"p99", "p99_9"}) {
            double mine = vhost.latency(SystemUnderTest.L2ECHO, lastRate, percentile);
            double theirs = vhost.latency(SystemUnderTest.TESTPMD, lastRate, percentile);
            md.append(target("vhost-user: " + percentile.replace('_', '.') + " within 10% of testpmd's at "
                    + settings.latencyRates().get(lastRate) + " pps", mine <= theirs * 1.1, ratio(mine, theirs)));
        }
        double quiet = vhost.latency(SystemUnderTest.L2ECHO, lastRate, "p99_9");
        double loaded = vhost.latency(SystemUnderTest.L2ECHO_UNDER_GARBAGE, lastRate, "p99_9");
        md.append(target("vhost-user: p99.9 under allocation load within 10% of the quiet run", loaded <= quiet * 1.1,
                ratio(loaded, quiet)));
        BedRuns veth = new BedRuns(Bed.VETH, beds.getOrDefault(Bed.VETH, Map.of()));
        double kernel = veth.latency(SystemUnderTest.KERNEL_ECHO, lastRate, "p99");
        double echoOnVeth = veth.latency(SystemUnderTest.L2ECHO, lastRate, "p99");
        md.append("- veth (reported as measured, no target: `net_af_packet` rides the kernel too): l2echo's p99 "
                + "is " + ratio(echoOnVeth, kernel) + " the kernel socket echo's\n");
        int lastGuestRate = settings.guestRates().size() - 1;
        double guestKernel = guest.latency(GuestNicBed.KERNEL, lastGuestRate, "p99");
        double guestEcho = guest.latency(GuestNicBed.L2ECHO, lastGuestRate, "p99");
        md.append(target("guest NIC: p99 ten times lower than the kernel socket echo's at "
                + settings.guestRates().get(lastGuestRate) + " pps", guestEcho > 0 && guestEcho * 10 <= guestKernel,
                guestEcho == 0 ? "n/a" : "the kernel echo's p99 is " + ratio(guestKernel, guestEcho) + " l2echo's"));
        double flatJava = vhost.median(SystemUnderTest.JAVA_HANDLER, Report::flatOutEchoedPps);
        md.append(target("vhost-user: the Java handler's flat-out echo rate at least 0.95x l2echo's",
                flatJava >= 0.95 * flatOurs, ratio(flatJava, flatOurs)));
        double cyclesTestpmd = vhost.median(SystemUnderTest.TESTPMD, Benchmark.Run::cyclesPerFrame);
        double cyclesOurs = vhost.median(SystemUnderTest.L2ECHO, Benchmark.Run::cyclesPerFrame);
        double cyclesJava = vhost.median(SystemUnderTest.JAVA_HANDLER, Benchmark.Run::cyclesPerFrame);
        md.append(target("vhost-user: l2echo's busy cycles per frame at most 1.05x testpmd's",
                cyclesOurs <= 1.05 * cyclesTestpmd, ratio(cyclesOurs, cyclesTestpmd)));
        md.append(target("vhost-user: the Java handler's busy cycles per frame at most 1.15x l2echo's",
                cyclesJava <= 1.15 * cyclesOurs, ratio(cyclesJava, cyclesOurs)));
        for (SwapLevelPair level : SWAP_LEVELS) {
            if (!level.peerMatches()) {
                continue;
            }
            double flat = vhost.median(level.ours(), Report::flatOutEchoedPps);
            double peerFlat = vhost.median(level.peer(), Report::flatOutEchoedPps);
            md.append(target("vhost-user, swap " + level.name() + ": l2echo's flat-out echo rate at least 0.95x "
                    + level.peer().label() + "'s", flat >= 0.95 * peerFlat, ratio(flat, peerFlat)));
            // Frames per busy cycle is the rate a saturated core reaches: the inverse of cycles per frame.
            double cycles = vhost.median(level.ours(), Benchmark.Run::cyclesPerFrame);
            double peerCycles = vhost.median(level.peer(), Benchmark.Run::cyclesPerFrame);
            md.append(target("vhost-user, swap " + level.name() + ": l2echo's frames per busy cycle at least 0.95x "
                    + level.peer().label() + "'s", peerCycles >= 0.95 * cycles, ratio(peerCycles, cycles)));
        }
        if (Runtime.getRuntime().availableProcessors() < 4) {
            md.append(CONTENDED_CPUS);
        }
        md.append(profileEvidence());
        md.append("\nWhere a target is missed, the profile below says whether the echo's own code or the "
                + "machine is the cause. On a shared two-CPU virtual machine, rerun on a host with isolated CPUs "
                + "before drawing conclusions: one preemption of a polling thread there overflows a 256-entry "
                + "virtio ring, which the strict no-loss search punishes hardest. The ratios, measured in one run, "
                + "are what to compare.\n\n");
        writeProfiles(md);
        writeJavaHandlerCost(md);
        writeCycles(md);
        writeSwapLevels(md);
        writeCaptureCost(md);

        md.append("## Nothing crosses JNI per packet\n\n| bed | system | run | JNI calls into the shim | frames echoed |\n"
                + "| --- | --- | ---: | ---: | ---: |\n");
        beds.forEach((bed, systems) -> systems.forEach((system, runs) -> runs.stream().filter(r -> r.jniCalls() >= 0)
                .forEach(run -> md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,d | %,d |%n", bed.label(),
                        system.label(), run.repeat(), run.jniCalls(), run.framesEchoed())))));
        md.append("\nEvery native is registered through a wrapper that counts its calls; the echo prints the count "
                + "when it stops. The Java handler's count is one call per poll and one per burst sent: see the Java "
                + "packet logic section above.\n");
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.writeString(markdown, md.toString());
    }

    /* The profile's figures next to the targets: the code's share against the machine's. */
    private String profileEvidence() {
        Benchmark.Run ours = profiles.get(SystemUnderTest.L2ECHO);
        Benchmark.Run theirs = profiles.get(SystemUnderTest.TESTPMD);
        Benchmark.Run loaded = profiles.get(SystemUnderTest.L2ECHO_UNDER_GARBAGE);
        if (ours == null || theirs == null) {
            return "";
        }
        Profiler.PollingProfile o = ours.profile().orElseThrow();
        Profiler.PollingProfile t = theirs.profile().orElseThrow();
        String text = String.format(Locale.ROOT, "- Profile evidence (flat out, vhost-user, below): l2echo's polling "
                + "lcore had %.0f%% of its CPU and was preempted %.0f times a second, testpmd's %.0f%% and "
                + "%.0f; of their samples the PMD took %.0f%% and %.0f%%, the echo's own loop %.0f%% and %.0f%%, the "
                + "JVM %.1f%% of l2echo's. What displaced l2echo's: %s; testpmd's: %s.", o.onCpuPercent(),
                o.echoPreemptionsPerSecond(), t.onCpuPercent(), t.echoPreemptionsPerSecond(), o.percentIn("librte_"),
                t.percentIn("librte_"), o.percentIn("libdpdkj"), t.percentIn("dpdk-testpmd"), o.percentIn("libjvm"),
                o.topOthers(3), t.topOthers(3));
        if (loaded != null) {
            Profiler.PollingProfile l = loaded.profile().orElseThrow();
            text += String.format(Locale.ROOT, " Under allocation load l2echo's polling lcore had %.0f%% of its CPU "
                    + "(preempted %.0f times a second; displaced by %s), the JVM %.1f%% of its samples%s.",
                    l.onCpuPercent(), l.echoPreemptionsPerSecond(), l.topOthers(3), l.percentIn("libjvm"),
                    l.percentIn("libjvm") < 1 ? ": the load takes CPU time from the data path; no JVM code runs on it"
                            : "");
        }
        return text + "\n";
    }

    /*
     * The Java handler against the native echo on each bed, from the same runs: the time per frame
     * that each one's rates leave, and the JNI calls it made per frame.
     */
    private void writeJavaHandlerCost(StringBuilder md) {
        md.append("## Java packet logic: cost per packet\n\n");
        md.append("`l2echo, Java handler` is l2echo's port, pool and options with the MAC swap moved into a Java "
                + "`PacketHandler`: a Java thread pinned to lcore 1's CPU polls the queue through `PacketQueue` "
                + "(one JNI call receives a burst, whose frames Java rewrites in their mbufs, one sends it back), "
                + "against `l2echo`, whose "
                + "loop is native. Time per frame is 10⁹ / rate: at the no-loss rate, the budget per frame at the "
                + "highest rate without loss; flat out, where the polling CPU is saturated, what a frame costs on "
                + "that path (PMD, handler, JNI), so the difference is what the Java handler adds per frame "
                + "(a lower bound where the generator, not the echo, caps the flat-out rate). JNI calls per frame: "
                + "over the whole run, idle polls between trials included, and counting only the polls that "
                + "returned frames (one receive and one transmit per burst, divided by the frames echoed). Medians "
                + "over " + settings.repeats() + " repeat(s).\n\n");
        md.append("| bed | system | no-loss rate | ns per frame at it | flat out: echoed | ns per frame flat out | "
                + "JNI calls per frame, whole run | JNI calls per frame in bursts | frames per burst |\n"
                + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        List<String> verdicts = new ArrayList<>();
        beds.forEach((bed, systems) -> {
            BedRuns runs = new BedRuns(bed, systems);
            if (!systems.containsKey(SystemUnderTest.L2ECHO) || !systems.containsKey(SystemUnderTest.JAVA_HANDLER)) {
                return;
            }
            for (SystemUnderTest system : List.of(SystemUnderTest.L2ECHO, SystemUnderTest.JAVA_HANDLER)) {
                double noLoss = runs.median(system, Report::noLoss);
                double flatOut = runs.median(system, Report::flatOutEchoedPps);
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f pps | %s | %,.0f pps | %s | %s | %s | %.1f |%n",
                        bed.label(), system.label(), noLoss, nanosPerFrame(noLoss), flatOut, nanosPerFrame(flatOut),
                        perFrame(runs.median(system, run -> ratioOrNaN(run.jniCalls(), run.framesEchoed()))),
                        system == SystemUnderTest.JAVA_HANDLER ? perFrame(runs.median(system,
                                run -> ratioOrNaN(2 * run.rxBursts(), run.framesEchoed()))) : "0",
                        runs.median(system, run -> ratioOrNaN(run.framesEchoed(), run.rxBursts()))));
            }
            double nativeFlat = runs.median(SystemUnderTest.L2ECHO, Report::flatOutEchoedPps);
            double javaFlat = runs.median(SystemUnderTest.JAVA_HANDLER, Report::flatOutEchoedPps);
            double nativeNoLoss = runs.median(SystemUnderTest.L2ECHO, Report::noLoss);
            double javaNoLoss = runs.median(SystemUnderTest.JAVA_HANDLER, Report::noLoss);
            verdicts.add(String.format(Locale.ROOT, "- %s: flat out the Java handler echoed %s the native echo's "
                    + "rate, %s (%s against %s); at the no-loss rate %s (%s against %s per frame).%n",
                    bed.label(), ratio(javaFlat, nativeFlat), nanosDifference(javaFlat, nativeFlat),
                    nanosPerFrame(javaFlat), nanosPerFrame(nativeFlat), ratio(javaNoLoss, nativeNoLoss),
                    nanosPerFrame(javaNoLoss), nanosPerFrame(nativeNoLoss)));
        });
        md.append("\n");
        verdicts.forEach(md::append);
        beds.values().stream().map(systems -> systems.get(SystemUnderTest.JAVA_HANDLER)).filter(runs -> runs != null)
                .findFirst().ifPresent(runs -> md.append("\nThe Java handler's command, as the benchmark ran it:\n\n```\n")
                        .append(commandLine(runs.get(0).echoCommand(), repo)).append("\n```\n"));
        md.append("\nEvery call into the shim is counted, so the Java handler's count is exactly its control-path calls "
                + "plus one per poll plus one per burst sent: no call is made per packet, but a busy-spinning Java "
                + "poller crosses JNI millions of times a second even when idle. No frame is copied: the handler "
                + "reads and writes the received mbufs in place. What the Java thread adds besides is that it "
                + "stops at the JVM's safepoints and GC pauses, which never reach the native echo's lcore.\n\n");
    }

    /*
     * Busy TSC cycles per frame, every system side by side: what a frame costs the polling core
     * whatever rate the generator manages. And what the Java handler's thread allocated.
     */
    private void writeCycles(StringBuilder md) {
        md.append("## What a frame costs the polling core\n\n");
        md.append("Busy TSC cycles per frame received, over the whole run: the TSC read before every Rx poll and "
                + "again once a non-empty poll's burst has gone out, empty polls excluded, divided by the frames "
                + "received. testpmd counts it itself (`--record-core-cycles`, its \"CPU cycles/packet\"); our "
                + "loops count it the same way in every queue's counters (`busy_cycles`), the Java handler's "
                + "receive and transmit calls and the handler between them included. Rates stop at what the "
                + "generator reaches; this does not. Every process ran confined to its own CPU (`taskset -c`, the "
                + "whole JVM: GC, JIT and control-plane threads included): the generator on CPU "
                + Benchmark.GENERATOR_CPU + ", the system under test on CPU " + Benchmark.ECHO_CPU + ". Medians over "
                + settings.repeats() + " interleaved repeat(s).\n\n");
        md.append("| bed | system | cycles per frame (median) | min – max | vs testpmd | vs l2echo |\n"
                + "| --- | --- | ---: | ---: | ---: | ---: |\n");
        beds.forEach((bed, systems) -> {
            BedRuns runs = new BedRuns(bed, systems);
            double testpmd = runs.median(SystemUnderTest.TESTPMD, Benchmark.Run::cyclesPerFrame);
            double l2echo = runs.median(SystemUnderTest.L2ECHO, Benchmark.Run::cyclesPerFrame);
            for (SystemUnderTest system : systems.keySet()) {
                double cycles = runs.median(system, Benchmark.Run::cyclesPerFrame);
                if (Double.isNaN(cycles)) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f – %.1f | %s | %s |%n", bed.label(),
                        system.label(), cycles, runs.min(system, Benchmark.Run::cyclesPerFrame),
                        runs.max(system, Benchmark.Run::cyclesPerFrame), ratio(cycles, testpmd),
                        system == SystemUnderTest.TESTPMD ? "" : ratio(cycles, l2echo)));
            }
        });
        md.append("\nThe Java handler's polling thread, and collections in the echo's JVM (`-Xlog:gc`), per run:\n\n"
                + "| bed | system | run | heap bytes the polling thread allocated | bursts | per burst | "
                + "collections |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        beds.forEach((bed, systems) -> systems.forEach((system, runs) -> runs.stream()
                .filter(run -> run.gcPauses() >= 0)
                .forEach(run -> md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %d |%n",
                        bed.label(), system.label(), run.repeat(),
                        run.loopAllocatedBytes() < 0 ? "" : String.format(Locale.ROOT, "%,d", run.loopAllocatedBytes()),
                        run.loopAllocatedBytes() < 0 ? "" : String.format(Locale.ROOT, "%,d", run.rxBursts()),
                        run.loopAllocatedBytes() < 0 ? "" : String.format(Locale.ROOT, "%.4f",
                                ratioOrNaN(run.loopAllocatedBytes(), run.rxBursts())),
                        run.gcPauses())))));
        md.append("\nThe polling thread's bytes are HotSpot's own count for that thread "
                + "(`ThreadMXBean.getCurrentThreadAllocatedBytes`, read when it starts and stops polling): the "
                + "same few kilobytes in every run however long it lasts, taken by the first bursts (class "
                + "loading and linking), then nothing. Copies per frame: none; the handler works on the mbufs.\n\n");
    }

    /*
     * Each swap level of l2echo beside testpmd's matching forward mode on the vhost-user bed, and
     * what the deeper levels cost over MAC only, for both.
     */
    private void writeSwapLevels(StringBuilder md) {
        md.append("## Swap levels beside testpmd\n\n");
        md.append("`l2echo --swap mac|ip|ports` against testpmd's forward mode for the same work on the vhost-user "
                + "bed: `macswap` for MAC, `5tswap` (MAC, IP addresses and UDP/TCP ports) for ports. testpmd has "
                + "no mode that swaps IP addresses alone, so the ip level stands against 5tswap, which does more. "
                + "l2gen checks every echo against the level (`l2gen --swap`): a field swapped that should not be, "
                + "or not swapped that should, counts as corrupted. Busy cycles per frame are the cost the "
                + "generator's pace does not cap; the rates are capped by it. Medians over " + settings.repeats()
                + " interleaved repeat(s).\n\n");
        md.append("| level | l2echo: cycles per frame | min – max | testpmd | its cycles per frame | frames per "
                + "busy cycle vs testpmd | l2echo flat out | vs testpmd | l2echo no-loss | vs testpmd | corrupted "
                + "echoes |\n| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        BedRuns vhost = new BedRuns(Bed.VHOST, beds.getOrDefault(Bed.VHOST, Map.of()));
        for (SwapLevelPair level : SWAP_LEVELS) {
            double cycles = vhost.median(level.ours(), Benchmark.Run::cyclesPerFrame);
            double peerCycles = vhost.median(level.peer(), Benchmark.Run::cyclesPerFrame);
            double flat = vhost.median(level.ours(), Report::flatOutEchoedPps);
            double noLoss = vhost.median(level.ours(), Report::noLoss);
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f – %.1f | %s%s | %.1f | %s | %,.0f pps | %s | "
                    + "%,.0f pps | %s | %,.0f |%n", level.name(), cycles,
                    vhost.min(level.ours(), Benchmark.Run::cyclesPerFrame),
                    vhost.max(level.ours(), Benchmark.Run::cyclesPerFrame), level.peer().label(),
                    level.peerMatches() ? "" : " (does more)", peerCycles, ratio(peerCycles, cycles), flat,
                    ratio(flat, vhost.median(level.peer(), Report::flatOutEchoedPps)), noLoss,
                    ratio(noLoss, vhost.median(level.peer(), Report::noLoss)),
                    vhost.sum(level.ours(), run -> run.trials().stream().filter(t -> !t.phase().equals("throughput"))
                            .mapToDouble(t -> t.number("corrupted")).sum())));
        }
        double mac = vhost.median(SystemUnderTest.L2ECHO, Benchmark.Run::cyclesPerFrame);
        double macswap = vhost.median(SystemUnderTest.TESTPMD, Benchmark.Run::cyclesPerFrame);
        double fiveTuple = vhost.median(SystemUnderTest.TESTPMD_5TSWAP, Benchmark.Run::cyclesPerFrame);
        md.append(String.format(Locale.ROOT, "%nWhat the deeper levels cost over MAC only, in busy cycles per frame "
                + "(medians): l2echo ip %+.1f (%s), ports %+.1f (%s); testpmd 5tswap over macswap %+.1f (%s).%n%n",
                vhost.median(SystemUnderTest.L2ECHO_IP, Benchmark.Run::cyclesPerFrame) - mac,
                ratio(vhost.median(SystemUnderTest.L2ECHO_IP, Benchmark.Run::cyclesPerFrame), mac),
                vhost.median(SystemUnderTest.L2ECHO_PORTS, Benchmark.Run::cyclesPerFrame) - mac,
                ratio(vhost.median(SystemUnderTest.L2ECHO_PORTS, Benchmark.Run::cyclesPerFrame), mac),
                fiveTuple - macswap, ratio(fiveTuple, macswap)));
        if (!swapKernels.isEmpty()) {
            md.append("The kernels alone (`bench_reflect`, on CPU " + Benchmark.ECHO_CPU + "): cycles per frame of "
                    + "each level's swap on frames already in cache, best of seven runs, without the PMD, the mbuf "
                    + "pool or memory latency. `macswap` is the plain MAC swap the others grew from; LEVEL/POLICY is "
                    + "the echo's loop at that `--swap` and `--reflect` (`uni`: the default, unicast only; `all`: "
                    + "everything; `grp`: group-addressed too); SCTP pays for its CRC32c at the ports level:\n\n```\n")
                    .append(swapKernels).append("\n```\n\n");
        }
    }

    /* l2echo with dpdk-dumpcap attached against l2echo alone, on the vhost-user bed. */
    private void writeCaptureCost(StringBuilder md) {
        BedRuns vhost = new BedRuns(Bed.VHOST, beds.getOrDefault(Bed.VHOST, Map.of()));
        if (!beds.getOrDefault(Bed.VHOST, Map.of()).containsKey(SystemUnderTest.L2ECHO_CAPTURED)) {
            return;
        }
        md.append("## What a capture costs\n\n`l2echo --capturable` with `dpdk-dumpcap` attached for the whole run "
                + "(writing pcapng of both directions to /dev/null, confined to the echo's CPU like everything of "
                + "the echo's), against `l2echo` alone, on the vhost-user bed: the echo's loop copies every frame "
                + "it receives and sends into dumpcap's pool (DPDK's pdump callbacks), and dumpcap drains them on "
                + "the same CPU. Medians over " + settings.repeats() + " repeat(s).\n\n");
        md.append("| system | flat out: echoed | vs l2echo | busy cycles per frame | vs l2echo | frames dumpcap "
                + "received | dropped on the way |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        double flat = vhost.median(SystemUnderTest.L2ECHO, Report::flatOutEchoedPps);
        double cycles = vhost.median(SystemUnderTest.L2ECHO, Benchmark.Run::cyclesPerFrame);
        for (SystemUnderTest system : List.of(SystemUnderTest.L2ECHO, SystemUnderTest.L2ECHO_CAPTURED)) {
            boolean captured = system == SystemUnderTest.L2ECHO_CAPTURED;
            double systemFlat = vhost.median(system, Report::flatOutEchoedPps);
            double systemCycles = vhost.median(system, Benchmark.Run::cyclesPerFrame);
            md.append(String.format(Locale.ROOT, "| %s | %,.0f pps | %s | %.1f | %s | %s | %s |%n", system.label(),
                    systemFlat, ratio(systemFlat, flat), systemCycles, ratio(systemCycles, cycles),
                    captured ? String.format(Locale.ROOT, "%,.0f", vhost.median(system, Benchmark.Run::capturedFrames))
                            : "",
                    captured ? String.format(Locale.ROOT, "%,.0f", vhost.median(system, Benchmark.Run::captureDropped))
                            : ""));
        }
        md.append("\n");
    }

    private static double ratioOrNaN(long value, long per) {
        return value < 0 || per <= 0 ? Double.NaN : (double) value / per;
    }

    private static String perFrame(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String nanosPerFrame(double pps) {
        return pps <= 0 ? "n/a" : String.format(Locale.ROOT, "%,.0f ns", 1e9 / pps);
    }

    private static String nanosDifference(double pps, double referencePps) {
        if (pps <= 0 || referencePps <= 0) {
            return "n/a";
        }
        double nanos = 1e9 / pps - 1e9 / referencePps;
        return String.format(Locale.ROOT, "%,.0f ns per frame %s", Math.abs(nanos), nanos < 0 ? "less" : "more");
    }

    /* perf on the echo's polling thread while the generator sends flat out, one run per system. */
    private void writeGuest(StringBuilder md, Path plots) throws IOException {
        md.append("## Round-trip latency on a guest's PCI NIC\n\n`scripts/nic-lab.sh --scenario latency`: a QEMU "
                + "guest (2 vCPUs) with an emulated virtio-net PCI NIC on a tap; l2gen on the tap's host side. The "
                + "guest's kernel echoes first (`kernel_echo` on an AF_PACKET socket, the NIC on its kernel driver), "
                + "then testpmd macswap and l2echo with the NIC bound to `uio_pci_generic`: DPDK owns the device, "
                + "the guest kernel never sees a frame. Microseconds.\n\n");
        if (guest.notMeasured().isPresent()) {
            md.append("Not measured: ").append(guest.notMeasured().get()).append("\n\n");
            return;
        }
        md.append("| system | offered | p50 | p90 | p99 | p99.9 | max | lost | p99 vs kernel echo |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (String system : List.of(GuestNicBed.KERNEL, GuestNicBed.TESTPMD, GuestNicBed.L2ECHO)) {
            for (int r = 0; r < settings.guestRates().size(); r++) {
                List<Trial> trials = guest.trials().getOrDefault(system, List.of());
                if (r >= trials.size()) {
                    continue;
                }
                Trial trial = trials.get(r);
                md.append(String.format(Locale.ROOT, "| %s | %,d pps | %.1f | %.1f | %.1f | %.1f | %.1f | %,d | %s |%n",
                        system, settings.guestRates().get(r), trial.number("p50"), trial.number("p90"),
                        trial.number("p99"), trial.number("p99_9"), trial.number("max"), (long) trial.number("lost"),
                        ratio(trial.number("p99"), guest.latency(GuestNicBed.KERNEL, r, "p99"))));
            }
        }
        if (guest.underTcg()) {
            md.append("\nThis host offers no hardware virtualization, so the guest ran under QEMU's TCG, instruction "
                    + "by instruction, its NIC emulated in software on the same CPUs as l2gen: milliseconds of "
                    + "emulation sit on every round trip, for every system alike, and bury the difference between "
                    + "the paths. Absolute figures on a KVM guest or a real NIC are orders of magnitude lower.\n");
        }
        md.append("\n");
        Map<String, SystemUnderTest> colours = Map.of(GuestNicBed.KERNEL, SystemUnderTest.KERNEL_ECHO,
                GuestNicBed.TESTPMD, SystemUnderTest.TESTPMD, GuestNicBed.L2ECHO, SystemUnderTest.L2ECHO);
        for (long rate : settings.guestRates()) {
            String png = "latency-guest-" + rate + "pps.png";
            List<Plots.LatencyCurves> curves = new ArrayList<>();
            for (String system : List.of(GuestNicBed.KERNEL, GuestNicBed.TESTPMD, GuestNicBed.L2ECHO)) {
                Histogram roundTrips = guest.roundTrips().getOrDefault(system, Map.of()).get(HistogramLogs.latencyTag(rate));
                curves.add(new Plots.LatencyCurves(system, colours.get(system).ordinal(),
                        roundTrips == null ? List.of() : List.of(roundTrips)));
            }
            Plots.percentileDistribution(plots.resolve(png), String.format(Locale.ROOT,
                    "Round trip, guest's PCI NIC, %,d pps offered", rate), curves);
            md.append("![round-trip percentile distribution, guest NIC, ").append(rate).append(" pps](benchmarks/")
                    .append(png).append(")\n\n");
        }
    }

    private void writeProfiles(StringBuilder md) {
        md.append("## Where the polling lcore's time goes\n\n");
        if (profiles.isEmpty()) {
            md.append("Not profiled: `perf` is not installed (Debian: `apt-get install linux-perf`).\n\n");
            return;
        }
        md.append("One more run of each system on the vhost-user bed, the generator sending flat out, `perf record "
                + "-e cpu-clock -F 4999 -C <cpu>` on the CPU the echo's polling thread (lcore 1) is pinned to, for "
                + "a window of it. The thread's samples are summed by shared object: DPDK's PMD and libraries "
                + "(`librte_*`), the echo's own loop (`dpdk-testpmd` or `libdpdkj.so`), the JVM (`libjvm.so`) and "
                + "the kernel. \"On its CPU\" is the thread's part of all the samples taken on that CPU; the rest "
                + "went to the threads listed after the table, which displaced it. Preemptions are the thread's "
                + "involuntary context switches over the window (/proc): each is time in which the queue was not "
                + "polled.\n\n");
        md.append("| system | sent | echoed | lost | samples | on its CPU | DPDK | own loop | JVM | kernel | echo lcore "
                + "preempted | generator lcore preempted |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                + "| ---: | ---: | ---: |\n");
        profiles.forEach((system, run) -> {
            Profiler.PollingProfile profile = run.profile().orElseThrow();
            Trial trial = run.latency().get(0);
            md.append(String.format(Locale.ROOT, "| %s | %,.0f pps | %,.0f | %,.0f | %,d | %.0f%% | %.1f%% | %.1f%% | "
                    + "%.1f%% | %.1f%% | %.1f /s | %.1f /s |%n", system.label(), trial.number("sent_pps"),
                    trial.number("echoed"), trial.number("lost"), profile.samples(), profile.onCpuPercent(),
                    profile.percentIn("librte_"),
                    profile.percentIn("dpdk-testpmd", "libdpdkj"), profile.percentIn("libjvm"),
                    profile.percentIn("kernel"), profile.echoPreemptionsPerSecond(),
                    profile.generatorPreemptionsPerSecond()));
        });
        md.append("\nThe polling thread's samples by shared object, largest first:\n\n");
        profiles.forEach((system, run) -> md.append("- ").append(system.label()).append(": ")
                .append(run.profile().orElseThrow().topShares(6)).append("\n"));
        md.append("\nWhat else ran on the polling thread's CPU, by thread name, in percent of the CPU's samples:\n\n");
        profiles.forEach((system, run) -> md.append("- ").append(system.label()).append(": ")
                .append(run.profile().orElseThrow().topOthers(6)).append("\n"));
        md.append("\nHow to read it: when the echo's loop and the PMD take the same shares for l2echo as for "
                + "testpmd and `libjvm.so` takes none, the data path is the same C work, and the JVM is not on it; "
                + "losses and tail latency that differ between runs then follow the preemption counts (a "
                + "preempted polling lcore stops draining its ring for a whole scheduler slice), not the code. The "
                + "throughput tables give the echo lcore's preemptions over each whole run as well.\n\n");
    }

    private static double noLoss(Benchmark.Run run) {
        return run.throughput().number("no_loss_pps");
    }

    /** One bed's runs: its tables, its plots, and the statistics over its repeats. */
    private final class BedRuns {
        private final Bed bed;
        private final Map<SystemUnderTest, List<Benchmark.Run>> runs;

        BedRuns(Bed bed, Map<SystemUnderTest, List<Benchmark.Run>> runs) {
            this.bed = bed;
            this.runs = runs;
        }

        void write(StringBuilder md, Path plots) throws IOException {
            String name = bed.name().toLowerCase(Locale.ROOT);
            md.append("## Throughput on the ").append(bed.label()).append(" bed\n\n");
            md.append("The no-loss rate is the strict RFC 2544 figure; the flat-out columns show what each system "
                    + "forwards when the generator sends as fast as the port takes frames, loss allowed.\n\n");
            md.append("| system | no-loss rate (median) | min – max | vs testpmd | flat out: echoed (median) | "
                    + "flat out: lost | echoed vs testpmd | echo lcore preempted in the run (median) |\n"
                    + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            double testpmd = median(SystemUnderTest.TESTPMD, Report::noLoss);
            double testpmdFlatOut = median(SystemUnderTest.TESTPMD, Report::flatOutEchoedPps);
            for (SystemUnderTest system : runs.keySet()) {
                double value = median(system, Report::noLoss);
                double flatOut = median(system, Report::flatOutEchoedPps);
                md.append(String.format(Locale.ROOT, "| %s | %,.0f pps | %,.0f – %,.0f | %s | %,.0f pps | %.2f%% | "
                        + "%s | %,.0f times |%n", system.label(), value, min(system, Report::noLoss),
                        max(system, Report::noLoss), ratio(value, testpmd), flatOut,
                        median(system, Report::flatOutLossPercent), ratio(flatOut, testpmdFlatOut),
                        median(system, Benchmark.Run::echoPreemptions)));
            }
            md.append("\n![no-loss and flat-out echo rates, ").append(bed.label()).append("](benchmarks/throughput-")
                    .append(name).append(".png)\n\n");
            throughputPlot(plots.resolve("throughput-" + name + ".png"));

            md.append("## Round-trip latency on the ").append(bed.label())
                    .append(" bed\n\nMedians over the repeats, in microseconds.\n\n");
            md.append("| system | offered | p50 | p90 | p99 | p99.9 | p99.99 | max | lost | p99 vs testpmd | "
                    + "p99.9 vs testpmd |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (int r = 0; r < settings.latencyRates().size(); r++) {
                int rate = r;
                for (SystemUnderTest system : runs.keySet()) {
                    md.append(String.format(Locale.ROOT, "| %s | %,d pps |", system.label(),
                            settings.latencyRates().get(r)));
                    for (String percentile : PERCENTILES) {
                        md.append(String.format(Locale.ROOT, " %.1f |", latency(system, rate, percentile)));
                    }
                    md.append(String.format(Locale.ROOT, " %,.0f | %s | %s |%n",
                            sum(system, run -> run.latency().get(rate).number("lost")),
                            ratio(latency(system, rate, "p99"), latency(SystemUnderTest.TESTPMD, rate, "p99")),
                            ratio(latency(system, rate, "p99_9"), latency(SystemUnderTest.TESTPMD, rate, "p99_9"))));
                }
            }
            md.append("\n");
            for (long rate : settings.latencyRates()) {
                String png = "latency-" + name + "-" + rate + "pps.png";
                md.append("![round-trip percentile distribution, ").append(bed.label()).append(", ").append(rate)
                        .append(" pps](benchmarks/").append(png).append(")\n\n");
                List<Plots.LatencyCurves> curves = new ArrayList<>();
                for (SystemUnderTest system : runs.keySet()) {
                    curves.add(new Plots.LatencyCurves(system.label(), system.ordinal(), runs.get(system).stream()
                            .map(run -> run.roundTrips(rate)).flatMap(Optional::stream).toList()));
                }
                Plots.percentileDistribution(plots.resolve(png), String.format(Locale.ROOT,
                        "Round trip, %s bed, %,d pps offered, %d-byte frames", bed.label(), rate,
                        settings.frameLength()), curves);
            }
            md.append(READING_PERCENTILE_PLOTS);
        }

        double latency(SystemUnderTest system, int rate, String percentile) {
            return median(system, run -> run.latency().get(rate).number(percentile));
        }

        double median(SystemUnderTest system, ToDoubleFunction<Benchmark.Run> value) {
            double[] values = runs.getOrDefault(system, List.of()).stream().mapToDouble(value).sorted().toArray();
            return values.length == 0 ? 0 : values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        }

        double min(SystemUnderTest system, ToDoubleFunction<Benchmark.Run> value) {
            return runs.getOrDefault(system, List.of()).stream().mapToDouble(value).min().orElse(0);
        }

        double max(SystemUnderTest system, ToDoubleFunction<Benchmark.Run> value) {
            return runs.getOrDefault(system, List.of()).stream().mapToDouble(value).max().orElse(0);
        }

        double sum(SystemUnderTest system, ToDoubleFunction<Benchmark.Run> value) {
            return runs.getOrDefault(system, List.of()).stream().mapToDouble(value).sum();
        }

        /* Every system's no-loss and flat-out rates, median and spread over the repeats. */
        void throughputPlot(Path png) throws IOException {
            List<Plots.Rates> rates = new ArrayList<>();
            for (SystemUnderTest system : runs.keySet()) {
                rates.add(new Plots.Rates(system.label(), system.ordinal(), range(system, Report::noLoss),
                        range(system, Report::flatOutEchoedPps)));
            }
            Plots.rates(png, String.format(Locale.ROOT, "Echo rates, %s bed, %d-byte frames", bed.label(),
                    settings.frameLength()), settings.repeats(), rates);
        }

        Plots.RateRange range(SystemUnderTest system, ToDoubleFunction<Benchmark.Run> value) {
            return new Plots.RateRange(median(system, value), min(system, value), max(system, value));
        }
    }

    /* The search's first trial is flat out: what was echoed, per second of sending. */
    private static double flatOutEchoedPps(Benchmark.Run run) {
        Trial flatOut = run.flatOut();
        double sent = flatOut.number("sent");
        return sent == 0 ? 0 : flatOut.number("sent_pps") * flatOut.number("echoed") / sent;
    }

    private static double flatOutLossPercent(Benchmark.Run run) {
        Trial flatOut = run.flatOut();
        return 100.0 * flatOut.number("lost") / flatOut.number("count");
    }

    /* A ratio against nothing measured is no verdict. */
    private static String target(String what, boolean met, String ratio) {
        String verdict = ratio.equals("n/a") ? "not measured" : met ? "met" : "missed";
        return "- " + what + ": **" + verdict + "** (" + ratio + ")\n";
    }

    private static String ratio(double value, double reference) {
        return reference == 0 || Double.isNaN(reference) || Double.isNaN(value) ? "n/a"
                : String.format(Locale.ROOT, "%.2f×", value / reference);
    }

    static List<String[]> machine() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CPU", firstLine("/proc/cpuinfo", "model name")});
        rows.add(new String[] {"CPUs", String.valueOf(Runtime.getRuntime().availableProcessors())});
        rows.add(new String[] {"kernel", System.getProperty("os.version")});
        rows.add(new String[] {"Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")});
        rows.add(new String[] {"DPDK", command("pkg-config", "--modversion", "libdpdk")});
        return rows;
    }

    private static String firstLine(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(line -> line.startsWith(key)).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String command(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes()).trim();
            return process.waitFor() == 0 ? text : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
