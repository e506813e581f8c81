package io.l2echo.bench;

import io.l2echo.testkit.ChildProcess;
import io.l2echo.testkit.Leftovers;
import io.l2echo.testkit.ProcThreads;
import io.l2echo.testkit.Processes;
import io.l2echo.testkit.VethBed;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import sun.misc.Signal;

/**
 * The benchmark, in one run: the same generator against each system in turn, on each bed
 * (vhost-user, veth), repeated, then written to a Markdown report with plots.
 * Throughput is the highest rate with no loss (RFC 2544 binary search); latency is measured
 * at fixed offered rates. {@code --quick} is the same run, small, for CI.
 */
public final class Benchmark {
    private static final Pattern JNI_CALLS = Pattern.compile("([\\d,]+) JNI calls into the shim in the whole run, "
            + "for ([\\d,]+) frames echoed");
    /* The echo's final per-queue line: its polls that returned frames, and those that returned none. */
    private static final Pattern POLLS = Pattern.compile("  bursts ([\\d,]+)  empty polls ([\\d,]+)");
    /* Our echoes' busy TSC cycles per frame (final per-queue line), and testpmd's --record-core-cycles figure. */
    private static final Pattern OUR_CYCLES = Pattern.compile("busy cycles [\\d,]+ \\(([\\d.]+) a frame\\)");
    private static final Pattern TESTPMD_CYCLES = Pattern.compile("CPU cycles/packet=([\\d.]+)");
    /* What a Java packet loop allocated while it polled; a collection the JVM logged (-Xlog:gc). */
    private static final Pattern LOOP_ALLOCATED = Pattern.compile("thread packets-p0q0 allocated ([\\d,]+) bytes");
    /* dpdk-dumpcap's last words: what it received and what was dropped on the way. */
    private static final Pattern DUMPCAP_COUNTS = Pattern.compile("Packets received/dropped on interface '[^']*': "
            + "(\\d+)/(\\d+)");
    private static final Pattern GC_PAUSE = Pattern.compile("\\[gc *\\] GC\\(\\d+\\) Pause");
    /* The systems whose polling thread perf samples flat out; the deeper swap levels are costed by their cycles. */
    static final List<SystemUnderTest> PROFILED = List.of(SystemUnderTest.TESTPMD, SystemUnderTest.L2ECHO,
            SystemUnderTest.JAVA_HANDLER, SystemUnderTest.L2ECHO_UNDER_GARBAGE);
    /* Every process of a run on its own CPU, all its threads: JVM, GC, JIT and control plane included. */
    static final int GENERATOR_CPU = 0;
    static final int ECHO_CPU = 1;
    /*
     * Unmeasured traffic before the first trial: a JVM echo compiles its start-up code on its
     * own CPU for the first seconds, which would otherwise fall into the flat-out trial.
     */
    static final int WARM_UP_SECONDS = 3;

    /** How big a run is. */
    record Settings(boolean quick, int repeats, long trialFrames, int trialSeconds, int searchSteps,
            List<Long> latencyRates, int frameLength, Path output) {

        /* The guest's NIC is emulated, under TCG on hosts without VT-x/AMD-V: a few thousand pps. */
        List<Long> guestRates() {
            return quick ? List.of(1_000L) : List.of(1_000L, 5_000L);
        }

        long guestFrames() {
            return quick ? 2_000 : 10_000;
        }

        /** Where l2gen's histogram logs are kept: beside the report's pictures. */
        Path histograms(Path repo) {
            return repo.resolve(output).toAbsolutePath().resolveSibling("benchmarks").resolve("histograms");
        }

        static Settings parse(String[] args) {
            boolean quick = Arrays.asList(args).contains("--quick");
            Path output = Path.of(quick ? "target/benchmark-quick/BENCHMARKS.md" : "docs/BENCHMARKS.md");
            int repeats = quick ? 1 : 5;
            List<Long> rates = quick ? List.of(10_000L) : List.of(10_000L, 100_000L);
            int size = 60;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> { }
                    case "--output" -> output = Path.of(args[++i]);
                    case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                    case "--rates" -> rates = Arrays.stream(args[++i].split(",")).map(Long::parseLong).toList();
                    case "--size" -> size = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (--quick, --output FILE, --repeats N, --rates PPS,..., --size BYTES)");
                }
            }
            return new Settings(quick, repeats, quick ? 50_000 : 2_000_000, quick ? 1 : 3, quick ? 2 : 7, rates, size,
                    output);
        }
    }

    /**
     * What one system did in one repeat. {@code echoPreemptions}: how often the scheduler took the
     * CPU from the echo's polling thread over the whole run; {@code rxBursts} and {@code emptyPolls}:
     * its polls that returned frames and those that returned none (-1, like the JNI count, for
     * systems that do not print them); {@code cyclesPerFrame}: busy TSC cycles per frame received
     * over the run (NaN for the kernel echo); {@code loopAllocatedBytes}: what the Java handler's
     * polling thread allocated (-1 for the others); {@code gcPauses}: collections the echo's JVM
     * logged (-1 for systems without a JVM); {@code roundTrips}: every trial's round-trip histogram
     * by l2gen's tag ({@code latency-10000pps}), from its HdrHistogram log, none on profile runs;
     * {@code capturedFrames} and {@code captureDropped}: what dpdk-dumpcap received and what the
     * echo could not copy to it (-1 without a capture); the profile only on profile runs.
     */
    record Run(Bed bed, SystemUnderTest system, int repeat, List<Trial> trials, List<String> generatorCommand,
            List<String> echoCommand, long jniCalls, long framesEchoed, long rxBursts, long emptyPolls,
            long echoPreemptions, double cyclesPerFrame, long loopAllocatedBytes, long gcPauses,
            Map<String, Histogram> roundTrips, long capturedFrames, long captureDropped,
            Optional<Profiler.PollingProfile> profile) {

        Trial throughput() {
            return trials.stream().filter(t -> t.phase().equals("throughput")).findFirst().orElseThrow();
        }

        /** The search's first trial: flat out, as fast as the port takes frames. */
        Trial flatOut() {
            return trials.stream().filter(t -> t.phase().equals("search")).findFirst().orElseThrow();
        }

        List<Trial> latency() {
            return trials.stream().filter(t -> t.phase().equals("latency")).toList();
        }

        /** The round trips of the latency trial at {@code ratePps}, as l2gen recorded them (nanoseconds). */
        Optional<Histogram> roundTrips(long ratePps) {
            return Optional.ofNullable(roundTrips.get(HistogramLogs.latencyTag(ratePps)));
        }
    }

    /**
     * The repeats of every system on every bed, one profile run of each system on the vhost-user
     * bed, the guest-NIC bed's latency trials, and bench_reflect's table of what the swap kernels
     * alone cost (empty when it was not built).
     */
    record Results(Map<Bed, Map<SystemUnderTest, List<Run>>> runs, Map<SystemUnderTest, Run> profiles,
            GuestNicBed.Result guest, String swapKernels) {
    }

    private final Settings settings;
    private final Path repo;
    private final Path java = Processes.currentJava();
    private int beds;

    Benchmark(Settings settings, Path repo) {
        this.settings = settings;
        this.repo = repo;
    }

    public static void main(String[] args) {
        // SIGINT or SIGTERM interrupts the run: the finally blocks on the way out stop what it
        // started and remove the files those left, instead of the JVM exiting from under them.
        Thread main = Thread.currentThread();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> main.interrupt());
        }
        int status;
        try {
            status = run(args, Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            System.err.println("l2bench: " + e.getMessage());
            status = 2;
        } catch (InterruptedException | InterruptedIOException e) {
            System.err.println("l2bench: interrupted; what it started is stopped and its files removed");
            status = 130;
        } catch (IOException e) {
            System.err.println("l2bench: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    private static int run(String[] args, Path repo) throws IOException, InterruptedException {
        if (!Files.exists(repo.resolve("l2gen-app/target/l2gen.jar"))) {
            System.err.println("l2bench: run from the repository root after 'mvn package' (l2gen-app/target/l2gen.jar "
                    + "is missing)");
            return 1;
        }
        if (args.length > 0 && args[0].equals("--soak")) {
            Soak.main(List.of(args).subList(1, args.length), repo);
            return 0;
        }
        Settings settings = Settings.parse(args);
        Results results = new Benchmark(settings, repo).runAll();
        Path output = repo.resolve(settings.output());
        new Report(settings, results, repo).write(output);
        System.out.println("l2bench: wrote " + output);
        return 0;
    }

    Results runAll() throws IOException, InterruptedException {
        Map<Bed, Map<SystemUnderTest, List<Run>>> runs = new EnumMap<>(Bed.class);
        Path histograms = settings.histograms(repo);
        HistogramLogs.clear(histograms);
        for (int repeat = 1; repeat <= settings.repeats(); repeat++) {
            // Interleaved, so a slow minute on a shared machine hits every system alike.
            for (Bed bed : Bed.values()) {
                for (SystemUnderTest system : bed.systems()) {
                    System.out.println("l2bench: " + bed.label() + " bed, " + system.label() + ", run " + repeat
                            + " of " + settings.repeats());
                    Path log = histograms.resolve(HistogramLogs.fileName(bed.name(), system.name(), repeat));
                    Run run = bed == Bed.VHOST ? runOnVhost(system, repeat, generatorOptions(system, log), log, null)
                            : runOnVeth(system, repeat, log);
                    System.out.println("l2bench:   no-loss " + (long) run.throughput().number("no_loss_pps") + " pps");
                    runs.computeIfAbsent(bed, b -> new EnumMap<>(SystemUnderTest.class))
                            .computeIfAbsent(system, s -> new ArrayList<>()).add(run);
                }
            }
        }
        Map<SystemUnderTest, Run> profiles = profileRuns();
        System.out.println("l2bench: guest-NIC bed (scripts/nic-lab.sh --scenario latency)");
        GuestNicBed.Result guest = GuestNicBed.measure(repo, settings.guestRates(), settings.guestFrames(), histograms);
        guest.notMeasured().ifPresent(why -> System.out.println("l2bench:   not measured: " + why));
        return new Results(runs, profiles, guest, swapKernels());
    }

    /*
     * bench_reflect on the echo's CPU: each swap kernel's cycles per frame on frames in cache, best
     * of seven, so what a deeper level costs shows without the PMD's share or the machine's noise.
     */
    private String swapKernels() throws IOException {
        Path bench = repo.resolve("dpdk-jni-native/target/cmake/bench_reflect");
        if (!Files.isExecutable(bench)) {
            System.out.println("l2bench: " + bench + " is not built (mvn package builds it): no swap kernel figures");
            return "";
        }
        System.out.println("l2bench: the swap kernels alone (bench_reflect)");
        Processes.Result kernels = Processes.run(Duration.ofMinutes(5), confined(ECHO_CPU,
                List.of(bench.toString(), settings.quick() ? "20000" : "200000")));
        if (kernels.exitCode() != 0) {
            throw new IOException("bench_reflect failed (status " + kernels.exitCode() + "):\n" + kernels.output());
        }
        return kernels.output().strip();
    }

    private Map<SystemUnderTest, Run> profileRuns() throws IOException, InterruptedException {
        Map<SystemUnderTest, Run> profiles = new EnumMap<>(SystemUnderTest.class);
        if (!Profiler.available()) {
            System.out.println("l2bench: perf is not installed (Debian: apt-get install linux-perf): no profiles");
            return profiles;
        }
        for (SystemUnderTest system : PROFILED) {
            System.out.println("l2bench: vhost-user bed, " + system.label() + ", profiled flat out");
            // Enough frames to outlast the window at 20 Mpps: testpmd has passed 8 Mpps here on a quiet machine.
            List<String> flatOut = List.of("--warm-up", String.valueOf(WARM_UP_SECONDS), "--count",
                    String.valueOf(settings.quick() ? 30_000_000 : 60_000_000),
                    "--size", String.valueOf(settings.frameLength()), "--json");
            profiles.put(system, runOnVhost(system, 1, flatOut, null, Duration.ofSeconds(settings.quick() ? 1 : 3)));
        }
        return profiles;
    }

    private List<String> generatorOptions(SystemUnderTest system, Path histogramLog) {
        return List.of("--histogram-log", histogramLog.toString(), "--swap", system.swapLevel(), "--warm-up",
                String.valueOf(WARM_UP_SECONDS), "--search", "--search-steps", String.valueOf(settings.searchSteps()), "--count",
                String.valueOf(settings.trialFrames()), "--trial-seconds", String.valueOf(settings.trialSeconds()),
                "--size", String.valueOf(settings.frameLength()), "--json", "--rates",
                String.join(",", settings.latencyRates().stream().map(String::valueOf).toList()));
    }

    /* histogramLog: where generatorOptions tell l2gen to log its histograms, or null. */
    private Run runOnVhost(SystemUnderTest system, int repeat, List<String> generatorOptions, Path histogramLog,
            Duration profileWindow) throws IOException, InterruptedException {
        VhostBed bed = new VhostBed(repo, java, "l2e-bench-" + ProcessHandle.current().pid() + "-" + ++beds);
        try {
            return measure(Bed.VHOST, system, repeat, bed.tag(), confined(GENERATOR_CPU, bed.generator(generatorOptions)),
                    confined(ECHO_CPU, system.command(repo, java, bed.echoEal(system.pollingLcore()), null)), bed.socket(), histogramLog,
                    profileWindow);
        } finally {
            Files.deleteIfExists(bed.socket());
        }
    }

    /* The generator inside the bed's namespace, on the peer end; the echo on the DUT end. */
    private Run runOnVeth(SystemUnderTest system, int repeat, Path histogramLog) throws IOException,
            InterruptedException {
        String tag = "l2e-bench-" + ProcessHandle.current().pid() + "-" + ++beds;
        try (VethBed bed = VethBed.builder().up()) {
            List<String> generator = new ArrayList<>(List.of("ip", "netns", "exec", bed.namespace(), "taskset", "-c",
                    String.valueOf(GENERATOR_CPU), java.toString(),
                    "-jar", repo.resolve("l2gen-app/target/l2gen.jar").toString(), "--lcores=0@0,1@0", "--no-pci",
                    "--file-prefix=" + tag + "-gen", "--vdev=net_af_packet0,iface=" + bed.peerInterface(), "--",
                    "--dst-mac", bed.dutMac().toString()));
            generator.addAll(generatorOptions(system, histogramLog));
            List<String> echoEal = List.of("--lcores=0@1," + system.pollingLcore() + "@1", "--no-pci",
                    "--file-prefix=" + tag + "-echo", "--vdev=" + bed.afPacketVdev(0));
            List<String> echo = confined(ECHO_CPU, system.command(repo, java, echoEal, bed.dutInterface()));
            return measure(Bed.VETH, system, repeat, tag, generator, echo, null, histogramLog, null);
        }
    }

    /*
     * The whole process on one CPU, from its first instruction (taskset -c): its JVM's GC, JIT and
     * control-plane threads share that CPU with its polling thread and never run on the other
     * side's, which the echo's own pinning ("every CPU but the polling one") would not ensure.
     */
    static List<String> confined(int cpu, List<String> command) {
        List<String> confined = new ArrayList<>(List.of("taskset", "-c", String.valueOf(cpu)));
        confined.addAll(command);
        return confined;
    }

    /* profileWindow: null, or how long to profile the echo's polling thread once the generator sends. */
    private Run measure(Bed bed, SystemUnderTest system, int repeat, String tag, List<String> generator,
            List<String> echo, Path vhostSocket, Path histogramLog, Duration profileWindow)
            throws IOException, InterruptedException {
        Leftovers generatorLeftovers = Leftovers.snapshot(tag + "-gen");
        Leftovers echoLeftovers = Leftovers.snapshot(tag + "-echo");
        Duration runTimeout = Duration.ofMinutes(settings.quick() ? 2 : 30);
        try (ChildProcess gen = ChildProcess.start(Processes.withDefaultSignals(generator))) {
            // The vhost-user server must listen before virtio_user connects; l2gen probes until the echo answers.
            for (int i = 0; vhostSocket != null && !Files.exists(vhostSocket); i++) {
                if (i == 600 || !gen.isAlive()) {
                    throw new IOException("l2gen did not open " + vhostSocket + ":\n" + gen.outputTail(20));
                }
                Thread.sleep(100);
            }
            try (ChildProcess dut = ChildProcess.start(Processes.withDefaultSignals(echo));
                    ChildProcess capture = system == SystemUnderTest.L2ECHO_CAPTURED
                            ? attachDumpcap(tag + "-echo", dut) : null) {
                Optional<Profiler.PollingProfile> profile = Optional.empty();
                if (profileWindow != null) {
                    profile = Optional.of(profile(system, gen, dut, profileWindow));
                    // The rest of its frames would tell nothing more: l2gen stops early and reports.
                    Processes.signal(gen.pid(), Processes.Signal.INT);
                }
                OptionalInt status = gen.awaitExit(runTimeout);
                if (status.isEmpty() || status.getAsInt() != 0) {
                    throw new IOException("l2gen against " + system.label() + " did not finish cleanly:\n"
                            + gen.outputTail(20) + "\n" + system.label() + ":\n" + dut.outputTail(20));
                }
                long[] captured = {-1, -1};
                if (capture != null) {
                    if (!capture.isAlive()) {
                        throw new IOException("dpdk-dumpcap ended during the run:\n" + capture.outputTail(10));
                    }
                    capture.stop(Processes.Signal.INT, Duration.ofSeconds(10));
                    Matcher counts = DUMPCAP_COUNTS.matcher(capture.output());
                    if (!counts.find()) {
                        throw new IOException("dpdk-dumpcap did not report its counts:\n" + capture.outputTail(10));
                    }
                    captured = new long[] {Long.parseLong(counts.group(1)), Long.parseLong(counts.group(2))};
                }
                if (!dut.isAlive()) {
                    throw new IOException(system.label() + " ended during the run:\n" + dut.outputTail(20));
                }
                OptionalLong polling = system.pollingThread(dut.pid());
                long preemptions = polling.isPresent()
                        ? ProcThreads.involuntarySwitches(dut.pid(), polling.getAsLong()) : -1;
                dut.stop(Processes.Signal.INT, Duration.ofSeconds(10));
                List<Trial> trials = gen.output().lines().filter(line -> line.startsWith("{")).map(Trial::new)
                        .toList();
                Matcher jni = JNI_CALLS.matcher(dut.output());
                boolean counted = jni.find();
                Matcher polls = POLLS.matcher(dut.output());
                boolean polled = polls.find();
                Matcher cycles = (system.isTestpmd() ? TESTPMD_CYCLES : OUR_CYCLES).matcher(dut.output());
                Matcher allocated = LOOP_ALLOCATED.matcher(dut.output());
                return new Run(bed, system, repeat, trials, generator, echo,
                        counted ? Long.parseLong(jni.group(1).replace(",", "")) : -1,
                        counted ? Long.parseLong(jni.group(2).replace(",", "")) : -1,
                        polled ? Long.parseLong(polls.group(1).replace(",", "")) : -1,
                        polled ? Long.parseLong(polls.group(2).replace(",", "")) : -1, preemptions,
                        cycles.find() ? Double.parseDouble(cycles.group(1)) : Double.NaN,
                        allocated.find() ? Long.parseLong(allocated.group(1).replace(",", "")) : -1,
                        system.runsInJvm() ? GC_PAUSE.matcher(dut.output()).results().count() : -1,
                        histogramLog == null ? Map.of() : HistogramLogs.read(histogramLog), captured[0], captured[1],
                        profile);
            }
        } finally {
            generatorLeftovers.remove();
            echoLeftovers.remove();
        }
    }

    /*
     * dpdk-dumpcap on the running echo, confined to the echo's CPU, writing to /dev/null: the
     * copies the echo's loop makes and the tool's draining of them are the capture's cost. It
     * attaches during l2gen's warm-up, before the first trial.
     */
    private static ChildProcess attachDumpcap(String echoPrefix, ChildProcess dut) throws IOException {
        if (!dut.awaitOutput("l2echo: echoing", Duration.ofMinutes(1))) {
            throw new IOException("l2echo did not start echoing:\n" + dut.outputTail(20));
        }
        ChildProcess dumpcap = ChildProcess.start(confined(ECHO_CPU, List.of("dpdk-dumpcap",
                "--file-prefix=" + echoPrefix, "-i", "0", "-w", "/dev/null")));
        // On stderr once the capture is enabled in the echo.
        if (!dumpcap.awaitOutput("Packets captured", Duration.ofSeconds(30))) {
            String tail = dumpcap.outputTail(20);
            dumpcap.close();
            throw new IOException("dpdk-dumpcap did not attach to the echo:\n" + tail);
        }
        return dumpcap;
    }

    private static Profiler.PollingProfile profile(SystemUnderTest system, ChildProcess gen, ChildProcess dut,
            Duration window) throws IOException {
        // l2gen prints "lcore 1 sends ..." for each probe (at 1,000 pps) and, once one came back, for the flat-out trial.
        if (!gen.awaitOutput(" at the port's pace", Duration.ofMinutes(1))) {
            throw new IOException("l2gen never started sending to " + system.label() + ":\n" + gen.outputTail(20));
        }
        long echoThread = system.pollingThread(dut.pid()).orElseThrow(
                () -> new IOException(system.label() + " has no polling thread to profile"));
        long generatorThread = ProcThreads.ealWorker(gen.pid(), 1).orElseThrow(
                () -> new IOException("l2gen has no EAL thread for lcore 1"));
        Set<Integer> cpus = ProcThreads.allowedCpus(dut.pid(), echoThread);
        if (cpus.size() != 1) {
            throw new IOException(system.label() + "'s polling thread is not pinned to one CPU: " + cpus);
        }
        return Profiler.record(dut.pid(), echoThread, cpus.iterator().next(), gen.pid(), generatorThread, window);
    }
}
