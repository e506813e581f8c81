package io.l2echo.dpdk.internal;

import io.l2echo.dpdk.DpdkException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Why the shim's last call on this thread failed, DPDK's own text for an errno, and the count
 * of calls into the shim. Errno numbers and names come from C, so Java never hard-codes a
 * platform constant.
 */
public final class NativeErrors {
    private NativeErrors() {
    }

    /** The message the failing native call recorded on the calling thread, or null. */
    public static native String lastMessage();

    /** Calls from Java into the shim since it was loaded, this one included. */
    public static native long jniCalls();

    /** {@code rte_strerror(errnum)}: knows DPDK's own errno values too. */
    public static native String text(int errnum);

    /** The symbolic name ({@code ENODEV}), or null where the C library has none. */
    public static native String name(int errnum);

    /**
     * Turns a shim return code into the exception to throw. Call it on the thread that made
     * the failing call: the detail is kept per thread.
     */
    public static DpdkException toException(String operation, int rc, String hint) {
        return toException(operation, rc, null, hint);
    }

    /**
     * As {@link #toException(String, int, String)}, with {@code context} after the shim's detail;
     * it is asked for after the detail is read, so it may call the shim itself.
     */
    public static DpdkException toException(String operation, int rc, Supplier<String> context, String hint) {
        int errno = -rc;
        String detail = lastMessage();
        if (context != null) {
            detail = detail == null ? context.get() : detail + "; " + context.get();
        }
        return new DpdkException(operation, detail, errno, name(errno), text(errno), hint);
    }

    /** Throws when {@code rc} is a negative errno, else returns it. */
    public static int check(int rc, String operation, String hint) {
        if (rc < 0) {
            throw toException(operation, rc, hint);
        }
        return rc;
    }

    /** As {@link #check(int, String, String)}, with a hint chosen by the errno's name. */
    public static int check(int rc, String operation, Function<String, String> hintByErrnoName) {
        if (rc < 0) {
            String name = name(-rc);
            throw toException(operation, rc, hintByErrnoName.apply(name == null ? "" : name));
        }
        return rc;
    }

    public static long check(long rc, String operation, String hint) {
        if (rc < 0) {
            throw toException(operation, (int) rc, hint);
        }
        return rc;
    }
}
