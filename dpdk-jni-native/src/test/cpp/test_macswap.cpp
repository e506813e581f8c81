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

    uint64_t bytes = 0;
    check(dpdkj::macswap_burst(pkts, count, &bytes) == count, "every frame is good");
    check(bytes == expected_bytes, "burst bytes are the sum of pkt_len");

    for (uint16_t i = 0; i < count; i++) {
        const uint8_t *after = frames[i].buffer + RTE_PKTMBUF_HEADROOM;
        const uint16_t len = frames[i].mbuf.data_len;
        check(memcmp(after, before[i] + 6, 6) == 0, "destination MAC is the old source");
        check(memcmp(after + 6, before[i], 6) == 0, "source MAC is the old destination");
        check(memcmp(after + 12, before[i] + 12, len - 12u) == 0, "EtherType and payload intact");
        check(frames[i].mbuf.pkt_len == len, "length unchanged");
    }

    check(dpdkj::macswap_burst(pkts, 0, &bytes) == 0 && bytes == 0, "an empty burst swaps nothing");

    // Swapping twice restores the frame.
    dpdkj::macswap_burst(pkts, count, &bytes);
    for (uint16_t i = 0; i < count; i++)
        check(memcmp(frames[i].buffer + RTE_PKTMBUF_HEADROOM, before[i], frames[i].mbuf.data_len) == 0,
              "two swaps are the identity");

    // Runts (no room for two MACs) are set aside untouched, the good frames keep their order.
    static fake_mbuf mixed[6];
    static uint8_t mixed_before[6][2048];
    const uint16_t lengths[6] = {60, 13, 0, 64, 1, 1514};
    rte_mbuf *burst[6];
    for (uint16_t i = 0; i < 6; i++) {
        init_frame(mixed[i], lengths[i], static_cast<uint8_t>(100 + i));
        memcpy(mixed_before[i], mixed[i].buffer + RTE_PKTMBUF_HEADROOM, lengths[i]);
        burst[i] = &mixed[i].mbuf;
    }
    const uint16_t good = dpdkj::macswap_burst(burst, 6, &bytes);
    check(good == 3, "three frames have an Ethernet header");
    check(bytes == 60 + 64 + 1514, "only their bytes count");
    check(burst[0] == &mixed[0].mbuf && burst[1] == &mixed[3].mbuf && burst[2] == &mixed[5].mbuf,
          "good frames first, in order");
    for (uint16_t i = 3; i < 6; i++) {
        const uint16_t len = burst[i]->data_len;
        check(len < 14, "runts last");
        const fake_mbuf *runt = reinterpret_cast<const fake_mbuf *>(burst[i]);
        const size_t index = static_cast<size_t>(runt - mixed);
        check(memcmp(runt->buffer + RTE_PKTMBUF_HEADROOM, mixed_before[index], len) == 0, "runts untouched");
    }

    // A chained frame (Rx scatter, mergeable virtio buffers): the header is in the first
    // segment, only it changes, and the frame counts its whole pkt_len.
    static fake_mbuf chain[3];
    static uint8_t chain_before[3][2048];
    const uint16_t segment_lengths[3] = {2048, 2048, 904};
    for (uint16_t i = 0; i < 3; i++) {
        init_frame(chain[i], segment_lengths[i], static_cast<uint8_t>(200 + i));
        memcpy(chain_before[i], chain[i].buffer + RTE_PKTMBUF_HEADROOM, segment_lengths[i]);
        if (i > 0)
            chain[i - 1].mbuf.next = &chain[i].mbuf;
    }
    chain[0].mbuf.nb_segs = 3;
    chain[0].mbuf.pkt_len = 2048 + 2048 + 904;
    rte_mbuf *chained = &chain[0].mbuf;
    check(dpdkj::macswap_burst(&chained, 1, &bytes) == 1, "a chained frame is good");
    check(bytes == 5000, "a chained frame counts its pkt_len");
    const uint8_t *head = chain[0].buffer + RTE_PKTMBUF_HEADROOM;
    check(memcmp(head, chain_before[0] + 6, 6) == 0 && memcmp(head + 6, chain_before[0], 6) == 0,
          "the first segment's MACs are swapped");
    check(memcmp(head + 12, chain_before[0] + 12, 2048 - 12) == 0, "the rest of the first segment is intact");
    for (uint16_t i = 1; i < 3; i++)
        check(memcmp(chain[i].buffer + RTE_PKTMBUF_HEADROOM, chain_before[i], segment_lengths[i]) == 0,
              "later segments are untouched");

    printf("%d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
