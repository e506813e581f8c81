package io.l2echo.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** A process's threads as /proc shows them: by name, their CPU sets and how often they were preempted. */
public final class ProcThreads {
    private ProcThreads() {
    }

    /** The EAL thread that runs a worker lcore: "rte-worker-N" on DPDK 22.11, "dpdk-workerN" from 23.11. */
    public static OptionalLong ealWorker(long pid, int lcore) throws IOException {
        return named(pid, List.of("rte-worker-" + lcore, "dpdk-worker" + lcore));
    }

    /** The first thread of the process whose name is one of these. */
    public static OptionalLong named(long pid, List<String> names) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (names.contains(Files.readString(task.resolve("comm")).trim())) {
                        return OptionalLong.of(Long.parseLong(task.getFileName().toString()));
                    }
                } catch (NoSuchFileException exited) {
                    // A thread that ended while the list was read.
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The name the thread gave itself (/proc/PID/task/TID/comm). */
    public static String name(long pid, long tid) throws IOException {
        return Files.readString(task(pid, tid).resolve("comm")).trim();
    }

    /** CPUs the thread may run on (Cpus_allowed_list, such as "0,2-5"). */
    public static Set<Integer> allowedCpus(long pid, long tid) throws IOException {
        String list = statusField(task(pid, tid), "Cpus_allowed_list");
        Set<Integer> cpus = new TreeSet<>();
        for (String range : list.split(",")) {
            String[] bounds = range.split("-");
            int first = Integer.parseInt(bounds[0]);
            int last = Integer.parseInt(bounds[bounds.length - 1]);
            for (int cpu = first; cpu <= last; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    /**
     * How many times the scheduler took the CPU away from the thread since it started. A
     * busy-polling lcore never yields, so every one of these is a stretch of time in which its
     * queue was not polled.
     */
    public static long involuntarySwitches(long pid, long tid) throws IOException {
        return Long.parseLong(statusField(task(pid, tid), "nonvoluntary_ctxt_switches"));
    }

    /** Every thread of the process, by id. */
    public static List<Long> all(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            return tasks.map(task -> Long.parseLong(task.getFileName().toString())).toList();
        }
    }

    private static Path task(long pid, long tid) {
        return Path.of("/proc", String.valueOf(pid), "task", String.valueOf(tid));
    }

    private static String statusField(Path task, String field) throws IOException {
        return Files.readAllLines(task.resolve("status")).stream().filter(line -> line.startsWith(field + ":"))
                .findFirst().orElseThrow(() -> new IOException("no " + field + " in " + task + "/status"))
                .substring(field.length() + 1).trim();
    }
}
