package io.l2echo.stats;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A client end of DPDK's telemetry socket ({@code dpdk_telemetry.v2}): AF_UNIX,
 * SOCK_SEQPACKET, one JSON reply per request. Java has no SEQPACKET sockets, hence JNA.
 * Every failure is a {@link TelemetryException} saying what to do.
 */
final class TelemetrySocket implements TelemetryTransport {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SUN_PATH_MAX = 108;

    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EAGAIN = 11;
    private static final int ECONNREFUSED = 111;

    /** DPDK sends at most max_output_len (16 KiB in 22.11) per reply; leave room to grow. */
    private static final int MAX_MESSAGE = 1 << 20;

    static {
        Native.register(TelemetrySocket.class, Platform.C_LIBRARY_NAME);
    }

    private final Path path;
    private final int fd;
    private final String greeting;
    private final byte[] buffer = new byte[MAX_MESSAGE];
    private boolean closed;

    private TelemetrySocket(Path path, int fd) throws TelemetryException {
        this.path = path;
        this.fd = fd;
        this.greeting = receive("the greeting");
    }

    /** Connects and reads the greeting ({@code {"version": ..., "pid": ..., "max_output_len": ...}}). */
    static TelemetrySocket connect(Path path, int timeoutMillis) throws TelemetryException {
        byte[] pathBytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (pathBytes.length >= SUN_PATH_MAX) {
            throw new TelemetryException("socket path " + path + " is longer than a unix socket allows ("
                    + (SUN_PATH_MAX - 1) + " bytes)", "use a shorter --runtime-dir or --socket");
        }
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new TelemetryException("cannot create a SOCK_SEQPACKET socket: " + strerror(Native.getLastError()),
                    "check that this is Linux");
        }
        long[] timeout = {timeoutMillis / 1000, (timeoutMillis % 1000) * 1000L};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
        byte[] address = new byte[2 + SUN_PATH_MAX];
        address[0] = AF_UNIX; // sun_family, little-endian on every Linux this runs on
        System.arraycopy(pathBytes, 0, address, 2, pathBytes.length);
        if (connect(fd, address, address.length) != 0) {
            int errno = Native.getLastError();
            close(fd);
            throw connectFailure(path, errno);
        }
        try {
            return new TelemetrySocket(path, fd);
        } catch (TelemetryException e) {
            close(fd);
            throw e;
        }
    }

    static TelemetryException connectFailure(Path path, int errno) {
        return switch (errno) {
            case ENOENT -> new TelemetryException("no DPDK process is listening at " + path + " (no such socket)",
                    "check that the process runs and pass its --file-prefix (default rte), or --socket PATH; "
                            + "a process started with --no-telemetry has no socket");
            case ECONNREFUSED -> new TelemetryException("the socket " + path
                    + " exists but nobody listens on it: its process has exited (or was killed)",
                    "start the process again; its runtime directory " + path.getParent() + " is stale and can be removed");
            case EACCES -> new TelemetryException("permission denied on " + path,
                    "the socket belongs to the user running DPDK (usually root): run dpdk-stats as that user (sudo)");
            default -> new TelemetryException("cannot connect to " + path + ": " + strerror(errno), null);
        };
    }

    @Override
    public String greeting() {
        return greeting;
    }

    @Override
    public String request(String command) throws TelemetryException {
        byte[] bytes = command.getBytes(StandardCharsets.UTF_8);
        if (send(fd, bytes, bytes.length, 0) != bytes.length) {
            throw new TelemetryException("sending " + command + " to " + path + " failed: "
                    + strerror(Native.getLastError()), "check that the process still runs");
        }
        return receive("the reply to " + command);
    }

    private String receive(String what) throws TelemetryException {
        long n = recv(fd, buffer, buffer.length, 0);
        if (n < 0) {
            int errno = Native.getLastError();
            throw new TelemetryException("no " + what + " from " + path + ": "
                    + (errno == EAGAIN ? "timed out" : strerror(errno)),
                    "the process may be stuck, or is not a DPDK telemetry server");
        }
        if (n == 0) {
            throw new TelemetryException("the process closed " + path + " before sending " + what,
                    "it may have exited, or hit its telemetry client limit");
        }
        return new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            close(fd);
        }
    }

    private static native int socket(int domain, int type, int protocol);

    private static native int connect(int fd, byte[] address, int addressLength);

    private static native int setsockopt(int fd, int level, int name, long[] value, int valueLength);

    private static native long send(int fd, byte[] buffer, long length, int flags);

    private static native long recv(int fd, byte[] buffer, long length, int flags);

    private static native int close(int fd);

    private static native String strerror(int errnum);
}
