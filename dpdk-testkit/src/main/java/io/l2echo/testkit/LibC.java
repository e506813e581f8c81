package io.l2echo.testkit;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls that Java has no API for (AF_PACKET sockets, setns, kill), bound by JNA
 * direct mapping. Constants are Linux's generic-ABI values, the same on x86_64 and aarch64;
 * {@code size_t} is a Java {@code long}, which holds on every 64-bit Linux.
 */
final class LibC {

    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int ETH_P_ALL = 0x0003;

    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int SOL_PACKET = 263;
    static final int PACKET_IGNORE_OUTGOING = 23;

    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int POLLIN = 0x1;

    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x4000_0000;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ESRCH = 3;

    static {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new UnsupportedOperationException("AF_PACKET sockets and setns need 64-bit Linux, this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        }
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, byte[] address, int addressLength);

    static native int setsockopt(int fd, int level, int name, int[] value, int valueLength);

    static native long send(int fd, byte[] buffer, long length, int flags);

    static native long recv(int fd, byte[] buffer, long length, int flags);

    static native int poll(Pointer fds, long count, int timeoutMillis);

    static native int open(String path, int flags);

    static native int close(int fd);

    static native int setns(int fd, int namespaceType);

    static native int if_nametoindex(String name);

    static native int kill(int pid, int signal);

    static native int getuid();

    static native String strerror(int errno);

    /** {@code "what: text (errno N)"} for the errno of the calling thread's last native call. */
    static String lastError(String what) {
        int errno = Native.getLastError();
        return what + ": " + strerror(errno) + " (errno " + errno + ")";
    }
}
