package io.l2echo.dpdk.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/** The few libc calls the bootstrap needs before (and beside) DPDK, through JNA. */
public interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    int geteuid();

    /** pid 0 is the calling thread. The mask is CPU_SETSIZE bits. */
    int sched_getaffinity(int pid, NativeLong cpusetsize, long[] mask);

    int sched_setaffinity(int pid, NativeLong cpusetsize, long[] mask);

    String strerror(int errnum);
}
