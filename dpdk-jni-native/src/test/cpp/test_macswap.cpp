/* The swap kernel on hand-made mbufs: MACs swapped, every other byte and the length intact. */
#include <cstdio>
#include <cstring>

#include "dpdkj_macswap.h"

namespace {

int failures = 0;

void check(bool ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", what);
        failures++;
    }
}

struct fake_mbuf {
    rte_mbuf mbuf;
    alignas(64) uint8_t buffer[RTE_PKTMBUF_HEADROOM + 2048];
};

void init_frame(fake_mbuf &m, uint16_t len, uint8_t seed) {
    memset(&m.mbuf, 0, sizeof(m.mbuf));
    m.mbuf.buf_addr = m.buffer;
    m.mbuf.data_off = RTE_PKTMBUF_HEADROOM;
    m.mbuf.data_len = len;
    m.mbuf.pkt_len = len;
    m.mbuf.nb_segs = 1;
    for (uint16_t i = 0; i < len; i++)
        m.buffer[RTE_PKTMBUF_HEADROOM + i] = static_cast<uint8_t>(seed + i * 7);
}

} // namespace

int main() {
    constexpr uint16_t count = 11; // more than the prefetch distance, not a multiple of it
    static fake_mbuf frames[count];
    static uint8_t before[count][2048];
    rte_mbuf *pkts[count];
    uint64_t expected_bytes = 0;
    for (uint16_t i = 0; i < count; i++) {
        const uint16_t len = static_cast<uint16_t>(60 + i * 131);
        init_frame(frames[i], len, static_cast<uint8_t>(i));
        memcpy(before[i], frames[i].buffer + RTE_PKTMBUF_HEADROOM, len);
        pkts[i] = &frames[i].mbuf;
        expected_bytes += len;
    }

    check(dpdkj::macswap_burst(pkts, count) == expected_bytes, "burst bytes are the sum of pkt_len");

    for (uint16_t i = 0; i < count; i++) {
        const uint8_t *after = frames[i].buffer + RTE_PKTMBUF_HEADROOM;
        const uint16_t len = frames[i].mbuf.data_len;
        check(memcmp(after, before[i] + 6, 6) == 0, "destination MAC is the old source");
        check(memcmp(after + 6, before[i], 6) == 0, "source MAC is the old destination");
        check(memcmp(after + 12, before[i] + 12, len - 12u) == 0, "EtherType and payload intact");
        check(frames[i].mbuf.pkt_len == len, "length unchanged");
    }

    check(dpdkj::macswap_burst(pkts, 0) == 0, "an empty burst swaps nothing");

    // Swapping twice restores the frame.
    dpdkj::macswap_burst(pkts, count);
    for (uint16_t i = 0; i < count; i++)
        check(memcmp(frames[i].buffer + RTE_PKTMBUF_HEADROOM, before[i], frames[i].mbuf.data_len) == 0,
              "two swaps are the identity");

    printf("%d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
