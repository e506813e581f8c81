package io.l2echo.dpdk;

import io.l2echo.testkit.Leftovers;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up of the tests that drive Java packet logic on real mbufs in their own JVM, as a
 * JUnit 5 extension: an EAL without hugepages, a pool, and a {@code net_ring} port receiving
 * into it, whose Tx queue N feeds its Rx queue N, so every frame a queue sends comes back to
 * it in the very mbuf it was sent in. Started before the class's tests; after them the EAL is
 * closed and the class fails if it left anything under its file prefix (its runtime directory:
 * without hugepages there are no hugepage files to leave).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NetRingFixture ring = NetRingFixture.named("pq").queues(4);
 *
 * @Test
 * void loopsBack() {
 *     try (PacketQueue queue = ring.eal().openPacketQueue(new QueueRef(0, 0), ring.pool(), 32, 0)) { ... }
 * }
 * }</pre>
 *
 * <p>Register it on a static field: one EAL per process, so one per test class, and surefire
 * forks a JVM per class where it is used. Shared with other modules' tests through this
 * module's test jar.
 */
public final class NetRingFixture implements BeforeAllCallback, AfterAllCallback {
    private static final String PORT_NAME = "net_ring0";
    private static final int DESCRIPTORS = 512;

    private final String name;
    private String lcores = "0,1";
    private int memoryMb = 256;
    private int queues = 1;
    private int poolSize = 4095;
    private int poolCacheSize = 64;
    private Leftovers leftovers;
    private Eal eal;
    private Mempool pool;
    private Port port;

    private NetRingFixture(String name) {
        this.name = name;
    }

    /**
     * A fixture whose file prefix is {@code l2e-NAME-PID} and whose pool is {@code NAME_pool};
     * by default lcores 0 and 1, 256 MB of ordinary memory, one queue pair, a pool of 4095 mbufs
     * with a cache of 64.
     */
    public static NetRingFixture named(String name) {
        return new NetRingFixture(name);
    }

    /** EAL's {@code -l}: {@code "0"} for the main lcore alone, {@code "0,1"} for a packet loop's lcore too. */
    public NetRingFixture lcores(String lcores) {
        this.lcores = lcores;
        return this;
    }

    /** EAL's {@code -m}, of ordinary memory ({@code --no-huge}). */
    public NetRingFixture memoryMb(int memoryMb) {
        this.memoryMb = memoryMb;
        return this;
    }

    /** Rx and Tx queues of the port: queue N's Tx feeds queue N's Rx. */
    public NetRingFixture queues(int queues) {
        this.queues = queues;
        return this;
    }

    /** The pool the port receives into: its mbufs and per-lcore cache; frames of the default room. */
    public NetRingFixture pool(int size, int cacheSize) {
        this.poolSize = size;
        this.poolCacheSize = cacheSize;
        return this;
    }

    public Eal eal() {
        return started(eal);
    }

    /** The pool the port's Rx queues receive into. */
    public Mempool pool() {
        return started(pool);
    }

    public Port port() {
        return started(port);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String prefix = "l2e-" + name + "-" + ProcessHandle.current().pid();
        leftovers = Leftovers.snapshot(prefix);
        eal = Eal.init(List.of("-l", lcores, "--no-pci", "--no-huge", "-m", String.valueOf(memoryMb),
                "--vdev=" + PORT_NAME, "--file-prefix=" + prefix, "--log-level=lib.eal:warning"));
        pool = eal.createMempool(name + "_pool", poolSize, poolCacheSize, Mempool.DEFAULT_DATA_ROOM_SIZE, 0);
        port = eal.startPort(PortConfig.builder().portName(PORT_NAME).queues(queues, queues)
                .descriptors(DESCRIPTORS, DESCRIPTORS).promiscuous(false).build(), pool);
    }

    /* A failure to close fails the class, the leftovers (checked and removed all the same) suppressed in it. */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        RuntimeException closing = null;
        try {
            if (eal != null) {
                eal.close();
            }
        } catch (RuntimeException e) {
            closing = e;
        }
        try {
            if (leftovers != null) {
                leftovers.assertNoneLeft();
            }
        } catch (IOException | AssertionError e) {
            if (closing == null) {
                throw e;
            }
            closing.addSuppressed(e);
        }
        if (closing != null) {
            throw closing;
        }
    }

    private static <T> T started(T value) {
        if (value == null) {
            throw new IllegalStateException("the net_ring fixture is not started: register it on a static field");
        }
        return value;
    }
}
