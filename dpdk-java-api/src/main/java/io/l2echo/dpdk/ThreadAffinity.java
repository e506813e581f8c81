package io.l2echo.dpdk;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.util.Set;
import java.util.TreeSet;

/** The calling thread's CPU affinity, read and set through sched_{get,set}affinity(2). */
final class ThreadAffinity {
    private static final int CPU_SETSIZE = 1024;
    private static final NativeLong MASK_BYTES = new NativeLong(CPU_SETSIZE / 8);

    private ThreadAffinity() {
    }

    static Set<Integer> currentThreadCpus() {
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

    static void pinCurrentThread(Set<Integer> cpus) {
        long[] mask = new long[CPU_SETSIZE / 64];
        for (int cpu : cpus) {
            mask[cpu / 64] |= 1L << (cpu % 64);
        }
        if (Libc.INSTANCE.sched_setaffinity(0, MASK_BYTES, mask) != 0) {
            int errno = Native.getLastError();
            throw new DpdkException("pin " + Thread.currentThread().getName() + " to CPUs " + cpus,
                    Libc.INSTANCE.strerror(errno), null);
        }
    }
}
