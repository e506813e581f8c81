package io.l2echo.testkit;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux {@code AF_PACKET}/{@code SOCK_RAW} socket bound to one interface of a named network
 * namespace: whole Ethernet frames in and out, as a NIC's peer would see them.
 *
 * <p>Java has no {@code AF_PACKET}, and no way to enter a namespace, but {@code setns(2)} with
 * {@code CLONE_NEWNET} moves only the calling thread. {@link #open} therefore creates the socket on
 * a short-lived thread that first enters {@code /run/netns/NAME}; a socket belongs to the
 * namespace it was created in, so its descriptor then works from any thread.
 *
 * <p>The socket does not see its own sends ({@code PACKET_IGNORE_OUTGOING}), only what arrives
 * on the interface. {@link #send} may be called from one thread while another {@link #receive}s;
 * each of the two from one thread at a time. Call {@link #close} once both have returned.
 */
public final class RawSocket implements AutoCloseable {

    /** Deep enough that echoes queued between two {@link #receive} calls are never dropped by the kernel. */
    public static final int BUFFER_BYTES = 8 << 20;

    /** How {@link #namespace()} reads for a socket opened without entering a namespace. */
    public static final String CURRENT_NAMESPACE = "(current)";

    private static final int SOCKADDR_LL_LENGTH = 20;
    private static final long OPEN_TIMEOUT_SECONDS = 10;
    private static final AtomicInteger OPENER_THREADS = new AtomicInteger();

    private final String namespace;
    private final String interfaceName;
    private final int interfaceIndex;
    private final AtomicInteger fd;
    /** struct pollfd {int fd; short events; short revents;}, reused by the receiving thread. */
    private final Memory pollFd = new Memory(8);

    private RawSocket(String namespace, String interfaceName, int fd, int interfaceIndex) {
        this.namespace = namespace;
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
        this.fd = new AtomicInteger(fd);
        pollFd.setInt(0, fd);
        pollFd.setShort(4, (short) LibC.POLLIN);
    }

    /**
     * Opens a socket on {@code interfaceName} inside the network namespace {@code namespace}
     * (as listed by {@code ip netns}, i.e. {@code /run/netns/NAME}). Needs CAP_NET_RAW and
     * CAP_SYS_ADMIN: root.
     */
    public static RawSocket open(String namespace, String interfaceName) throws IOException {
        checkName(namespace, "namespace");
        checkName(interfaceName, "interface");
        FutureTask<RawSocket> task = new FutureTask<>(() -> openHere(namespace, interfaceName));
        Thread opener = new Thread(task, "rawsocket-open-" + OPENER_THREADS.incrementAndGet());
        opener.setDaemon(true);
        opener.start();
        try {
            return task.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("opening a raw socket on " + interfaceName + " in netns " + namespace + " failed", e.getCause());
        } catch (TimeoutException e) {
            opener.interrupt();
            throw new IOException("opening a raw socket on " + interfaceName + " in netns " + namespace
                    + " took more than " + OPEN_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening a raw socket on " + interfaceName);
        }
    }

    /**
     * Opens a socket on {@code interfaceName} in the calling thread's network namespace, e.g.
     * the DUT end of a veth pair in the root namespace. Needs CAP_NET_RAW: root.
     */
    public static RawSocket open(String interfaceName) throws IOException {
        checkName(interfaceName, "interface");
        return openBound(CURRENT_NAMESPACE, interfaceName);
    }

    /** Runs on the opener thread, which never leaves the namespace: it ends right after. */
    private static RawSocket openHere(String namespace, String interfaceName) throws IOException {
        int nsFd = LibC.open("/run/netns/" + namespace, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (nsFd < 0) {
            throw new IOException(LibC.lastError("open /run/netns/" + namespace + " (does 'ip netns list' show it?)"));
        }
        try {
            if (LibC.setns(nsFd, LibC.CLONE_NEWNET) != 0) {
                throw new IOException(LibC.lastError("setns into netns " + namespace + " (needs CAP_SYS_ADMIN: root)"));
            }
        } finally {
            LibC.close(nsFd);
        }
        return openBound(namespace, interfaceName);
    }

    private static RawSocket openBound(String namespace, String interfaceName) throws IOException {
        String where = interfaceName + " in netns " + namespace;
        int index = LibC.if_nametoindex(interfaceName);
        if (index == 0) {
            throw new IOException(LibC.lastError("no interface " + where));
        }
        // Protocol 0 receives nothing until bind() names the protocol and the interface: no
        // frames from other interfaces slip in between.
        int fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException(LibC.lastError("socket(AF_PACKET, SOCK_RAW) for " + where + " (needs CAP_NET_RAW: root)"));
        }
        try {
            setOption(fd, LibC.SOL_PACKET, LibC.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING (Linux 4.20+)");
            setBuffer(fd, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, "SO_RCVBUF");
            setBuffer(fd, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, "SO_SNDBUF");
            if (LibC.bind(fd, sockaddrLl(index), SOCKADDR_LL_LENGTH) != 0) {
                throw new IOException(LibC.lastError("bind to " + where));
            }
            RawSocket socket = new RawSocket(namespace, interfaceName, fd, index);
            socket.drain();
            return socket;
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    private static void setBuffer(int fd, int forceOption, int option, String name) throws IOException {
        // The FORCE variant (root) is not capped by net.core.[rw]mem_max.
        if (LibC.setsockopt(fd, LibC.SOL_SOCKET, forceOption, new int[] {BUFFER_BYTES}, Integer.BYTES) != 0) {
            setOption(fd, LibC.SOL_SOCKET, option, BUFFER_BYTES, name);
        }
    }

    private static void setOption(int fd, int level, int option, int value, String name) throws IOException {
        if (LibC.setsockopt(fd, level, option, new int[] {value}, Integer.BYTES) != 0) {
            throw new IOException(LibC.lastError("setsockopt " + name));
        }
    }

    /** struct sockaddr_ll: family and ifindex in host order, protocol in network order. */
    private static byte[] sockaddrLl(int interfaceIndex) {
        ByteBuffer address = ByteBuffer.allocate(SOCKADDR_LL_LENGTH).order(ByteOrder.nativeOrder());
        address.putShort((short) LibC.AF_PACKET);
        address.order(ByteOrder.BIG_ENDIAN).putShort((short) LibC.ETH_P_ALL);
        address.order(ByteOrder.nativeOrder()).putInt(interfaceIndex);
        return address.array();
    }

    private static void checkName(String name, String what) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")
                || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("bad " + what + " name '" + name + "'");
        }
    }

    /** Sends one whole frame, Ethernet header included, FCS excluded. */
    public void send(byte[] frame) throws IOException {
        send(frame, frame.length);
    }

    public void send(byte[] frame, int length) throws IOException {
        if (length < 0 || length > frame.length) {
            throw new IllegalArgumentException("length " + length + " outside a " + frame.length + "-byte array");
        }
        while (true) {
            long sent = LibC.send(fd(), frame, length, 0);
            if (sent == length) {
                return;
            }
            if (sent >= 0) {
                throw new IOException("sent " + sent + " of " + length + " bytes on " + this);
            }
            if (Native.getLastError() != LibC.EINTR) {
                throw new IOException(LibC.lastError("send " + length + " bytes on " + this));
            }
        }
    }

    /**
     * Receives one frame into {@code buffer}, waiting at most {@code timeoutMillis} (0: only what
     * is queued already).
     *
     * @return the frame's length, or -1 if none arrived in time
     * @throws IOException if the frame is longer than {@code buffer}; it is consumed
     */
    public int receive(byte[] buffer, long timeoutMillis) throws IOException {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("negative timeout " + timeoutMillis + " ms");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            // MSG_TRUNC: the kernel returns the frame's real length, so truncation is never silent.
            long length = LibC.recv(fd(), buffer, buffer.length, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
            if (length > buffer.length) {
                throw new IOException("a " + length + "-byte frame on " + this + " did not fit the "
                        + buffer.length + "-byte buffer");
            }
            if (length >= 0) {
                return (int) length;
            }
            int errno = Native.getLastError();
            if (errno != LibC.EAGAIN && errno != LibC.EINTR) {
                throw new IOException(LibC.lastError("recv on " + this));
            }
            long remainingNanos = deadline - System.nanoTime();
            if (remainingNanos <= 0) {
                return -1;
            }
            // Round up: a sub-millisecond remainder must still wait, not spin.
            int waitMillis = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(remainingNanos + 999_999));
            if (LibC.poll(pollFd, 1, waitMillis) < 0 && Native.getLastError() != LibC.EINTR) {
                throw new IOException(LibC.lastError("poll on " + this));
            }
        }
    }

    /**
     * Discards every frame queued now, e.g. what a kernel sent before a test began.
     *
     * @return the number of frames discarded
     */
    public int drain() throws IOException {
        byte[] discard = new byte[64];
        int frames = 0;
        // MSG_TRUNC on a small buffer discards frames of any size; the bound keeps a flooded link from holding us.
        for (int i = 0; i < 1_000_000; i++) {
            long length = LibC.recv(fd(), discard, discard.length, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
            if (length < 0) {
                int errno = Native.getLastError();
                if (errno == LibC.EAGAIN) {
                    return frames;
                }
                if (errno != LibC.EINTR) {
                    throw new IOException(LibC.lastError("recv on " + this));
                }
            } else {
                frames++;
            }
        }
        return frames;
    }

    /** The namespace name given to {@link #open(String, String)}, or {@link #CURRENT_NAMESPACE}. */
    public String namespace() {
        return namespace;
    }

    public String interfaceName() {
        return interfaceName;
    }

    /** The interface's index inside its namespace. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    public boolean isOpen() {
        return fd.get() >= 0;
    }

    /** Closes the descriptor; idempotent, from any thread. */
    @Override
    public void close() throws IOException {
        int closing = fd.getAndSet(-1);
        if (closing >= 0 && LibC.close(closing) != 0) {
            throw new IOException(LibC.lastError("close raw socket on " + interfaceName + " in netns " + namespace));
        }
    }

    @Override
    public String toString() {
        return "RawSocket[" + namespace + "/" + interfaceName + (isOpen() ? "" : ", closed") + "]";
    }

    private int fd() throws IOException {
        int current = fd.get();
        if (current < 0) {
            throw new IOException(this + " is closed");
        }
        return current;
    }
}
