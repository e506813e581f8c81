/*
 * Per-queue counters of the echo loop. One record per (port, queue) served by a worker; only
 * that worker's lcore writes it (release stores), Java reads it while the loop runs (acquire
 * loads through a direct ByteBuffer), so neither side locks and no cache line is shared
 * between writers. Mirrored by io.l2echo.dpdk.QueueCounters, checked at load time.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  0 rx_packets      |  8 rx_bytes        | 16 tx_packets       |
 *  | 24 tx_bytes        | 32 tx_dropped      | 40 rx_bursts        |
 *  | 48 empty_polls     | 56 tx_retries      | 64 rx_runts         |
 *  | 72 busy_cycles     | 80 rx_group_dst    | 88 rx_link_local    |
 *  | 96 rx_group_src    |104 tx_own_source   | 112..127 padding    |
 *  +---------------------------------------------------------------+
 *
 * Two cache lines per record, so the adjacent-line prefetcher never pairs two writers.
 */
#ifndef DPDKJ_COUNTERS_H
#define DPDKJ_COUNTERS_H

#include <cstddef>
#include <cstdint>

#include <rte_cycles.h>

namespace dpdkj {

constexpr size_t COUNTERS_ALIGN = 128;

struct alignas(COUNTERS_ALIGN) queue_counters {
    uint64_t rx_packets;  /* frames handed to Tx (sent or tx_dropped): runts and frames not reflected excepted */
    uint64_t rx_bytes;    /* their bytes, without CRC */
    uint64_t tx_packets;  /* frames the Tx queue accepted */
    uint64_t tx_bytes;
    uint64_t tx_dropped;  /* frames Tx still refused after the retries, freed */
    uint64_t rx_bursts;   /* polls that returned at least one frame */
    uint64_t empty_polls; /* polls that returned none */
    uint64_t tx_retries;  /* extra rte_eth_tx_burst calls for frames Tx refused */
    uint64_t rx_runts;    /* frames shorter than an Ethernet header: dropped, not echoed */
    uint64_t busy_cycles; /* TSC cycles of the polls that returned frames, rx through tx (see poll_start) */
    /* The reflect policy's classes (dpdkj_reflect.h); a packet queue leaves them zero. */
    uint64_t rx_group_dst;  /* multicast or broadcast destination: not reflected, freed */
    uint64_t rx_link_local; /* IEEE 802.1 link-local destination (01:80:c2:00:00:0x): not reflected, freed */
    uint64_t rx_group_src;  /* group source MAC, which no device may send: dropped */
    uint64_t tx_own_source; /* group-destined frames handed to Tx with the port's MAC as source */
};

static_assert(sizeof(queue_counters) == 2 * 64, "a record is two cache lines");

/* Single writer: a plain read of our own value, then a release store for the readers. */
static inline void counter_add(uint64_t *counter, uint64_t delta) {
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + delta, __ATOMIC_RELEASE);
}

/*
 * Busy cycles are testpmd's --record-core-cycles measure, so the two compare: the TSC is read
 * before every Rx poll and again when a non-empty poll's burst has been transmitted; empty polls
 * add nothing. rte_rdtsc does not serialise, so a read may drift by a few cycles into the
 * instructions around it: noise at the scale of a burst.
 */
static inline uint64_t poll_start() { return rte_rdtsc(); }

static inline void count_busy_cycles(queue_counters *c, uint64_t start) {
    counter_add(&c->busy_cycles, rte_rdtsc() - start);
}

} // namespace dpdkj

#endif
