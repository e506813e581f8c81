package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.MempoolNatives;
import io.l2echo.dpdk.internal.NativeErrors;
import io.l2echo.dpdk.internal.NativeLifecycle;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of packet buffers ({@code rte_pktmbuf_pool_create}) in hugepage memory, on one NUMA
 * socket. The ports and queues that take mbufs from it are its users: it refuses to be freed
 * while one is open, since their rings would then point into freed memory.
 */
public final class Mempool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mempool.class);
    /** RTE_PKTMBUF_HEADROOM: room before the frame, for headers a driver or app may prepend. */
    public static final int HEADROOM = 128;
    /** RTE_MBUF_DEFAULT_BUF_SIZE: a 2048-byte data room after the 128-byte headroom. */
    public static final int DEFAULT_DATA_ROOM_SIZE = 2048 + HEADROOM;
    /** RTE_MEMPOOL_CACHE_MAX_SIZE. */
    public static final int MAX_CACHE_SIZE = 512;

    private final String name;
    private final int size;
    private final int dataRoomSize;
    private final long handle;
    private final NativeLifecycle lifecycle;
    /* What takes mbufs from the pool (a port's Rx rings, a Java queue's Tx), by description. */
    private final Set<String> users = new LinkedHashSet<>();

    private Mempool(String name, int size, int dataRoomSize, long handle) {
        this.name = name;
        this.size = size;
        this.dataRoomSize = dataRoomSize;
        this.handle = handle;
        this.lifecycle = new NativeLifecycle("mbuf pool " + name);
    }

    /** Runs on the main lcore (see {@link Eal#createMempool}). */
    static Mempool create(String name, int size, int cacheSize, int dataRoomSize, int socketId) {
        long handle = NativeErrors.check(MempoolNatives.create(name, size, cacheSize, dataRoomSize, socketId),
                "create mbuf pool " + name,
                "a pool needs free hugepage memory for " + size + " mbufs of about "
                        + (dataRoomSize + 256) / 1024 + " KiB: reserve more (sudo scripts/setup_env.sh "
                        + "--pages N) or ask for fewer mbufs");
        return new Mempool(name, size, dataRoomSize, handle);
    }

    /**
     * The smallest pool that cannot run dry in steady state: every descriptor of every queue
     * holding an mbuf, a burst in flight per queue, and each polling lcore's cache at its
     * flush threshold (DPDK lets a cache grow to 1.5 times its size before it flushes).
     */
    public static int requiredSize(int queues, int rxDescriptors, int txDescriptors, int burstSize,
            int pollingLcores, int cacheSize) {
        return queues * (rxDescriptors + txDescriptors + burstSize) + pollingLcores * (cacheSize * 3 / 2);
    }

    /** {@link #requiredSize}, at least 4095, rounded up to 2^n - 1 (the ring's best fit). */
    public static int recommendedSize(int requiredSize) {
        int size = Math.max(requiredSize, 4095);
        return Integer.highestOneBit(size) == size + 1 ? size : (Integer.highestOneBit(size) << 1) - 1;
    }

    /** The name the pool has in DPDK's memory, unique in the process. */
    public String name() {
        return name;
    }

    /** Mbufs the pool holds in all. */
    public int size() {
        return size;
    }

    /** Bytes of frame one mbuf holds: its data room less the headroom. */
    public int frameCapacity() {
        return dataRoomSize - HEADROOM;
    }

    /** Mbufs free in the pool (the per-lcore caches count as free). */
    public int available() {
        return lifecycle.call(() -> MempoolNatives.available(handle));
    }

    /** Mbufs taken out of the pool: held by rings, descriptors or the application. */
    public int inUse() {
        return lifecycle.call(() -> MempoolNatives.inUse(handle));
    }

    /* A port or queue starts taking mbufs from the pool; fails if the pool is freed. */
    synchronized void attach(String user) {
        lifecycle.ensureOpen();
        users.add(user);
    }

    synchronized void detach(String user) {
        users.remove(user);
    }

    /* For a user attached to the pool, which it cannot be freed under. */
    long handle() {
        lifecycle.ensureOpen();
        return handle;
    }

    /**
     * Frees the pool, once the reads in flight on other threads returned; reads after it throw
     * {@link IllegalStateException}. Idempotent; throws {@link IllegalStateException}, freeing
     * nothing, while a port or queue using it is open: close those first (the EAL closes in that
     * order).
     */
    @Override
    public synchronized void close() {
        if (!lifecycle.isClosed() && !users.isEmpty()) {
            throw new IllegalStateException("mbuf pool " + name + " is in use by " + String.join(", ", users)
                    + ": close " + (users.size() == 1 ? "it" : "them") + " first");
        }
        if (lifecycle.close()) {
            // Called after the ports closed: their rings hold no mbufs then, so any still out leaked.
            int out = MempoolNatives.inUse(handle);
            MempoolNatives.free(handle);
            if (out == 0) {
                LOG.info("mbuf pool {} freed with all {} mbufs back", name, size);
            } else {
                LOG.warn("mbuf pool {} freed with {} of {} mbufs never returned: a leak", name, out, size);
            }
        }
    }
}
