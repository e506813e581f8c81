/*
 * The echo's per-packet work: swap source and destination MAC in place, and set aside frames
 * too short to have them. Header-only and free of EAL state, so it is unit-tested on hand-made
 * mbufs (src/test/cpp/test_macswap.cpp).
 */
#ifndef DPDKJ_MACSWAP_H
#define DPDKJ_MACSWAP_H

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

namespace dpdkj {

/* How far ahead of the frame being swapped its successors' headers are prefetched. */
constexpr uint16_t MACSWAP_PREFETCH_AHEAD = 4;

static inline void swap_ether_addrs(rte_ether_hdr *eth) {
    rte_ether_addr tmp = eth->dst_addr;
    eth->dst_addr = eth->src_addr;
    eth->src_addr = tmp;
}

/*
 * Swaps every frame of the burst that holds an Ethernet header and moves the runts (shorter
 * first segments) behind them, keeping the good frames in order. Returns how many are good;
 * `*good_bytes` gets their bytes (pkt_len, without CRC).
 */
static inline uint16_t macswap_burst(rte_mbuf **pkts, uint16_t count, uint64_t *good_bytes) {
    uint64_t bytes = 0;
    uint16_t good = 0;
    for (uint16_t i = 0; i < count && i < MACSWAP_PREFETCH_AHEAD; i++)
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
    for (uint16_t i = 0; i < count; i++) {
        if (i + MACSWAP_PREFETCH_AHEAD < count)
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + MACSWAP_PREFETCH_AHEAD], void *));
        rte_mbuf *m = pkts[i];
        if (unlikely(rte_pktmbuf_data_len(m) < sizeof(rte_ether_hdr)))
            continue; // a runt: left for the caller to free and count
        swap_ether_addrs(rte_pktmbuf_mtod(m, rte_ether_hdr *));
        bytes += m->pkt_len;
        if (unlikely(good != i)) { // only after a runt: everything between good and i is one
            pkts[i] = pkts[good];
            pkts[good] = m;
        }
        good++;
    }
    *good_bytes = bytes;
    return good;
}

} // namespace dpdkj

#endif
