/*
 * The echo loop: one per lcore, over the (port, queue) pairs assigned to it. Per packet it
 * touches only DPDK and its own counters: no JNI, no allocation, no lock, no syscall.
 */
#include <cstddef>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dpdkj.h"
#include "dpdkj_counters.h"
#include "dpdkj_lcore.h"
#include "dpdkj_reflect.h"
#include "dpdkj_telemetry.h"

namespace dpdkj {

namespace {

constexpr uint16_t MAX_BURST = 512;
constexpr uint16_t MAX_QUEUES_PER_WORKER = 64;

struct queue_ref {
    uint16_t port;
    uint16_t queue;
    rte_ether_addr own; /* the port's MAC: the source of group-destined frames under the group policy */
};

struct worker {
    lcore_task task; /* first: LcoreLoop's natives see a worker as its task */
    uint16_t burst_size;
    uint16_t queue_count;
    uint32_t tx_retries;
    swap_level level;      /* what task.body was built for: telemetry reads them, the loop does not */
    reflect_policy policy;
    queue_counters *counters; /* queue_count records on the lcore's socket */
    queue_ref queues[MAX_QUEUES_PER_WORKER];
};

inline worker *worker_of(jlong handle) { return reinterpret_cast<worker *>(handle); }

/*
 * The frames a burst set aside, behind the sent ones: freed, each class counted. Only a burst
 * that had any comes here, so an all-unicast burst stores no counter of these.
 */
inline void count_set_aside(queue_counters *c, const reflect_tally &t) {
    if (t.runts != 0)
        counter_add(&c->rx_runts, t.runts);
    if (t.group_destination != 0)
        counter_add(&c->rx_group_dst, t.group_destination);
    if (t.link_local != 0)
        counter_add(&c->rx_link_local, t.link_local);
    if (t.group_source != 0)
        counter_add(&c->rx_group_src, t.group_source);
}

/*
 * Reflects a burst at level L under policy P (dpdkj_reflect.h, inlined: one instance per pair):
 * what the policy sets aside is freed and counted by class; of the rest, what Tx still refuses
 * after the retries is freed and counted too. rx_packets counts the frames handed to Tx, so
 * tx_packets + tx_dropped == rx_packets.
 */
template <swap_level L, reflect_policy P>
inline void echo_burst(const worker *w, const queue_ref &q, queue_counters *c, rte_mbuf **pkts,
                       uint16_t nb_rx, uint64_t start) {
    reflect_tally tally;
    const uint16_t good = reflect_burst<L, P>(pkts, nb_rx, q.own, &tally);
    if (unlikely(good < nb_rx)) {
        rte_pktmbuf_free_bulk(pkts + good, static_cast<unsigned>(nb_rx - good));
        count_set_aside(c, tally);
    }
    if constexpr (P == reflect_policy::group) {
        if (unlikely(tally.group_reflected != 0))
            counter_add(&c->tx_own_source, tally.group_reflected);
    }
    const uint64_t rx_bytes = tally.sent_bytes;
    uint16_t nb_tx = rte_eth_tx_burst(q.port, q.queue, pkts, good);
    uint32_t retries = 0;
    while (unlikely(nb_tx < good) && retries < w->tx_retries) {
        nb_tx = static_cast<uint16_t>(
            nb_tx + rte_eth_tx_burst(q.port, q.queue, pkts + nb_tx, static_cast<uint16_t>(good - nb_tx)));
        retries++;
    }
    uint64_t dropped_bytes = 0;
    if (unlikely(nb_tx < good)) {
        for (uint16_t i = nb_tx; i < good; i++)
            dropped_bytes += pkts[i]->pkt_len;
        rte_pktmbuf_free_bulk(pkts + nb_tx, static_cast<unsigned>(good - nb_tx));
        counter_add(&c->tx_dropped, static_cast<uint64_t>(good - nb_tx));
    }
    counter_add(&c->rx_packets, good);
    counter_add(&c->rx_bytes, rx_bytes);
    counter_add(&c->tx_packets, nb_tx);
    counter_add(&c->tx_bytes, rx_bytes - dropped_bytes);
    counter_add(&c->rx_bursts, 1);
    if (retries != 0)
        counter_add(&c->tx_retries, retries);
    count_busy_cycles(c, start);
}

template <swap_level L, reflect_policy P>
int echo_loop(void *arg) {
    const worker *w = static_cast<const worker *>(arg);
    rte_mbuf *pkts[MAX_BURST];
    while (!stop_requested(&w->task)) {
        for (uint16_t i = 0; i < w->queue_count; i++) {
            const queue_ref &q = w->queues[i];
            queue_counters *c = &w->counters[i];
            const uint64_t start = poll_start();
            const uint16_t nb_rx = rte_eth_rx_burst(q.port, q.queue, pkts, w->burst_size);
            if (nb_rx == 0) {
                counter_add(&c->empty_polls, 1);
                continue;
            }
            echo_burst<L, P>(w, q, c, pkts, nb_rx, start);
        }
    }
    return 0;
}

using loop_body = int (*)(void *);

/* One loop per (level, policy), chosen once at create: the kernel is inlined into each. */
constexpr loop_body LOOPS[3][3] = {
    {echo_loop<swap_level::mac, reflect_policy::unicast>, echo_loop<swap_level::mac, reflect_policy::group>,
     echo_loop<swap_level::mac, reflect_policy::everything>},
    {echo_loop<swap_level::ip, reflect_policy::unicast>, echo_loop<swap_level::ip, reflect_policy::group>,
     echo_loop<swap_level::ip, reflect_policy::everything>},
    {echo_loop<swap_level::ports, reflect_policy::unicast>, echo_loop<swap_level::ports, reflect_policy::group>,
     echo_loop<swap_level::ports, reflect_policy::everything>},
};
constexpr const char *LEVEL_NAMES[3] = {"mac", "ip", "ports"};
constexpr const char *POLICY_NAMES[3] = {"unicast", "group", "everything"};

jlong create_native(JNIEnv *env, jclass, jint lcore, jintArray ports, jintArray queues,
                    jint burst_size, jint tx_retries, jint level, jint policy) {
    clear_error();
    const jsize n = env->GetArrayLength(ports);
    if (lcore < 0 || lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(static_cast<unsigned>(lcore)))
        return fail(-EINVAL, "lcore %d is not one of EAL's lcores", lcore);
    if (n < 1 || n > MAX_QUEUES_PER_WORKER || env->GetArrayLength(queues) != n)
        return fail(-EINVAL, "a worker serves 1 to %u queues, %d given", MAX_QUEUES_PER_WORKER, n);
    if (burst_size < 1 || burst_size > MAX_BURST)
        return fail(-EINVAL, "burst size %d is outside 1..%u", burst_size, MAX_BURST);
    if (tx_retries < 0)
        return fail(-EINVAL, "tx retries %d is negative", tx_retries);
    if (level < 0 || level > 2)
        return fail(-EINVAL, "swap level %d is outside 0..2 (mac, ip, ports)", level);
    if (policy < 0 || policy > 2)
        return fail(-EINVAL, "reflect policy %d is outside 0..2 (unicast, group, everything)", policy);

    const int socket = static_cast<int>(rte_lcore_to_socket_id(static_cast<unsigned>(lcore)));
    auto *w = static_cast<worker *>(rte_zmalloc_socket("dpdkj_worker", sizeof(worker), alignof(worker), socket));
    if (w == nullptr)
        return fail(-ENOMEM, "no hugepage memory for lcore %d's worker", lcore);
    w->counters = static_cast<queue_counters *>(rte_zmalloc_socket(
        "dpdkj_counters", sizeof(queue_counters) * static_cast<size_t>(n), COUNTERS_ALIGN, socket));
    if (w->counters == nullptr) {
        rte_free(w);
        return fail(-ENOMEM, "no hugepage memory for lcore %d's counters", lcore);
    }
    jint port_ids[MAX_QUEUES_PER_WORKER];
    jint queue_ids[MAX_QUEUES_PER_WORKER];
    env->GetIntArrayRegion(ports, 0, n, port_ids);
    env->GetIntArrayRegion(queues, 0, n, queue_ids);
    for (jsize i = 0; i < n; i++) {
        w->queues[i].port = static_cast<uint16_t>(port_ids[i]);
        w->queues[i].queue = static_cast<uint16_t>(queue_ids[i]);
        const int ret = rte_eth_macaddr_get(w->queues[i].port, &w->queues[i].own);
        if (ret != 0) {
            rte_free(w->counters);
            rte_free(w);
            return fail(ret, "read port %d's MAC address (rte_eth_macaddr_get)", port_ids[i]);
        }
    }
    w->level = static_cast<swap_level>(level);
    w->policy = static_cast<reflect_policy>(policy);
    w->task.lcore = static_cast<unsigned>(lcore);
    w->task.body = LOOPS[level][policy];
    w->queue_count = static_cast<uint16_t>(n);
    w->burst_size = static_cast<uint16_t>(burst_size);
    w->tx_retries = static_cast<uint32_t>(tx_retries);

    telemetry_queue published[MAX_QUEUES_PER_WORKER];
    for (uint16_t i = 0; i < w->queue_count; i++)
        published[i] = telemetry_queue{w->task.lcore,         w->queues[i].port,
                                       w->queues[i].queue,    &w->counters[i],
                                       LEVEL_NAMES[level],    POLICY_NAMES[policy]};
    telemetry_publish(w, published, w->queue_count);
    return reinterpret_cast<jlong>(w);
}

jobject counters_native(JNIEnv *env, jclass, jlong handle) {
    worker *w = worker_of(handle);
    return env->NewDirectByteBuffer(w->counters,
                                    static_cast<jlong>(sizeof(queue_counters)) * w->queue_count);
}

void destroy_native(JNIEnv *, jclass, jlong handle) {
    worker *w = worker_of(handle);
    telemetry_withdraw(w);
    rte_free(w->counters);
    rte_free(w);
}

/* {record size, offsets of each counter in declaration order, max burst}, for Java's check. */
jintArray layout_native(JNIEnv *env, jclass) {
    const jint layout[] = {
        static_cast<jint>(sizeof(queue_counters)),
        static_cast<jint>(offsetof(queue_counters, rx_packets)),
        static_cast<jint>(offsetof(queue_counters, rx_bytes)),
        static_cast<jint>(offsetof(queue_counters, tx_packets)),
        static_cast<jint>(offsetof(queue_counters, tx_bytes)),
        static_cast<jint>(offsetof(queue_counters, tx_dropped)),
        static_cast<jint>(offsetof(queue_counters, rx_bursts)),
        static_cast<jint>(offsetof(queue_counters, empty_polls)),
        static_cast<jint>(offsetof(queue_counters, tx_retries)),
        static_cast<jint>(offsetof(queue_counters, rx_runts)),
        static_cast<jint>(offsetof(queue_counters, busy_cycles)),
        static_cast<jint>(offsetof(queue_counters, rx_group_dst)),
        static_cast<jint>(offsetof(queue_counters, rx_link_local)),
        static_cast<jint>(offsetof(queue_counters, rx_group_src)),
        static_cast<jint>(offsetof(queue_counters, tx_own_source)),
        MAX_BURST,
    };
    return new_int_array(env, layout, sizeof(layout) / sizeof(layout[0]));
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("create", "(I[I[IIIII)J", create_native),
    DPDKJ_NATIVE("counters", "(J)Ljava/nio/ByteBuffer;", counters_native),
    DPDKJ_NATIVE("destroy", "(J)V", destroy_native),
    DPDKJ_NATIVE("layout", "()[I", layout_native),
};

} // namespace

const native_table worker_natives = {"EchoWorkerNatives", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
