/*
 * Burst receive and transmit for packet logic that lives in Java: one JNI call moves up to a
 * burst of frames between a queue and two Java direct buffers (frame slots and their lengths),
 * copying each frame once. The thread that calls in is a Java thread, not a native lcore; per
 * packet it still touches only DPDK, the buffers and its counters: no allocation, no lock, no
 * syscall, no upcall into the JVM.
 */
#include <cstddef>
#include <cstring>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dpdkj.h"
#include "dpdkj_counters.h"
#include "dpdkj_telemetry.h"

namespace dpdkj {

namespace {

constexpr uint16_t MAX_BURST = 512;
constexpr uint32_t MAX_SLOT_BYTES = 16384;
/* A Tx frame spans at most this many mbufs of the Tx pool: bounds the segment array. */
constexpr uint32_t MAX_SEGMENTS_PER_FRAME = 16;

/*
 * What only a packet queue counts, on the two cache lines after its queue_counters record.
 * Mirrored by io.l2echo.dpdk.PacketQueue, checked at load time.
 */
struct alignas(COUNTERS_ALIGN) burst_counters {
    uint64_t rx_oversize; /* frames longer than a slot: dropped, never handed to Java cut short */
};

struct packet_queue {
    uint16_t port;
    uint16_t queue;
    uint16_t capacity;
    uint32_t slot_bytes;
    uint32_t tx_retries;
    uint32_t tx_segment_bytes; /* frame bytes one mbuf of the Tx pool holds */
    rte_mempool *tx_pool;
    uint8_t *frames;  /* capacity slots of slot_bytes: a Java direct buffer */
    int32_t *lengths; /* capacity lengths: a Java direct buffer */
    queue_counters *counters; /* followed by one burst_counters record */
    burst_counters *burst;
    rte_mbuf **rx_mbufs; /* capacity */
    rte_mbuf **tx_mbufs; /* capacity * MAX_SEGMENTS_PER_FRAME */
};

inline packet_queue *queue_of(jlong handle) { return reinterpret_cast<packet_queue *>(handle); }

/* A runt or an oversize frame is dropped here: a slot always holds a whole Ethernet frame. */
jint receive_native(JNIEnv *, jclass, jlong handle) {
    packet_queue *q = queue_of(handle);
    queue_counters *c = q->counters;
    const uint16_t nb_rx = rte_eth_rx_burst(q->port, q->queue, q->rx_mbufs, q->capacity);
    if (nb_rx == 0) {
        counter_add(&c->empty_polls, 1);
        return 0;
    }
    uint16_t kept = 0;
    uint64_t bytes = 0, runts = 0, oversize = 0;
    for (uint16_t i = 0; i < nb_rx; i++) {
        const rte_mbuf *m = q->rx_mbufs[i];
        const uint32_t length = rte_pktmbuf_pkt_len(m);
        if (unlikely(length < RTE_ETHER_HDR_LEN)) {
            runts++;
            continue;
        }
        if (unlikely(length > q->slot_bytes)) {
            oversize++;
            continue;
        }
        uint8_t *slot = q->frames + static_cast<size_t>(kept) * q->slot_bytes;
        // Contiguous frames come back as a pointer into the mbuf; chained ones are gathered into the slot.
        const void *data = rte_pktmbuf_read(m, 0, length, slot);
        if (data != slot)
            memcpy(slot, data, length);
        q->lengths[kept++] = static_cast<int32_t>(length);
        bytes += length;
    }
    rte_pktmbuf_free_bulk(q->rx_mbufs, nb_rx);
    counter_add(&c->rx_packets, kept);
    counter_add(&c->rx_bytes, bytes);
    counter_add(&c->rx_bursts, 1);
    if (unlikely(runts != 0))
        counter_add(&c->rx_runts, runts);
    if (unlikely(oversize != 0))
        counter_add(&q->burst->rx_oversize, oversize);
    return kept;
}

/* Copies slot i into mbufs starting at *next, chaining them when it spans several; returns the head. */
inline rte_mbuf *fill(const packet_queue *q, uint16_t i, uint32_t *next) {
    const uint32_t length = static_cast<uint32_t>(q->lengths[i]);
    const uint8_t *slot = q->frames + static_cast<size_t>(i) * q->slot_bytes;
    rte_mbuf *head = q->tx_mbufs[(*next)++];
    rte_mbuf *tail = head;
    uint32_t copied = RTE_MIN(length, q->tx_segment_bytes);
    memcpy(rte_pktmbuf_mtod(head, uint8_t *), slot, copied);
    head->data_len = static_cast<uint16_t>(copied);
    head->pkt_len = length;
    while (unlikely(copied < length)) {
        rte_mbuf *segment = q->tx_mbufs[(*next)++];
        const uint32_t part = RTE_MIN(length - copied, q->tx_segment_bytes);
        memcpy(rte_pktmbuf_mtod(segment, uint8_t *), slot + copied, part);
        segment->data_len = static_cast<uint16_t>(part);
        tail->next = segment;
        tail = segment;
        head->nb_segs++;
        copied += part;
    }
    return head;
}

/*
 * Sends slots 0..n-1. Lengths are checked before anything is sent; frames the pool has no mbufs
 * for, and those Tx still refuses after the retries, are counted as tx_dropped.
 */
jint transmit_native(JNIEnv *, jclass, jlong handle, jint n) {
    clear_error();
    packet_queue *q = queue_of(handle);
    queue_counters *c = q->counters;
    if (n < 0 || n > q->capacity)
        return fail(-EINVAL, "%d frames to send on port %u queue %u, whose burst holds %u", n, q->port, q->queue,
                    q->capacity);
    uint32_t segments = 0;
    uint64_t bytes = 0;
    for (jint i = 0; i < n; i++) {
        const int32_t length = q->lengths[i];
        if (length < RTE_ETHER_HDR_LEN || static_cast<uint32_t>(length) > q->slot_bytes)
            return fail(-EINVAL, "frame %d of the burst is %d bytes long: a frame is %u to %u bytes; nothing was sent",
                        i, length, RTE_ETHER_HDR_LEN, q->slot_bytes);
        segments += (static_cast<uint32_t>(length) + q->tx_segment_bytes - 1) / q->tx_segment_bytes;
        bytes += static_cast<uint32_t>(length);
    }
    if (n == 0)
        return 0;
    const uint16_t frames = static_cast<uint16_t>(n);
    if (unlikely(rte_pktmbuf_alloc_bulk(q->tx_pool, q->tx_mbufs, segments) != 0)) {
        counter_add(&c->tx_dropped, frames); // the pool is dry for now: the frames are lost, not queued
        return 0;
    }
    uint32_t next = 0;
    rte_mbuf *pkts[MAX_BURST];
    for (uint16_t i = 0; i < frames; i++)
        pkts[i] = fill(q, i, &next);
    uint16_t nb_tx = rte_eth_tx_burst(q->port, q->queue, pkts, frames);
    uint32_t retries = 0;
    while (unlikely(nb_tx < frames) && retries < q->tx_retries) {
        nb_tx = static_cast<uint16_t>(
            nb_tx + rte_eth_tx_burst(q->port, q->queue, pkts + nb_tx, static_cast<uint16_t>(frames - nb_tx)));
        retries++;
    }
    if (unlikely(nb_tx < frames)) {
        for (uint16_t i = nb_tx; i < frames; i++)
            bytes -= pkts[i]->pkt_len;
        rte_pktmbuf_free_bulk(pkts + nb_tx, static_cast<unsigned>(frames - nb_tx));
        counter_add(&c->tx_dropped, static_cast<uint64_t>(frames - nb_tx));
    }
    counter_add(&c->tx_packets, nb_tx);
    counter_add(&c->tx_bytes, bytes);
    if (retries != 0)
        counter_add(&c->tx_retries, retries);
    return nb_tx;
}

void free_queue(packet_queue *q) {
    rte_free(q->tx_mbufs);
    rte_free(q->rx_mbufs);
    rte_free(q->counters);
    rte_free(q);
}

jlong create_native(JNIEnv *env, jclass, jint port, jint queue, jlong pool, jint capacity, jint slot_bytes,
                    jint tx_retries, jobject frames, jobject lengths) {
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
    if (slot_bytes < RTE_ETHER_HDR_LEN || static_cast<uint32_t>(slot_bytes) > MAX_SLOT_BYTES)
        return fail(-EINVAL, "slots of %d bytes: a slot holds %u to %u", slot_bytes, RTE_ETHER_HDR_LEN, MAX_SLOT_BYTES);
    if (tx_retries < 0)
        return fail(-EINVAL, "tx retries %d is negative", tx_retries);
    auto *tx_pool = reinterpret_cast<rte_mempool *>(pool);
    const uint32_t segment_bytes = rte_pktmbuf_data_room_size(tx_pool) - RTE_PKTMBUF_HEADROOM;
    if (segment_bytes == 0 || (static_cast<uint32_t>(slot_bytes) + segment_bytes - 1) / segment_bytes >
                                  MAX_SEGMENTS_PER_FRAME)
        return fail(-EINVAL, "mbufs of pool %s hold %u frame bytes: a %d-byte frame would span more than %u",
                    tx_pool->name, segment_bytes, slot_bytes, MAX_SEGMENTS_PER_FRAME);
    void *frame_memory = env->GetDirectBufferAddress(frames);
    void *length_memory = env->GetDirectBufferAddress(lengths);
    if (frame_memory == nullptr || length_memory == nullptr ||
        env->GetDirectBufferCapacity(frames) < static_cast<jlong>(capacity) * slot_bytes ||
        env->GetDirectBufferCapacity(lengths) < static_cast<jlong>(capacity) * static_cast<jlong>(sizeof(int32_t)))
        return fail(-EINVAL, "the frame and length buffers must be direct and hold %d slots", capacity);

    const int socket = rte_eth_dev_socket_id(static_cast<uint16_t>(port));
    auto *q = static_cast<packet_queue *>(rte_zmalloc_socket("dpdkj_packet_queue", sizeof(packet_queue), 64, socket));
    if (q == nullptr)
        return fail(-ENOMEM, "no hugepage memory for port %d queue %d's packet queue", port, queue);
    q->counters = static_cast<queue_counters *>(rte_zmalloc_socket(
        "dpdkj_burst_counters", sizeof(queue_counters) + sizeof(burst_counters), COUNTERS_ALIGN, socket));
    q->rx_mbufs = static_cast<rte_mbuf **>(
        rte_zmalloc_socket("dpdkj_burst_rx", sizeof(rte_mbuf *) * static_cast<size_t>(capacity), 64, socket));
    q->tx_mbufs = static_cast<rte_mbuf **>(rte_zmalloc_socket(
        "dpdkj_burst_tx", sizeof(rte_mbuf *) * static_cast<size_t>(capacity) * MAX_SEGMENTS_PER_FRAME, 64, socket));
    if (q->counters == nullptr || q->rx_mbufs == nullptr || q->tx_mbufs == nullptr) {
        free_queue(q);
        return fail(-ENOMEM, "no hugepage memory for port %d queue %d's packet queue", port, queue);
    }
    q->burst = reinterpret_cast<burst_counters *>(q->counters + 1);
    q->port = static_cast<uint16_t>(port);
    q->queue = static_cast<uint16_t>(queue);
    q->capacity = static_cast<uint16_t>(capacity);
    q->slot_bytes = static_cast<uint32_t>(slot_bytes);
    q->tx_retries = static_cast<uint32_t>(tx_retries);
    q->tx_segment_bytes = segment_bytes;
    q->tx_pool = tx_pool;
    q->frames = static_cast<uint8_t *>(frame_memory);
    q->lengths = static_cast<int32_t *>(length_memory);
    return reinterpret_cast<jlong>(q);
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
    const telemetry_queue published{rte_lcore_id(), q->port, q->queue, q->counters};
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

void destroy_native(JNIEnv *, jclass, jlong handle) {
    packet_queue *q = queue_of(handle);
    telemetry_withdraw(q);
    free_queue(q);
}

/* {offset of the burst record, of rx_oversize in it, max burst, max slot bytes}, for Java's check. */
jintArray layout_native(JNIEnv *env, jclass) {
    const jint layout[] = {
        static_cast<jint>(sizeof(queue_counters)),
        static_cast<jint>(offsetof(burst_counters, rx_oversize)),
        MAX_BURST,
        MAX_SLOT_BYTES,
    };
    return new_int_array(env, layout, sizeof(layout) / sizeof(layout[0]));
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("nativeCreate", "(IIJIIILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)J", create_native),
    DPDKJ_NATIVE("nativeReceive", "(J)I", receive_native),
    DPDKJ_NATIVE("nativeTransmit", "(JI)I", transmit_native),
    DPDKJ_NATIVE("nativeRegisterThread", "(J)I", register_thread_native),
    DPDKJ_NATIVE("nativeUnregisterThread", "(J)V", unregister_thread_native),
    DPDKJ_NATIVE("nativeCounters", "(J)Ljava/nio/ByteBuffer;", counters_native),
    DPDKJ_NATIVE("nativeDestroy", "(J)V", destroy_native),
    DPDKJ_NATIVE("nativeLayout", "()[I", layout_native),
};

} // namespace

const native_table burst_natives = {"PacketQueue", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
