/*
 * Cycles per frame of the swap kernels on frames already in cache: what the kernel itself costs,
 * without the NIC, the mbuf pool or memory latency (the benchmark on a bed measures those).
 * Compares today's macswap_burst with reflect_burst at each level and policy.
 *
 *   bench_reflect [rounds]      each figure the best of 7 runs of `rounds` bursts of 32
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <rte_cycles.h>

#include "dpdkj_macswap.h"
#include "dpdkj_reflect.h"

namespace {

using dpdkj::reflect_policy;
using dpdkj::reflect_tally;
using dpdkj::swap_level;

constexpr uint16_t BURST = 32;
constexpr unsigned FRAMES = 256; // eight bursts' worth, cycled through: L1/L2 resident

struct fake_mbuf {
    rte_mbuf mbuf;
    alignas(64) uint8_t buffer[RTE_PKTMBUF_HEADROOM + 256];
};

fake_mbuf frames[FRAMES];

void put16(uint8_t *p, unsigned v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

/* A unicast frame: IPv4/UDP (kind 0), IPv6/TCP (1), QinQ IPv4/UDP (2), IPv4/SCTP (3). */
uint16_t write_frame(uint8_t *f, int kind, unsigned i) {
    const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 2}, src[6] = {0x02, 0, 0, 0, 0, static_cast<uint8_t>(i)};
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    unsigned off = 12;
    if (kind == 2) {
        put16(f + off, 0x88a8);
        put16(f + off + 2, 100);
        put16(f + off + 4, 0x8100);
        put16(f + off + 6, 200);
        off += 8;
    }
    if (kind == 1) {
        put16(f + off, 0x86dd);
        uint8_t *ip = f + off + 2;
        memset(ip, 0, 40);
        ip[0] = 0x60;
        put16(ip + 4, 20 + 6);
        ip[6] = 6;
        ip[7] = 64;
        ip[8] = 0x20;
        ip[23] = static_cast<uint8_t>(i);
        ip[24] = 0x20;
        ip[39] = 2;
        uint8_t *tcp = ip + 40;
        memset(tcp, 0, 26);
        put16(tcp, 1000 + i);
        put16(tcp + 2, 80);
        tcp[12] = 5 << 4;
        return static_cast<uint16_t>(off + 2 + 40 + 26);
    }
    put16(f + off, 0x0800);
    uint8_t *ip = f + off + 2;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    const unsigned l4 = kind == 3 ? 12 + 16 : 8 + 18;
    put16(ip + 2, 20 + l4);
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = kind == 3 ? 132 : 17;
    ip[12] = 10;
    ip[15] = static_cast<uint8_t>(i);
    ip[16] = 10;
    ip[19] = 2;
    uint8_t *p = ip + 20;
    memset(p, 0x33, l4);
    put16(p, 1000 + i);
    put16(p + 2, 7);
    return static_cast<uint16_t>(off + 2 + 20 + l4);
}

void load(int kind) {
    for (unsigned i = 0; i < FRAMES; i++) {
        fake_mbuf &m = frames[i];
        memset(&m.mbuf, 0, sizeof(m.mbuf));
        m.mbuf.buf_addr = m.buffer;
        m.mbuf.data_off = RTE_PKTMBUF_HEADROOM;
        const uint16_t len = write_frame(m.buffer + RTE_PKTMBUF_HEADROOM, kind, i);
        m.mbuf.data_len = len < 60 ? 60 : len;
        m.mbuf.pkt_len = m.mbuf.data_len;
        m.mbuf.nb_segs = 1;
    }
}

const rte_ether_addr OWN = {{0x02, 0x0e, 0xc0, 0, 0, 0x99}};
volatile uint64_t sink;

template <typename Kernel>
double cycles_per_frame(Kernel kernel, unsigned rounds) {
    rte_mbuf *pkts[FRAMES];
    for (unsigned i = 0; i < FRAMES; i++)
        pkts[i] = &frames[i].mbuf;
    double best = 1e30;
    for (int run = 0; run < 7; run++) {
        uint64_t sent = 0;
        const uint64_t start = rte_rdtsc_precise();
        for (unsigned r = 0; r < rounds; r++)
            sent += kernel(pkts + (r % (FRAMES / BURST)) * BURST, BURST);
        const uint64_t cycles = rte_rdtsc_precise() - start;
        sink = sent;
        const double per = static_cast<double>(cycles) / (static_cast<double>(rounds) * BURST);
        if (per < best)
            best = per;
    }
    return best;
}

template <swap_level L, reflect_policy P>
uint16_t reflect(rte_mbuf **pkts, uint16_t n) {
    reflect_tally t;
    const uint16_t sent = dpdkj::reflect_burst<L, P>(pkts, n, OWN, &t);
    sink = t.sent_bytes;
    return sent;
}

uint16_t macswap(rte_mbuf **pkts, uint16_t n) {
    uint64_t bytes;
    const uint16_t sent = dpdkj::macswap_burst(pkts, n, &bytes);
    sink = bytes;
    return sent;
}

} // namespace

int main(int argc, char **argv) {
    const unsigned rounds = argc > 1 ? static_cast<unsigned>(strtoul(argv[1], nullptr, 10)) : 200000;
    const char *kinds[] = {"IPv4/UDP", "IPv6/TCP", "QinQ IPv4/UDP", "IPv4/SCTP"};
    printf("%-14s %9s %9s %9s %9s %9s %9s %9s\n", "cycles/frame", "macswap", "mac/all", "mac/uni", "mac/grp",
           "ip/uni", "ports/uni", "ports/all");
    for (int kind = 0; kind < 4; kind++) {
        load(kind);
        printf("%-14s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", kinds[kind], cycles_per_frame(macswap, rounds),
               cycles_per_frame(reflect<swap_level::mac, reflect_policy::everything>, rounds),
               cycles_per_frame(reflect<swap_level::mac, reflect_policy::unicast>, rounds),
               cycles_per_frame(reflect<swap_level::mac, reflect_policy::group>, rounds),
               cycles_per_frame(reflect<swap_level::ip, reflect_policy::unicast>, rounds),
               cycles_per_frame(reflect<swap_level::ports, reflect_policy::unicast>, rounds),
               cycles_per_frame(reflect<swap_level::ports, reflect_policy::everything>, rounds));
    }
    return 0;
}
