/*
 * Zero-copy bursts for packet logic that lives in Java. Java sees the frames where DMA put
 * them: at queue creation the queue's pool is walked (rte_mempool_mem_iter) and each memory
 * chunk becomes one or a few direct ByteBuffers ("views", made once). A receive writes, per
 * frame, a record {view, offset of the data in the view, data length, room} into a direct
 * buffer Java reads; the mbufs stay held by the queue until the next transmit, which sends the
 * frames Java gave a SEND verdict (at the length Java set) and frees the others. New frames
 * come from an explicit allocate from the same pool, into the same records.
 *
 * The thread that calls in is a Java thread, not a native lcore; per packet it touches only
 * DPDK, the records and its counters: no allocation, no lock, no syscall, no upcall, no copy.
 * The per-burst natives (receive, transmit, allocate) count their calls in the queue's own
 * record, not in the process-wide JNI counter: no shared write per poll.
 */
#include <algorithm>
#include <cstddef>
#include <cstring>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_prefetch.h>

#include "dpdkj.h"
#include "dpdkj_counters.h"
#include "dpdkj_telemetry.h"

namespace dpdkj {

namespace {

constexpr uint16_t MAX_BURST = 512;
/*
 * A ByteBuffer holds at most 2 GiB: a chunk is cut into views that each start VIEW_STEP after
 * the previous one and reach one pool object further, so every object lies whole in the view
 * its buffer address falls in, and offsets stay below 2^31.
 */
constexpr uintptr_t VIEW_STEP = uintptr_t{1} << 30;
constexpr uint8_t VERDICT_DROP = 0;
constexpr uint8_t VERDICT_SEND = 1;

/*
 * What only a packet queue counts, on the two cache lines after its queue_counters record.
 * Mirrored by io.l2echo.dpdk.PacketQueue, checked at load time.
 */
struct alignas(COUNTERS_ALIGN) burst_counters {
    uint64_t rx_chained;    /* multi-segment frames received: refused (freed), never handed to Java */
    uint64_t rx_foreign;    /* frames in mbufs outside the queue's pool (no view covers them): freed */
    uint64_t handler_drops; /* frames Java dropped (no SEND verdict), or a refused transmit dropped */
    uint64_t transmits;     /* transmit calls: JNI calls, with the polls (rx_bursts + empty_polls) */
    uint64_t allocations;   /* allocate calls: JNI calls too */
};

static_assert(sizeof(burst_counters) == 2 * 64, "a record is two cache lines");

/* One frame of the burst as Java sees it. Mirrored by io.l2echo.dpdk.PacketBurst. */
struct frame_record {
    int32_t view;   /* index into the queue's views */
    int32_t offset; /* of the frame's first byte (buf_addr + data_off) in that view */
    int32_t length; /* data length: as received or allocated (0); Java sets what transmit sends */
    int32_t room;   /* buf_len - data_off: the most bytes the frame can have */
};

static_assert(sizeof(frame_record) == 16 && offsetof(frame_record, offset) == 4 &&
                  offsetof(frame_record, length) == 8 && offsetof(frame_record, room) == 12,
              "PacketBurst reads records at fixed offsets");

struct pool_view {
    uintptr_t base;
    uintptr_t end;
};

struct pool_chunk {
    uintptr_t start;
    uintptr_t end;
    uint32_t first_view;
};

struct packet_queue {
    uint16_t port;
    uint16_t queue;
    uint16_t capacity;
    uint16_t held; /* frames of the current burst: mbufs[0..held) belong to the queue until transmit */
    uint32_t tx_retries;
    uint64_t burst_start; /* poll_start() of the poll that returned the held burst */
    rte_mempool *pool;
    queue_counters *counters; /* followed by one burst_counters record */
    burst_counters *burst;
    frame_record *records; /* capacity records, then capacity verdict bytes: a Java direct buffer */
    uint8_t *verdicts;
    rte_mbuf **mbufs;   /* capacity */
    rte_mbuf **sending; /* capacity: scratch for transmit */
    pool_chunk *chunks;
    uint32_t nb_chunks;
    pool_view *views;
    uint32_t nb_views;
};

inline packet_queue *queue_of(jlong handle) { return reinterpret_cast<packet_queue *>(handle); }

/*
 * The record of a frame whose buffer lies in the queue's pool; false when no view covers it.
 * Chunks are sorted by address: a pool in one chunk (IOVA as VA, or physically contiguous
 * memory) costs one comparison, one spread over hugepages that are not contiguous (a chunk per
 * run of contiguous pages) a binary search.
 */
inline bool locate(const packet_queue *q, const rte_mbuf *m, frame_record *record) {
    const auto buffer = reinterpret_cast<uintptr_t>(m->buf_addr);
    uint32_t low = 0, high = q->nb_chunks; // at least one; the chunk, if any, is in [low, high)
    while (high - low > 1) {
        const uint32_t middle = (low + high) / 2;
        if (buffer < q->chunks[middle].start)
            high = middle;
        else
            low = middle;
    }
    const pool_chunk &chunk = q->chunks[low];
    if (unlikely(buffer < chunk.start || buffer >= chunk.end))
        return false;
    const uint32_t view = chunk.first_view + static_cast<uint32_t>((buffer - chunk.start) / VIEW_STEP);
    record->view = static_cast<int32_t>(view);
    record->offset = static_cast<int32_t>(buffer + m->data_off - q->views[view].base);
    record->length = m->data_len;
    record->room = m->buf_len - m->data_off;
    return true;
}

/*
 * Takes up to a burst off the Rx queue and keeps the frames Java can have: one segment each, at
 * least an Ethernet header, in the queue's pool. The others are freed and counted. Returns how
 * many it kept (records 0..n-1, verdicts DROP).
 */
jint receive_native(JNIEnv *, jclass, jlong handle) {
    packet_queue *q = queue_of(handle);
    queue_counters *c = q->counters;
    if (unlikely(q->held != 0))
        return fail(-EBUSY, "port %u queue %u still holds a burst of %u frames: transmit it first", q->port,
                    q->queue, q->held);
    const uint64_t start = poll_start();
    const uint16_t nb_rx = rte_eth_rx_burst(q->port, q->queue, q->mbufs, q->capacity);
    if (nb_rx == 0) {
        counter_add(&c->empty_polls, 1);
        return 0;
    }
    uint16_t kept = 0, refused = 0;
    uint64_t bytes = 0, runts = 0, chained = 0, foreign = 0;
    for (uint16_t i = 0; i < nb_rx; i++) {
        rte_mbuf *m = q->mbufs[i];
        if (unlikely(m->pkt_len < RTE_ETHER_HDR_LEN)) {
            runts++;
            q->sending[refused++] = m;
            continue;
        }
        if (unlikely(m->nb_segs != 1)) {
            chained++;
            q->sending[refused++] = m;
            continue;
        }
        if (unlikely(m->pool != q->pool || !locate(q, m, &q->records[kept]))) {
            foreign++;
            q->sending[refused++] = m;
            continue;
        }
        rte_prefetch0(rte_pktmbuf_mtod(m, void *));
        q->verdicts[kept] = VERDICT_DROP;
        q->mbufs[kept++] = m; // kept <= i: never overwrites a frame still to be looked at
        bytes += m->pkt_len;
    }
    if (unlikely(refused != 0)) {
        rte_pktmbuf_free_bulk(q->sending, refused);
        if (runts != 0)
            counter_add(&c->rx_runts, runts);
        if (chained != 0)
            counter_add(&q->burst->rx_chained, chained);
        if (foreign != 0)
            counter_add(&q->burst->rx_foreign, foreign);
    }
    q->held = kept;
    q->burst_start = start;
    counter_add(&c->rx_packets, kept);
    counter_add(&c->rx_bytes, bytes);
    counter_add(&c->rx_bursts, 1);
    if (kept == 0)
        count_busy_cycles(c, start); // every frame refused: no transmit will end this burst
    return kept;
}

/*
 * Ends the burst: frames with a SEND verdict go to the Tx queue at the length Java set (with the
 * configured retries; what Tx still refuses is freed and counted as tx_dropped), the others are
 * freed. Every sent length is checked before any frame goes out: one outside 14..room drops the
 * whole burst and fails, so no frame is ever sent with bytes beyond its buffer. Either way the
 * queue holds nothing after.
 */
jint transmit_held(packet_queue *q) {
    queue_counters *c = q->counters;
    const uint16_t n = q->held;
    uint16_t sends = 0, drops = 0;
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < n; i++) {
        rte_mbuf *m = q->mbufs[i];
        if (q->verdicts[i] != VERDICT_SEND) {
            q->mbufs[drops++] = m; // drops <= i
            continue;
        }
        const int32_t length = q->records[i].length;
        const int32_t room = m->buf_len - m->data_off;
        if (unlikely(length < RTE_ETHER_HDR_LEN || length > room)) {
            // Nothing went out yet: the frames sorted so far, and those still to sort, are all freed.
            rte_pktmbuf_free_bulk(q->sending, sends);
            rte_pktmbuf_free_bulk(q->mbufs, drops);
            rte_pktmbuf_free_bulk(q->mbufs + i, static_cast<unsigned>(n - i));
            q->held = 0;
            counter_add(&q->burst->handler_drops, n);
            return fail(-EINVAL,
                        "frame %u of the burst on port %u queue %u is %d bytes long, and its mbuf holds 14 to %d: "
                        "the whole burst of %u was dropped",
                        i, q->port, q->queue, length, room, n);
        }
        m->pkt_len = m->pkt_len - m->data_len + static_cast<uint16_t>(length); // the first segment's is Java's
        m->data_len = static_cast<uint16_t>(length);
        bytes += m->pkt_len;
        q->sending[sends++] = m;
    }
    q->held = 0;
    if (drops != 0) {
        rte_pktmbuf_free_bulk(q->mbufs, drops);
        counter_add(&q->burst->handler_drops, drops);
    }
    if (sends == 0)
        return 0;
    uint16_t nb_tx = rte_eth_tx_burst(q->port, q->queue, q->sending, sends);
    uint32_t retries = 0;
    while (unlikely(nb_tx < sends) && retries < q->tx_retries) {
        nb_tx = static_cast<uint16_t>(
            nb_tx + rte_eth_tx_burst(q->port, q->queue, q->sending + nb_tx, static_cast<uint16_t>(sends - nb_tx)));
        retries++;
    }
    if (unlikely(nb_tx < sends)) {
        for (uint16_t i = nb_tx; i < sends; i++)
            bytes -= q->sending[i]->pkt_len;
        rte_pktmbuf_free_bulk(q->sending + nb_tx, static_cast<unsigned>(sends - nb_tx));
        counter_add(&c->tx_dropped, static_cast<uint64_t>(sends - nb_tx));
    }
    counter_add(&c->tx_packets, nb_tx);
    counter_add(&c->tx_bytes, bytes);
    if (retries != 0)
        counter_add(&c->tx_retries, retries);
    return nb_tx;
}

jint transmit_native(JNIEnv *, jclass, jlong handle) {
    packet_queue *q = queue_of(handle);
    counter_add(&q->burst->transmits, 1);
    if (q->held == 0)
        return 0;
    const uint64_t start = q->burst_start;
    const jint sent = transmit_held(q);
    count_busy_cycles(q->counters, start);
    return sent;
}

/*
 * Adds `count` new frames from the queue's pool to the burst (records held..held+count-1,
 * length 0, verdict DROP). Returns the first new index, -ENOBUFS when the pool has not that many
 * free (nothing taken), -EINVAL when the burst has no room for them.
 */
jint allocate_native(JNIEnv *, jclass, jlong handle, jint count) {
    packet_queue *q = queue_of(handle);
    counter_add(&q->burst->allocations, 1);
    const uint16_t first = q->held;
    if (unlikely(count < 1 || count > q->capacity - first))
        return fail(-EINVAL, "%d new frames asked for on port %u queue %u, whose burst holds %u of %u", count,
                    q->port, q->queue, first, q->capacity);
    if (unlikely(rte_pktmbuf_alloc_bulk(q->pool, q->mbufs + first, static_cast<unsigned>(count)) != 0))
        return -ENOBUFS;
    if (first == 0)
        q->burst_start = poll_start(); // a burst of new frames only: busy from here to its transmit
    for (uint16_t i = first; i < first + count; i++) {
        locate(q, q->mbufs[i], &q->records[i]); // the queue's own pool: always covered
        q->verdicts[i] = VERDICT_DROP;
    }
    q->held = static_cast<uint16_t>(first + count);
    return first;
}

/*
 * For tests only: chains the last frame of the burst onto frame `head`, as a scattering PMD
 * (vhost, a NIC with Rx scatter) delivers a frame longer than one mbuf, so that the refusal of
 * chained frames can be proven on net_ring.
 */
jint chain_native(JNIEnv *, jclass, jlong handle, jint head) {
    clear_error();
    packet_queue *q = queue_of(handle);
    if (head < 0 || head + 1 >= q->held)
        return fail(-EINVAL, "frame %d cannot take the last of a burst of %u", head, q->held);
    const int rc = rte_pktmbuf_chain(q->mbufs[head], q->mbufs[q->held - 1]);
    if (rc != 0)
        return fail(rc, "rte_pktmbuf_chain failed");
    q->held--;
    return 0;
}

struct view_builder {
    packet_queue *q;
    uintptr_t object_bytes;
};

/* rte_mempool_mem_iter's callback, run twice: first counting (q->chunks null), then filling. */
void add_chunk(rte_mempool *, void *opaque, rte_mempool_memhdr *memhdr, unsigned) {
    auto *b = static_cast<view_builder *>(opaque);
    packet_queue *q = b->q;
    const auto start = reinterpret_cast<uintptr_t>(memhdr->addr);
    const uintptr_t end = start + memhdr->len;
    const auto views = static_cast<uint32_t>((memhdr->len + VIEW_STEP - 1) / VIEW_STEP);
    if (q->chunks != nullptr) {
        q->chunks[q->nb_chunks] = {start, end, q->nb_views};
        for (uint32_t v = 0; v < views; v++) {
            const uintptr_t base = start + v * VIEW_STEP;
            q->views[q->nb_views + v] = {base, RTE_MIN(end, base + VIEW_STEP + b->object_bytes)};
        }
    }
    q->nb_chunks++;
    q->nb_views += views;
}

void free_queue(packet_queue *q) {
    rte_free(q->views);
    rte_free(q->chunks);
    rte_free(q->sending);
    rte_free(q->mbufs);
    rte_free(q->records);
    rte_free(q->counters);
    rte_free(q);
}

jlong create_native(JNIEnv *, jclass, jint port, jint queue, jlong pool_handle, jint capacity, jint tx_retries) {
    clear_error();
    if (port < 0 || port >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(static_cast<uint16_t>(port)))
        return fail(-ENODEV, "there is no port %d", port);
    rte_eth_dev_info info;
    int rc = rte_eth_dev_info_get(static_cast<uint16_t>(port), &info);
    if (rc != 0)
        return fail(rc, "rte_eth_dev_info_get(port %d) failed", port);
    if (queue < 0 || queue >= info.nb_rx_queues || queue >= info.nb_tx_queues)
        return fail(-EINVAL, "port %d has %u Rx and %u Tx queues configured, queue %d asked for", port,
                    info.nb_rx_queues, info.nb_tx_queues, queue);
    if (capacity < 1 || capacity > MAX_BURST)
        return fail(-EINVAL, "burst capacity %d is outside 1..%u", capacity, MAX_BURST);
    if (tx_retries < 0)
        return fail(-EINVAL, "tx retries %d is negative", tx_retries);
    auto *pool = reinterpret_cast<rte_mempool *>(pool_handle);
    rte_eth_rxq_info rxq;
    if (rte_eth_rx_queue_info_get(static_cast<uint16_t>(port), static_cast<uint16_t>(queue), &rxq) == 0 &&
        rxq.mp != nullptr && rxq.mp != pool)
        return fail(-EINVAL, "port %d queue %d receives into pool %s, not %s: Java can only see frames of the "
                             "queue's pool", port, queue, rxq.mp->name, pool->name);

    const int socket = rte_eth_dev_socket_id(static_cast<uint16_t>(port));
    auto *q = static_cast<packet_queue *>(rte_zmalloc_socket("dpdkj_packet_queue", sizeof(packet_queue), 64, socket));
    if (q == nullptr)
        return fail(-ENOMEM, "no hugepage memory for port %d queue %d's packet queue", port, queue);
    view_builder builder{q, pool->header_size + pool->elt_size + pool->trailer_size};
    rte_mempool_mem_iter(pool, add_chunk, &builder); // counts
    const uint32_t nb_chunks = q->nb_chunks, nb_views = q->nb_views;
    q->nb_chunks = q->nb_views = 0;
    if (nb_chunks == 0) {
        free_queue(q);
        return fail(-EINVAL, "pool %s has no memory: it was never populated", pool->name);
    }
    const auto slots = static_cast<size_t>(capacity);
    q->counters = static_cast<queue_counters *>(rte_zmalloc_socket(
        "dpdkj_burst_counters", sizeof(queue_counters) + sizeof(burst_counters), COUNTERS_ALIGN, socket));
    q->records = static_cast<frame_record *>(
        rte_zmalloc_socket("dpdkj_burst_records", (sizeof(frame_record) + 1) * slots, 64, socket));
    q->mbufs = static_cast<rte_mbuf **>(rte_zmalloc_socket("dpdkj_burst_mbufs", sizeof(rte_mbuf *) * slots, 64, socket));
    q->sending = static_cast<rte_mbuf **>(rte_zmalloc_socket("dpdkj_burst_tx", sizeof(rte_mbuf *) * slots, 64, socket));
    q->chunks = static_cast<pool_chunk *>(rte_zmalloc_socket("dpdkj_burst_chunks", sizeof(pool_chunk) * nb_chunks, 0, socket));
    q->views = static_cast<pool_view *>(rte_zmalloc_socket("dpdkj_burst_views", sizeof(pool_view) * nb_views, 0, socket));
    if (q->counters == nullptr || q->records == nullptr || q->mbufs == nullptr || q->sending == nullptr ||
        q->chunks == nullptr || q->views == nullptr) {
        free_queue(q);
        return fail(-ENOMEM, "no hugepage memory for port %d queue %d's packet queue", port, queue);
    }
    rte_mempool_mem_iter(pool, add_chunk, &builder); // fills
    std::sort(q->chunks, q->chunks + q->nb_chunks,
              [](const pool_chunk &a, const pool_chunk &b) { return a.start < b.start; });
    q->burst = reinterpret_cast<burst_counters *>(q->counters + 1);
    q->verdicts = reinterpret_cast<uint8_t *>(q->records + slots);
    q->port = static_cast<uint16_t>(port);
    q->queue = static_cast<uint16_t>(queue);
    q->capacity = static_cast<uint16_t>(capacity);
    q->tx_retries = static_cast<uint32_t>(tx_retries);
    q->pool = pool;
    return reinterpret_cast<jlong>(q);
}

/* The pool's views, one direct ByteBuffer each, in the order records name them. */
jobjectArray views_native(JNIEnv *env, jclass, jlong handle) {
    const packet_queue *q = queue_of(handle);
    jclass buffer_class = env->FindClass("java/nio/ByteBuffer");
    if (buffer_class == nullptr)
        return nullptr;
    jobjectArray views = env->NewObjectArray(static_cast<jsize>(q->nb_views), buffer_class, nullptr);
    env->DeleteLocalRef(buffer_class);
    for (uint32_t v = 0; views != nullptr && v < q->nb_views; v++) {
        jobject view = env->NewDirectByteBuffer(reinterpret_cast<void *>(q->views[v].base),
                                                static_cast<jlong>(q->views[v].end - q->views[v].base));
        if (view == nullptr)
            return nullptr;
        env->SetObjectArrayElement(views, static_cast<jsize>(v), view);
        env->DeleteLocalRef(view);
    }
    return views;
}

/* The records and, after them, the verdict bytes. */
jobject records_native(JNIEnv *env, jclass, jlong handle) {
    const packet_queue *q = queue_of(handle);
    return env->NewDirectByteBuffer(q->records, static_cast<jlong>((sizeof(frame_record) + 1) * q->capacity));
}

/*
 * On the polling thread: gives it an lcore id of its own (rte_thread_register), so the pool's
 * per-lcore cache serves its allocations and frees, and publishes the queue to telemetry under
 * that id. Returns the id, or a negative errno when EAL has none to give.
 */
jint register_thread_native(JNIEnv *, jclass, jlong handle) {
    clear_error();
    packet_queue *q = queue_of(handle);
    if (rte_thread_register() != 0)
        return fail(-rte_errno, "rte_thread_register failed: the thread polls port %u queue %u without an lcore id",
                    q->port, q->queue);
    const telemetry_queue published{rte_lcore_id(), q->port, q->queue, q->counters, nullptr, nullptr};
    telemetry_publish(q, &published, 1);
    return static_cast<jint>(published.lcore);
}

/*
 * On the polling thread, before it ends: withdraws the queue (handle 0: it is closed already)
 * and gives the lcore id back. Harmless when none was taken.
 */
void unregister_thread_native(JNIEnv *, jclass, jlong handle) {
    if (handle != 0)
        telemetry_withdraw(queue_of(handle));
    rte_thread_unregister();
}

jobject counters_native(JNIEnv *env, jclass, jlong handle) {
    return env->NewDirectByteBuffer(queue_of(handle)->counters,
                                    static_cast<jlong>(sizeof(queue_counters) + sizeof(burst_counters)));
}

/* Frees the frames of a burst still held (a handler that failed), then the queue; returns how many. */
jint destroy_native(JNIEnv *, jclass, jlong handle) {
    packet_queue *q = queue_of(handle);
    telemetry_withdraw(q);
    const jint held = q->held;
    if (held != 0)
        rte_pktmbuf_free_bulk(q->mbufs, q->held);
    free_queue(q);
    return held;
}

/* The burst record's field offsets, max burst and record size, for Java's check. */
jintArray layout_native(JNIEnv *env, jclass) {
    const jint layout[] = {
        static_cast<jint>(sizeof(queue_counters)),
        static_cast<jint>(offsetof(burst_counters, rx_chained)),
        static_cast<jint>(offsetof(burst_counters, rx_foreign)),
        static_cast<jint>(offsetof(burst_counters, handler_drops)),
        static_cast<jint>(offsetof(burst_counters, transmits)),
        static_cast<jint>(offsetof(burst_counters, allocations)),
        MAX_BURST,
        static_cast<jint>(sizeof(frame_record)),
    };
    return new_int_array(env, layout, sizeof(layout) / sizeof(layout[0]));
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("create", "(IIJII)J", create_native),
    DPDKJ_NATIVE("views", "(J)[Ljava/nio/ByteBuffer;", views_native),
    DPDKJ_NATIVE("records", "(J)Ljava/nio/ByteBuffer;", records_native),
    DPDKJ_NATIVE_PER_BURST("receive", "(J)I", receive_native),
    DPDKJ_NATIVE_PER_BURST("transmit", "(J)I", transmit_native),
    DPDKJ_NATIVE_PER_BURST("allocate", "(JI)I", allocate_native),
    DPDKJ_NATIVE("chain", "(JI)I", chain_native),
    DPDKJ_NATIVE("registerThread", "(J)I", register_thread_native),
    DPDKJ_NATIVE("unregisterThread", "(J)V", unregister_thread_native),
    DPDKJ_NATIVE("counters", "(J)Ljava/nio/ByteBuffer;", counters_native),
    DPDKJ_NATIVE("destroy", "(J)I", destroy_native),
    DPDKJ_NATIVE("layout", "()[I", layout_native),
};

} // namespace

const native_table burst_natives = {"PacketQueueNatives", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
