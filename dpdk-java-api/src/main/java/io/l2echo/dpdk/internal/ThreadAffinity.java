package io.l2echo.dpdk.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.l2echo.dpdk.DpdkException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** Threads' CPU affinity, read and set through sched_{get,set}affinity(2). */
public final class ThreadAffinity {
    private static final int CPU_SETSIZE = 1024;
    private static final NativeLong MASK_BYTES = new NativeLong(CPU_SETSIZE / 8);

    private ThreadAffinity() {
    }

    public static Set<Integer> currentThreadCpus() {
        long[] mask = new long[CPU_SETSIZE / 64];
        if (Libc.INSTANCE.sched_getaffinity(0, MASK_BYTES, mask) != 0) {
            int errno = Native.getLastError();
            throw new DpdkException("read the thread's CPU affinity", Libc.INSTANCE.strerror(errno), null);
        }
        Set<Integer> cpus = new TreeSet<>();
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
            if ((mask[cpu / 64] & (1L << (cpu % 64))) != 0) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    public static void pinCurrentThread(Set<Integer> cpus) {
        if (!pin(0, cpus)) {
            int errno = Native.getLastError();
            throw new DpdkException("pin " + Thread.currentThread().getName() + " to CPUs " + cpus,
                    Libc.INSTANCE.strerror(errno), null);
        }
    }

    /**
     * Pins every thread of this process but those named here to {@code cpus}: the JVM's own
     * (GC, JIT, VM), created before EAL with every CPU, and EAL's control threads. Threads
     * created later inherit the affinity of the thread creating them, so they stay off too.
     * Threads that end meanwhile are skipped.
     */
    public static void pinProcessThreadsExcept(Set<String> keptThreadNames, Set<Integer> cpus) {
        Path tasks = Path.of("/proc/self/task");
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path thread : threads) {
                String name;
                try {
                    name = Files.readString(thread.resolve("comm")).trim();
                } catch (IOException ended) {
                    continue;
                }
                if (!keptThreadNames.contains(name)) {
                    pin(Integer.parseInt(thread.getFileName().toString()), cpus);
                }
            }
        } catch (IOException e) {
            throw new DpdkException("list this process's threads", e.getMessage(), null);
        }
    }

    /* false with errno set; ESRCH (the thread ended) is not worth a failure to the callers above. */
    private static boolean pin(int tid, Set<Integer> cpus) {
        long[] mask = new long[CPU_SETSIZE / 64];
        for (int cpu : cpus) {
            mask[cpu / 64] |= 1L << (cpu % 64);
        }
        return Libc.INSTANCE.sched_setaffinity(tid, MASK_BYTES, mask) == 0;
    }
}
