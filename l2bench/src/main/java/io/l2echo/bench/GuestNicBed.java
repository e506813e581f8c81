package io.l2echo.bench;

import io.l2echo.testkit.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.HdrHistogram.Histogram;

/**
 * The guest-NIC bed, where DPDK owns the device: {@code scripts/nic-lab.sh --scenario latency}
 * boots a QEMU guest whose virtio-net NIC (an emulated PCI device on a tap) is echoed in turn by
 * the guest's kernel ({@code kernel_echo} on an AF_PACKET socket), by testpmd and by l2echo, the
 * last two with the NIC bound to uio_pci_generic; l2gen measures each from the host's side.
 */
final class GuestNicBed {
    static final String KERNEL = "kernel socket echo";
    static final String TESTPMD = "testpmd macswap";
    static final String L2ECHO = "l2echo";

    private static final Duration LAB_TIMEOUT = Duration.ofMinutes(10);

    /**
     * Each system's latency trials in rate order and their round-trip histograms by l2gen's tag
     * ({@code latency-1000pps}), and the lab's own step lines; or, when the lab could not run or
     * a step failed, why not.
     */
    record Result(Map<String, List<Trial>> trials, Map<String, Map<String, Histogram>> roundTrips, List<String> steps,
            Optional<String> notMeasured) {

        /** Whether the guest ran emulated (QEMU's TCG) rather than on KVM, as the lab's boot step says. */
        boolean underTcg() {
            return steps.stream().anyMatch(line -> line.contains("guest boots (tcg"));
        }

        /** A percentile of {@code system} at the {@code rate}-th rate, 0 when it was not measured. */
        double latency(String system, int rate, String percentile) {
            List<Trial> runs = trials.getOrDefault(system, List.of());
            return rate < runs.size() ? runs.get(rate).number(percentile) : 0;
        }
    }

    private GuestNicBed() {
    }

    /** The lab at each rate; l2gen logs each system's histograms in {@code histograms}, as guest-SYSTEM.hlog. */
    static Result measure(Path repo, List<Long> rates, long frames, Path histograms) throws IOException {
        Path results = Files.createTempFile("l2e-guest-nic-", ".tsv");
        try {
            List<String> command = List.of("bash", repo.resolve("scripts/nic-lab.sh").toString(), "--scenario",
                    "latency", "--results", results.toString(), "--frames", String.valueOf(frames), "--rates",
                    String.join(",", rates.stream().map(String::valueOf).toList()), "--histograms",
                    histograms.toString());
            String output;
            OptionalInt status;
            try (ChildProcess lab = ChildProcess.start(command)) {
                status = lab.awaitExit(LAB_TIMEOUT);
                output = lab.output();
            }
            List<String> steps = output.lines().filter(line -> line.startsWith("nic-lab: ")).toList();
            steps.forEach(line -> System.out.println("l2bench:   " + line));
            Map<String, List<Trial>> trials = new LinkedHashMap<>();
            for (String line : Files.readAllLines(results)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    trials.computeIfAbsent(line.substring(0, tab), s -> new ArrayList<>())
                            .add(new Trial(line.substring(tab + 1)));
                }
            }
            Map<String, Map<String, Histogram>> roundTrips = new LinkedHashMap<>();
            for (String system : List.of(KERNEL, TESTPMD, L2ECHO)) {
                roundTrips.put(system, HistogramLogs.read(histograms.resolve("guest-" + system.replace(' ', '-')
                        + ".hlog")));
            }
            return new Result(trials, roundTrips, steps, whyNotMeasured(status, output));
        } finally {
            Files.deleteIfExists(results);
        }
    }

    private static Optional<String> whyNotMeasured(OptionalInt status, String output) {
        if (status.isEmpty()) {
            return Optional.of("the guest lab did not end within " + LAB_TIMEOUT.toMinutes() + " minutes");
        }
        if (status.getAsInt() == 0) {
            return Optional.empty();
        }
        List<String> lines = output.lines().toList();
        // Without a step that failed, the lab's last words say why: a shell error before its first step.
        String last = String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        return Optional.of(lines.stream().filter(line -> line.contains("cannot run:") || line.contains(" FAIL "))
                .findFirst().map(String::strip).orElse("nic-lab.sh exited with status " + status.getAsInt()
                        + (last.isEmpty() ? "" : ", its last output: " + last)));
    }
}
