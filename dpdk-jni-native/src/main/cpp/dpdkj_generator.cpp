/*
 * The traffic generator's loop: one lcore sends UDP frames stamped with a sequence number and
 * the TSC, at a fixed rate or flat out, and receives their echoes on the same queue, recording
 * each frame's round trip by sequence number. Java reads the counters while it runs and the
 * round trips once it is done; nothing crosses JNI per packet.
 */
#include <cstdlib>
#include <cstring>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dpdkj.h"
#include "dpdkj_counters.h"
#include "dpdkj_lcore.h"

namespace dpdkj {

namespace {

constexpr uint16_t MAX_BURST = 512;
constexpr uint16_t MAX_FRAME = 1514;
/* Where the stamp lives: right after the Ethernet, IPv4 and UDP headers. */
constexpr uint16_t UDP_OFFSET = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr);
constexpr uint16_t SEQUENCE_OFFSET = UDP_OFFSET + sizeof(rte_udp_hdr);
constexpr uint16_t TSC_OFFSET = SEQUENCE_OFFSET + 8;
constexpr uint16_t MIN_FRAME = TSC_OFFSET + 8;

/*
 * Written by the generator's lcore only (release stores), read by Java (acquire loads).
 * Mirrored by io.l2echo.dpdk.GeneratorCounters.
 */
struct alignas(COUNTERS_ALIGN) generator_counters {
    uint64_t tx_packets;    /* frames the Tx queue accepted */
    uint64_t tx_failed;     /* paced frames the Tx queue refused, freed: offered but never sent */
    uint64_t rx_packets;    /* every frame received */
    uint64_t rx_echoes;     /* our frames, each counted the first time it came back */
    uint64_t rx_duplicates; /* our frames that came back again */
    uint64_t rx_reordered;  /* our frames that came back after a later one */
    uint64_t rx_foreign;    /* frames not of this trial: another sender's, or late echoes of an earlier one */
    uint64_t done;          /* 1 once everything is sent and the drain time has passed */
    uint64_t send_ns;       /* from the first frame sent to the last: the rate actually sent */
    uint64_t rx_corrupted;  /* echoes of ours (counted in rx_echoes too) not byte for byte the frame sent */
};

static_assert(sizeof(generator_counters) == 128, "a record is two cache lines");

struct generator {
    lcore_task task; /* first: LcoreLoop's natives see a generator as its task */
    uint16_t port;
    uint16_t queue;
    uint16_t burst_size;
    uint16_t frame_length;
    uint16_t flows;
    uint16_t udp_source_port; /* host order; flow i uses this + i */
    uint16_t udp_destination_port;
    rte_mempool *pool;
    uint64_t count;
    uint64_t interval_tsc; /* between frames; 0: flat out */
    uint64_t drain_tsc;
    uint64_t tsc_hz;
    uint64_t start_tsc; /* this trial's first TSC: every frame it sends is stamped later */
    generator_counters *counters;
    uint32_t *round_trip_ns; /* by sequence number; 0 until the echo arrives */
    /* Flat out, frames the Tx queue refused wait here and go first next time. */
    rte_mbuf *pending[MAX_BURST];
    uint16_t pending_count;
    bool ports_swapped; /* the echo's level swaps our UDP ports: a flow's port comes back as destination */
    uint8_t frame[MAX_FRAME];
    uint8_t expected[MAX_FRAME]; /* the frame as the echo's swap level returns it; per-frame fields aside */
};

inline generator *generator_of(jlong handle) { return reinterpret_cast<generator *>(handle); }

/* The UDP port a flow's frames carry as source, in the frame's byte order. */
inline uint16_t flow_port(const generator *g, uint64_t sequence) {
    return rte_cpu_to_be_16(static_cast<uint16_t>(g->udp_source_port + sequence % g->flows));
}

inline void stamp(const generator *g, rte_mbuf *m, uint64_t sequence, uint64_t tsc) {
    uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
    memcpy(data, g->frame, g->frame_length);
    memcpy(data + SEQUENCE_OFFSET, &sequence, sizeof(sequence));
    memcpy(data + TSC_OFFSET, &tsc, sizeof(tsc));
    // UDP checksum 0 (none), so a flow's source port can change without recomputing it.
    const uint16_t source_port = flow_port(g, sequence);
    memcpy(data + UDP_OFFSET, &source_port, sizeof(source_port));
    m->data_len = g->frame_length;
    m->pkt_len = g->frame_length;
}

/* Hands frames to the Tx queue; returns how many it took. Flat out, the rest wait; paced, they are lost. */
uint16_t transmit(generator *g, rte_mbuf **pkts, uint16_t n) {
    const uint16_t sent = rte_eth_tx_burst(g->port, g->queue, pkts, n);
    counter_add(&g->counters->tx_packets, sent);
    if (likely(sent == n))
        return sent;
    if (g->interval_tsc == 0) {
        memmove(g->pending, pkts + sent, sizeof(rte_mbuf *) * (n - sent));
        g->pending_count = static_cast<uint16_t>(n - sent);
    } else {
        rte_pktmbuf_free_bulk(pkts + sent, static_cast<unsigned>(n - sent));
        counter_add(&g->counters->tx_failed, static_cast<uint64_t>(n - sent));
    }
    return sent;
}

/* Retries what the Tx queue refused, stamped anew so the round trip does not count the wait. */
void retry_pending(generator *g) {
    const uint64_t tsc = rte_rdtsc();
    for (uint16_t i = 0; i < g->pending_count; i++)
        memcpy(rte_pktmbuf_mtod(g->pending[i], uint8_t *) + TSC_OFFSET, &tsc, sizeof(tsc));
    rte_mbuf *pkts[MAX_BURST];
    const uint16_t n = g->pending_count;
    memcpy(pkts, g->pending, sizeof(rte_mbuf *) * n);
    g->pending_count = 0;
    transmit(g, pkts, n);
}

/* Sends `n` new frames from `*next_sequence`. */
void send(generator *g, uint64_t *next_sequence, uint16_t n) {
    rte_mbuf *pkts[MAX_BURST];
    if (rte_pktmbuf_alloc_bulk(g->pool, pkts, n) != 0)
        return; // pool dry for a moment: the echoes in flight will refill it
    const uint64_t tsc = rte_rdtsc();
    for (uint16_t i = 0; i < n; i++)
        stamp(g, pkts[i], *next_sequence + i, tsc);
    *next_sequence += n; // paced frames the Tx queue refuses keep their numbers: they count as lost
    transmit(g, pkts, n);
}

/*
 * The frame an echo at `level` (0 MAC, 1 and IP, 2 and UDP ports: dpdkj_reflect.h's swap_level)
 * returns, by the protocols' rules rather than the echo's code: MACs swapped; at IP the IPv4
 * addresses unless the destination is a group address (224.0.0.0 and up); at ports also the
 * UDP ports, unless the packet is a fragment. Our frames are untagged IPv4/UDP, IHL 5.
 */
void make_expected(generator *g, int level) {
    memcpy(g->expected, g->frame, g->frame_length);
    uint8_t *e = g->expected;
    memcpy(e, g->frame + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
    memcpy(e + RTE_ETHER_ADDR_LEN, g->frame, RTE_ETHER_ADDR_LEN);
    g->ports_swapped = false;
    const uint8_t *ip = g->frame + sizeof(rte_ether_hdr);
    const bool ipv4 = g->frame[12] == 0x08 && g->frame[13] == 0x00 && ip[0] == 0x45;
    if (level < 1 || !ipv4 || ip[16] >= 224)
        return;
    uint8_t *eip = e + sizeof(rte_ether_hdr);
    memcpy(eip + 12, ip + 16, 4);
    memcpy(eip + 16, ip + 12, 4);
    const bool fragment = ((ip[6] << 8 | ip[7]) & 0x3fff) != 0;
    if (level < 2 || fragment || ip[9] != 17 /* UDP */)
        return;
    memcpy(e + UDP_OFFSET, g->frame + UDP_OFFSET + 2, 2);
    memcpy(e + UDP_OFFSET + 2, g->frame + UDP_OFFSET, 2);
    g->ports_swapped = true;
}

/*
 * Whether an echo is the frame sent as the echo's swap level returns it: every byte but the
 * per-frame ones (sequence, TSC) as expected, and the flow's UDP port where the level puts it.
 * A chained echo is read across its segments.
 */
bool intact(const generator *g, const rte_mbuf *m, const uint8_t *data, uint64_t sequence) {
    if (rte_pktmbuf_pkt_len(m) != g->frame_length)
        return false;
    uint8_t linear[MAX_FRAME];
    if (rte_pktmbuf_data_len(m) != g->frame_length)
        data = static_cast<const uint8_t *>(rte_pktmbuf_read(m, 0, g->frame_length, linear));
    const uint8_t *e = g->expected;
    const unsigned fixed_port = g->ports_swapped ? UDP_OFFSET : UDP_OFFSET + 2; /* the one port all flows share */
    const unsigned flow_port_at = g->ports_swapped ? UDP_OFFSET + 2 : UDP_OFFSET;
    const uint16_t port = flow_port(g, sequence);
    return memcmp(data, e, UDP_OFFSET) == 0 && memcmp(data + fixed_port, e + fixed_port, 2) == 0 &&
           memcmp(data + flow_port_at, &port, 2) == 0 &&
           memcmp(data + UDP_OFFSET + 4, e + UDP_OFFSET + 4, SEQUENCE_OFFSET - UDP_OFFSET - 4) == 0 &&
           memcmp(data + MIN_FRAME, e + MIN_FRAME, g->frame_length - MIN_FRAME) == 0;
}

void receive(generator *g, uint64_t *highest_sequence) {
    rte_mbuf *pkts[MAX_BURST];
    const uint16_t n = rte_eth_rx_burst(g->port, g->queue, pkts, g->burst_size);
    if (n == 0)
        return;
    const uint64_t now = rte_rdtsc();
    uint64_t echoes = 0, duplicates = 0, reordered = 0, foreign = 0, corrupted = 0;
    for (uint16_t i = 0; i < n; i++) {
        const uint8_t *data = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
        uint16_t source_port, destination_port;
        uint64_t sequence, sent_tsc;
        memcpy(&source_port, data + UDP_OFFSET, sizeof(source_port));
        memcpy(&destination_port, data + UDP_OFFSET + 2, sizeof(destination_port));
        memcpy(&sequence, data + SEQUENCE_OFFSET, sizeof(sequence));
        memcpy(&sent_tsc, data + TSC_OFFSET, sizeof(sent_tsc));
        // An earlier trial's late echo carries a sequence number of ours: its stamp tells it apart.
        // Ours has our fixed port on either side: an echo at another level than expected is ours, corrupted.
        if (rte_pktmbuf_data_len(pkts[i]) < MIN_FRAME ||
            (rte_be_to_cpu_16(destination_port) != g->udp_destination_port &&
             rte_be_to_cpu_16(source_port) != g->udp_destination_port) ||
            sequence >= g->count ||
            sent_tsc < g->start_tsc) {
            foreign++;
            continue;
        }
        if (g->round_trip_ns[sequence] != 0) {
            duplicates++;
            continue;
        }
        const uint64_t ns = (now - sent_tsc) * UINT64_C(1000000000) / g->tsc_hz;
        g->round_trip_ns[sequence] = ns == 0 ? 1 : ns > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ns);
        echoes++;
        if (unlikely(!intact(g, pkts[i], data, sequence)))
            corrupted++;
        if (sequence < *highest_sequence)
            reordered++;
        else
            *highest_sequence = sequence;
    }
    rte_pktmbuf_free_bulk(pkts, n);
    counter_add(&g->counters->rx_packets, n);
    if (echoes)
        counter_add(&g->counters->rx_echoes, echoes);
    if (unlikely(duplicates))
        counter_add(&g->counters->rx_duplicates, duplicates);
    if (unlikely(reordered))
        counter_add(&g->counters->rx_reordered, reordered);
    if (unlikely(foreign))
        counter_add(&g->counters->rx_foreign, foreign);
    if (unlikely(corrupted))
        counter_add(&g->counters->rx_corrupted, corrupted);
}

int generator_loop(void *arg) {
    generator *g = static_cast<generator *>(arg);
    uint64_t next_sequence = 0;
    uint64_t highest_sequence = 0;
    const uint64_t first_tsc = rte_rdtsc();
    g->start_tsc = first_tsc;
    uint64_t next_tsc = first_tsc;
    uint64_t sent_all_tsc = 0;
    for (;;) {
        const uint64_t now = rte_rdtsc();
        // A stop ends the sending, not the run: what is in flight still comes back and counts.
        const bool sending = !stop_requested(&g->task);
        if (sending && g->pending_count != 0) {
            retry_pending(g);
        } else if (sending && next_sequence < g->count) {
            uint64_t due = g->count - next_sequence;
            if (g->interval_tsc != 0)
                due = now < next_tsc ? 0 : RTE_MIN(due, (now - next_tsc) / g->interval_tsc + 1);
            if (due != 0) {
                const uint16_t n = static_cast<uint16_t>(RTE_MIN(due, static_cast<uint64_t>(g->burst_size)));
                send(g, &next_sequence, n);
                next_tsc += n * g->interval_tsc;
            }
        } else if (sent_all_tsc == 0) {
            sent_all_tsc = now; // the last frame has left: the drain starts
            counter_add(&g->counters->send_ns, (now - first_tsc) * UINT64_C(1000000000) / g->tsc_hz);
        } else if (now - sent_all_tsc > g->drain_tsc ||
                   __atomic_load_n(&g->counters->rx_echoes, __ATOMIC_RELAXED) ==
                       __atomic_load_n(&g->counters->tx_packets, __ATOMIC_RELAXED)) {
            break;
        }
        receive(g, &highest_sequence);
    }
    if (g->pending_count != 0) {
        rte_pktmbuf_free_bulk(g->pending, g->pending_count);
        counter_add(&g->counters->tx_failed, g->pending_count);
        g->pending_count = 0;
    }
    __atomic_store_n(&g->counters->done, 1, __ATOMIC_RELEASE);
    return 0;
}

jlong create_native(JNIEnv *env, jclass, jint lcore, jint port, jint queue, jlong pool, jbyteArray frame,
                    jint flows, jint burst_size, jlong count, jlong rate_pps, jlong drain_ns, jint swap_level) {
    clear_error();
    const jsize length = env->GetArrayLength(frame);
    if (lcore < 0 || lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(static_cast<unsigned>(lcore)))
        return fail(-EINVAL, "lcore %d is not one of EAL's lcores", lcore);
    if (length < MIN_FRAME || length > MAX_FRAME)
        return fail(-EINVAL, "frames of %d bytes: the generator sends %u to %u", length, MIN_FRAME, MAX_FRAME);
    if (burst_size < 1 || burst_size > MAX_BURST || flows < 1 || count < 1 || rate_pps < 0 || drain_ns < 0)
        return fail(-EINVAL, "burst %d, flows %d, count %lld, rate %lld or drain %lld out of range", burst_size,
                    flows, static_cast<long long>(count), static_cast<long long>(rate_pps),
                    static_cast<long long>(drain_ns));
    if (swap_level < 0 || swap_level > 2)
        return fail(-EINVAL, "swap level %d is outside 0..2 (mac, ip, ports)", swap_level);
    const int socket = static_cast<int>(rte_lcore_to_socket_id(static_cast<unsigned>(lcore)));
    auto *g = static_cast<generator *>(rte_zmalloc_socket("dpdkj_generator", sizeof(generator), alignof(generator), socket));
    if (g == nullptr)
        return fail(-ENOMEM, "no hugepage memory for the generator on lcore %d", lcore);
    g->counters = static_cast<generator_counters *>(
        rte_zmalloc_socket("dpdkj_generator_counters", sizeof(generator_counters), COUNTERS_ALIGN, socket));
    // Plain memory, touched now so the loop never takes a page fault on it.
    g->round_trip_ns = static_cast<uint32_t *>(calloc(static_cast<size_t>(count), sizeof(uint32_t)));
    if (g->counters == nullptr || g->round_trip_ns == nullptr) {
        rte_free(g->counters);
        free(g->round_trip_ns);
        rte_free(g);
        return fail(-ENOMEM, "no memory to record %lld round trips", static_cast<long long>(count));
    }
    memset(g->round_trip_ns, 0, static_cast<size_t>(count) * sizeof(uint32_t));
    env->GetByteArrayRegion(frame, 0, length, reinterpret_cast<jbyte *>(g->frame));
    uint16_t source_port, destination_port;
    memcpy(&source_port, g->frame + UDP_OFFSET, sizeof(source_port));
    memcpy(&destination_port, g->frame + UDP_OFFSET + 2, sizeof(destination_port));
    g->udp_source_port = rte_be_to_cpu_16(source_port);
    g->udp_destination_port = rte_be_to_cpu_16(destination_port);
    g->task.lcore = static_cast<unsigned>(lcore);
    g->task.body = generator_loop;
    g->port = static_cast<uint16_t>(port);
    g->queue = static_cast<uint16_t>(queue);
    g->pool = reinterpret_cast<rte_mempool *>(pool);
    g->frame_length = static_cast<uint16_t>(length);
    g->flows = static_cast<uint16_t>(flows);
    g->burst_size = static_cast<uint16_t>(burst_size);
    g->count = static_cast<uint64_t>(count);
    g->tsc_hz = rte_get_tsc_hz();
    g->interval_tsc = rate_pps == 0 ? 0 : g->tsc_hz / static_cast<uint64_t>(rate_pps);
    g->drain_tsc = static_cast<uint64_t>(drain_ns) * g->tsc_hz / UINT64_C(1000000000);
    make_expected(g, swap_level);
    return reinterpret_cast<jlong>(g);
}

jobject counters_native(JNIEnv *env, jclass, jlong handle) {
    return env->NewDirectByteBuffer(generator_of(handle)->counters, sizeof(generator_counters));
}

/* Read once the loop is done: one int per sequence number, the round trip in ns or 0. */
jobject round_trips_native(JNIEnv *env, jclass, jlong handle) {
    generator *g = generator_of(handle);
    return env->NewDirectByteBuffer(g->round_trip_ns, static_cast<jlong>(g->count * sizeof(uint32_t)));
}

void destroy_native(JNIEnv *, jclass, jlong handle) {
    generator *g = generator_of(handle);
    free(g->round_trip_ns);
    rte_free(g->counters);
    rte_free(g);
}

jintArray layout_native(JNIEnv *env, jclass) {
    const jint layout[] = {
        static_cast<jint>(sizeof(generator_counters)),
        static_cast<jint>(offsetof(generator_counters, tx_packets)),
        static_cast<jint>(offsetof(generator_counters, tx_failed)),
        static_cast<jint>(offsetof(generator_counters, rx_packets)),
        static_cast<jint>(offsetof(generator_counters, rx_echoes)),
        static_cast<jint>(offsetof(generator_counters, rx_duplicates)),
        static_cast<jint>(offsetof(generator_counters, rx_reordered)),
        static_cast<jint>(offsetof(generator_counters, rx_foreign)),
        static_cast<jint>(offsetof(generator_counters, done)),
        static_cast<jint>(offsetof(generator_counters, send_ns)),
        static_cast<jint>(offsetof(generator_counters, rx_corrupted)),
        MIN_FRAME,
        SEQUENCE_OFFSET,
        TSC_OFFSET,
    };
    return new_int_array(env, layout, sizeof(layout) / sizeof(layout[0]));
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("create", "(IIIJ[BIIJJJI)J", create_native),
    DPDKJ_NATIVE("counters", "(J)Ljava/nio/ByteBuffer;", counters_native),
    DPDKJ_NATIVE("roundTrips", "(J)Ljava/nio/ByteBuffer;", round_trips_native),
    DPDKJ_NATIVE("destroy", "(J)V", destroy_native),
    DPDKJ_NATIVE("layout", "()[I", layout_native),
};

} // namespace

const native_table generator_natives = {"GeneratorNatives", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
