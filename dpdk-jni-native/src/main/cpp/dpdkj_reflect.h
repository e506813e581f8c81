/*
 * The reflector's per-packet work, a level deeper than dpdkj_macswap.h: which frames go back
 * (a policy on the MAC addresses) and how much of each is swapped (a level). Header-only and
 * free of EAL state, unit-tested on hand-made mbufs (src/test/cpp/test_reflect.cpp).
 *
 * Levels, each stopping at the first layer that is not there or not whole in the frame's first
 * segment (a header is swapped only when every byte of it lies within data_len):
 *
 *   mac    destination and source MAC, today's echo (testpmd's macswap).
 *   ip     and IPv4 or IPv6 source and destination address.
 *   ports  and UDP, TCP or SCTP source and destination port (testpmd's 5tswap, plus SCTP).
 *
 * What is parsed, and why:
 * - Up to two VLAN tags, each 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100 (pre-802.1ad QinQ,
 *   still what some switches emit), in any order. A third tag stops the frame at MAC.
 * - IPv4: version 4, IHL >= 5, the whole header with its options. IPv6: version 6, 40 bytes.
 * - The IP layer is left alone when the destination is a group address (IPv4 224.0.0.0 and
 *   above: multicast, reserved and limited broadcast; IPv6 ff00::/8): swapped, it would become
 *   the source, which no host may send. Such a frame stops at MAC.
 * - Ports only when the L4 header follows the IP header directly: IPv4 not a fragment (MF clear
 *   and offset 0), IPv6 next header UDP, TCP or SCTP itself. IPv6 extension headers (hop-by-hop,
 *   routing, destination options, fragment) are not walked, as testpmd's 5tswap: a fragment
 *   header therefore never yields ports. The L4 header must be whole both in the frame and in
 *   the datagram the IP header declares (total length, payload length): bytes past those are
 *   Ethernet padding. TCP's whole header is its data offset (options included, >= 20 bytes).
 *
 * Checksums: IPv4's header checksum and the UDP/TCP checksums (pseudo-header included) are
 * one's-complement sums, and a swap only permutes their 16-bit words, so they stay valid as they
 * are: nothing is rewritten. SCTP's CRC32c is not a sum: swapping the ports changes it, so the
 * kernel corrects it in place from the ports and the packet's length alone (the CRC is linear),
 * without reading the payload; a zero checksum (RFC 9653) is left zero. The unit test verifies
 * every checksum before and after.
 *
 * Policies, on the destination and source MAC only (one 8-byte load, one test on the fast path):
 *
 *   unicast     the safe default: reflect frames to a unicast destination. A group destination
 *               (multicast, broadcast) is not reflected, an IEEE 802.1 link-local destination
 *               (01:80:c2:00:00:00-0f: STP, PAUSE, LACP, LLDP...) is not reflected, a group
 *               source (no device may send one) is dropped.
 *   group       widened: as unicast, but group-destined frames are reflected too, with the
 *               port's own MAC as source (never a group address). Link-local and group-source
 *               frames still are not.
 *   everything  no classification: what the echo did before, and what testpmd does.
 *
 * A kernel is one (level, policy) instantiation of reflect_burst, chosen once when a loop is
 * built (template argument, or reflect_kernel_for's pointer): no per-packet branch on either.
 */
#ifndef DPDKJ_REFLECT_H
#define DPDKJ_REFLECT_H

#include <cstdint>
#include <cstring>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dpdkj_macswap.h"

namespace dpdkj {

enum class swap_level : uint8_t { mac, ip, ports };
enum class reflect_policy : uint8_t { unicast, group, everything };

/*
 * What one burst came to. Every frame is in exactly one of sent, runts, group_destination,
 * link_local, group_source; group_reflected counts the sent frames that went back from the
 * port's own MAC (group policy only).
 */
struct reflect_tally {
    uint64_t sent_bytes;        /* pkt_len of the sent frames, without CRC */
    uint16_t sent;              /* frames swapped and kept at the head of the burst */
    uint16_t runts;             /* first segment shorter than an Ethernet header */
    uint16_t group_destination; /* multicast or broadcast destination, not reflected (unicast) */
    uint16_t link_local;        /* 01:80:c2:00:00:00-0f destination, not reflected */
    uint16_t group_source;      /* group source MAC: malformed, dropped */
    uint16_t group_reflected;   /* group destination reflected from the port's MAC (group) */
};

namespace reflect_detail {

constexpr uint32_t TAG_LEN = 4;
constexpr uint16_t TPID_LEGACY_QINQ = 0x9100; /* DPDK's RTE_ETHER_TYPE_QINQ1, "deprecated" */
constexpr unsigned MAX_TAGS = 2;
constexpr uint32_t IPV4_MIN_LEN = 20;
constexpr uint32_t IPV6_LEN = 40;
constexpr uint32_t UDP_LEN = 8;
constexpr uint32_t TCP_MIN_LEN = 20;
constexpr uint32_t SCTP_COMMON_LEN = 12;
constexpr uint8_t PROTO_TCP = 6;
constexpr uint8_t PROTO_UDP = 17;
constexpr uint8_t PROTO_SCTP = 132;
constexpr uint8_t IPV4_FIRST_GROUP_OCTET = 224;
constexpr uint8_t IPV6_MULTICAST_OCTET = 0xff;

/* 16-bit fields as they lie in the frame, to compare with RTE_BE16 constants. */
static inline uint16_t load_raw16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t load_be16(const uint8_t *p) { return static_cast<uint32_t>(p[0] << 8 | p[1]); }

static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

template <size_t N>
static inline void swap_fields(uint8_t *a, uint8_t *b) {
    uint8_t tmp[N];
    memcpy(tmp, a, N);
    memcpy(a, b, N);
    memcpy(b, tmp, N);
}

static inline bool is_vlan_tpid(uint16_t raw) {
    return raw == RTE_BE16(RTE_ETHER_TYPE_VLAN) || raw == RTE_BE16(RTE_ETHER_TYPE_QINQ) ||
           raw == RTE_BE16(TPID_LEGACY_QINQ);
}

/*
 * CRC32c (SCTP's checksum, RFC 9260 appendix A) as GF(2) polynomials in the reflected order the
 * CRC register uses: bit 31 is the coefficient of x^0, bit 0 that of x^31.
 */
constexpr uint32_t CRC32C_REFLECTED_POLY = 0x82f63b78;

/* a * b mod P, for the `terms` lowest-degree coefficients of a (the others taken as zero). */
constexpr uint32_t crc32c_multiply(uint32_t a, uint32_t b, int terms = 32) {
    uint32_t product = 0;
    for (int bit = 31; bit > 31 - terms; bit--) { // a's x^0 coefficient first, b times x each step
        product ^= b & (0u - ((a >> bit) & 1u));
        b = (b >> 1) ^ (CRC32C_REFLECTED_POLY & (0u - (b & 1u)));
    }
    return product;
}

struct crc32c_powers {
    uint32_t of_two[16]; /* x^(8 * 2^k) mod P: appending 2^k zero bytes */
};

constexpr crc32c_powers make_crc32c_powers() {
    crc32c_powers p{};
    p.of_two[0] = 1u << (31 - 8); // x^8
    for (int k = 1; k < 16; k++)
        p.of_two[k] = crc32c_multiply(p.of_two[k - 1], p.of_two[k - 1]);
    return p;
}

inline constexpr crc32c_powers CRC32C_POWERS = make_crc32c_powers();

/*
 * Swapping two 16-bit ports XORs the first four bytes with v, v (v = source ^ destination): as a
 * polynomial, U * (1 + x^16) where U has only the 16 lowest-degree terms. So for the usual
 * length, a multiple of four (SCTP pads its chunks so) below 4096, one table entry
 * (1 + x^16) * x^(8 * length) and a 16-term multiply give the change; 4 KiB, read only by SCTP.
 */
constexpr uint32_t CRC32C_TABLED_LENGTH = 4096;

struct crc32c_port_factors {
    uint32_t by_quarter_length[CRC32C_TABLED_LENGTH / 4];
};

constexpr crc32c_port_factors make_crc32c_port_factors() {
    crc32c_port_factors f{};
    f.by_quarter_length[0] = 1u << 31 | 1u << (31 - 16); // 1 + x^16
    for (uint32_t q = 1; q < CRC32C_TABLED_LENGTH / 4; q++) {
        uint32_t b = f.by_quarter_length[q - 1];
        for (int i = 0; i < 32; i++) // times x^32
            b = (b >> 1) ^ (CRC32C_REFLECTED_POLY & (0u - (b & 1u)));
        f.by_quarter_length[q] = b;
    }
    return f;
}

inline constexpr crc32c_port_factors CRC32C_PORT_FACTORS = make_crc32c_port_factors();

/*
 * The change to the CRC32c of a `length`-byte message when its first four bytes are XORed with
 * `delta` (little-endian: the first byte in the low bits), whatever the other bytes: the CRC is
 * affine in the message, so two messages of one length differ in CRC by the plain (zero-seeded)
 * CRC of their difference, which is delta * x^32 * x^(8 * (length - 4)) = delta * x^(8 * length).
 */
static inline uint32_t crc32c_change(uint32_t delta, uint32_t length) {
    for (unsigned k = 0; length != 0; k++, length >>= 1)
        if (length & 1u)
            delta = crc32c_multiply(delta, CRC32C_POWERS.of_two[k]);
    return delta;
}

/*
 * Swaps the SCTP ports and corrects the CRC32c (little-endian at offset 8) for a packet of
 * `length` bytes, the length the IP header declares.
 */
static inline void swap_sctp_ports(uint8_t *sctp, uint32_t length) {
    const uint32_t x0 = sctp[0] ^ sctp[2];
    const uint32_t x1 = sctp[1] ^ sctp[3];
    swap_fields<2>(sctp, sctp + 2);
    const uint32_t delta = x0 | x1 << 8 | x0 << 16 | x1 << 24;
    uint8_t *crc = sctp + 8;
    if (delta == 0 || (crc[0] | crc[1] | crc[2] | crc[3]) == 0)
        return; // equal ports, or no checksum (RFC 9653)
    const uint32_t change =
        likely(length % 4 == 0 && length < CRC32C_TABLED_LENGTH)
            ? crc32c_multiply(delta, CRC32C_PORT_FACTORS.by_quarter_length[length / 4], 16)
            : crc32c_change(delta, length);
    for (unsigned i = 0; i < 4; i++)
        crc[i] = static_cast<uint8_t>(crc[i] ^ (change >> (8 * i)));
}

/*
 * `avail`: bytes of the L4 header and beyond that are both in the frame and in the datagram;
 * `length`: the L4 length the IP header declares.
 */
static inline void swap_ports(uint8_t proto, uint8_t *l4, uint32_t avail, uint32_t length) {
    if (proto == PROTO_UDP) {
        if (avail >= UDP_LEN)
            swap_fields<2>(l4, l4 + 2);
    } else if (proto == PROTO_TCP) {
        if (avail >= TCP_MIN_LEN) {
            const uint32_t header = (l4[12] >> 4) * 4u;
            if (header >= TCP_MIN_LEN && avail >= header)
                swap_fields<2>(l4, l4 + 2);
        }
    } else if (proto == PROTO_SCTP) {
        if (avail >= SCTP_COMMON_LEN)
            swap_sctp_ports(l4, length);
    }
}

/* `avail`: bytes from the IPv4 header to the end of the first segment. */
template <swap_level L>
static inline void swap_ipv4(uint8_t *ip, uint32_t avail) {
    if (avail < IPV4_MIN_LEN)
        return;
    const uint8_t version_ihl = ip[0];
    const uint32_t header = (version_ihl & 0x0f) * 4u;
    if ((version_ihl >> 4) != 4 || header < IPV4_MIN_LEN || avail < header)
        return;
    if (ip[16] >= IPV4_FIRST_GROUP_OCTET)
        return;
    swap_fields<4>(ip + 12, ip + 16);
    if constexpr (L == swap_level::ports) {
        if (load_raw16(ip + 6) & RTE_BE16(0x3fff)) // MF or a fragment offset
            return;
        const uint32_t total = load_be16(ip + 2);
        if (total < header)
            return;
        swap_ports(ip[9], ip + header, min_u32(avail, total) - header, total - header);
    }
}

template <swap_level L>
static inline void swap_ipv6(uint8_t *ip, uint32_t avail) {
    if (avail < IPV6_LEN || (ip[0] >> 4) != 6)
        return;
    if (ip[24] == IPV6_MULTICAST_OCTET)
        return;
    swap_fields<16>(ip + 8, ip + 24);
    if constexpr (L == swap_level::ports) {
        const uint32_t payload = load_be16(ip + 4);
        swap_ports(ip[6], ip + IPV6_LEN, min_u32(avail - IPV6_LEN, payload), payload);
    }
}

/* Swaps what level L asks of a frame whose first segment holds `len` >= 14 bytes. */
template <swap_level L>
static inline void swap_headers(uint8_t *frame, uint32_t len) {
    swap_ether_addrs(reinterpret_cast<rte_ether_hdr *>(frame));
    if constexpr (L != swap_level::mac) {
        uint32_t off = RTE_ETHER_HDR_LEN;
        uint16_t type = load_raw16(frame + off - 2);
        for (unsigned tags = 0;; tags++) {
            if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
                swap_ipv4<L>(frame + off, len - off);
                return;
            }
            if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
                swap_ipv6<L>(frame + off, len - off);
                return;
            }
            if (tags == MAX_TAGS || !is_vlan_tpid(type) || len < off + TAG_LEN)
                return;
            type = load_raw16(frame + off + 2);
            off += TAG_LEN;
        }
    }
}

/* The first 8 bytes of a frame as one load: destination MAC and two bytes of source. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
constexpr uint64_t at_byte(unsigned i, uint8_t value) { return static_cast<uint64_t>(value) << (8 * i); }
#else
constexpr uint64_t at_byte(unsigned i, uint8_t value) { return static_cast<uint64_t>(value) << (8 * (7 - i)); }
#endif

/* The I/G bit of each address: set on a group (multicast or broadcast) address. */
constexpr uint64_t DST_GROUP_BIT = at_byte(0, 0x01);
constexpr uint64_t SRC_GROUP_BIT = at_byte(6, 0x01);
constexpr uint64_t GROUP_BITS = DST_GROUP_BIT | SRC_GROUP_BIT;
constexpr uint64_t LINK_LOCAL_MASK =
    at_byte(0, 0xff) | at_byte(1, 0xff) | at_byte(2, 0xff) | at_byte(3, 0xff) | at_byte(4, 0xff) | at_byte(5, 0xf0);
constexpr uint64_t LINK_LOCAL_PREFIX = at_byte(0, 0x01) | at_byte(1, 0x80) | at_byte(2, 0xc2);

static inline uint64_t load_head(const uint8_t *frame) {
    uint64_t v;
    memcpy(&v, frame, sizeof(v));
    return v;
}

} // namespace reflect_detail

/* How many headers ahead of the frame being swapped its successors' are prefetched. */
constexpr uint16_t REFLECT_PREFETCH_AHEAD = MACSWAP_PREFETCH_AHEAD;

/*
 * Reflects a burst at level L under policy P: swaps each frame that goes back and moves it to
 * the head of the burst, in arrival order; the frames behind it (runts and frames not reflected,
 * untouched) are the caller's to free. Returns how many go back; `*tally` gets every class's
 * count. `own` is the port's MAC, the source of group-destined frames under the group policy.
 */
template <swap_level L, reflect_policy P>
static inline uint16_t reflect_burst(rte_mbuf **pkts, uint16_t count, const rte_ether_addr &own,
                                     reflect_tally *tally) {
    using namespace reflect_detail;
    reflect_tally t{};
    uint16_t good = 0;
    for (uint16_t i = 0; i < count && i < REFLECT_PREFETCH_AHEAD; i++)
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
    for (uint16_t i = 0; i < count; i++) {
        if (i + REFLECT_PREFETCH_AHEAD < count) {
            const uint8_t *ahead = rte_pktmbuf_mtod(pkts[i + REFLECT_PREFETCH_AHEAD], const uint8_t *);
            rte_prefetch0(ahead);
            if constexpr (L == swap_level::ports)
                rte_prefetch0(ahead + RTE_CACHE_LINE_SIZE); // IPv6 + TCP, or tags and options
        }
        rte_mbuf *m = pkts[i];
        const uint32_t len = rte_pktmbuf_data_len(m);
        if (unlikely(len < RTE_ETHER_HDR_LEN)) {
            t.runts++;
            continue;
        }
        uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
        if constexpr (P == reflect_policy::everything) {
            swap_headers<L>(frame, len);
        } else {
            const uint64_t head = load_head(frame);
            if (likely((head & GROUP_BITS) == 0)) {
                swap_headers<L>(frame, len);
            } else if (head & SRC_GROUP_BIT) {
                t.group_source++;
                continue;
            } else if ((head & LINK_LOCAL_MASK) == LINK_LOCAL_PREFIX) {
                t.link_local++;
                continue;
            } else if constexpr (P == reflect_policy::unicast) {
                t.group_destination++;
                continue;
            } else {
                swap_headers<L>(frame, len);
                rte_ether_addr_copy(&own, &reinterpret_cast<rte_ether_hdr *>(frame)->src_addr);
                t.group_reflected++;
            }
        }
        t.sent_bytes += m->pkt_len;
        if (unlikely(good != i)) { // only after a frame set aside: all between good and i are
            pkts[i] = pkts[good];
            pkts[good] = m;
        }
        good++;
    }
    t.sent = good;
    *tally = t;
    return good;
}

using reflect_kernel = uint16_t (*)(rte_mbuf **, uint16_t, const rte_ether_addr &, reflect_tally *);

/* The kernel for a (level, policy) pair, for a loop that keeps a pointer rather than a template. */
static inline reflect_kernel reflect_kernel_for(swap_level level, reflect_policy policy) {
    static constexpr reflect_kernel kernels[3][3] = {
        {reflect_burst<swap_level::mac, reflect_policy::unicast>, reflect_burst<swap_level::mac, reflect_policy::group>,
         reflect_burst<swap_level::mac, reflect_policy::everything>},
        {reflect_burst<swap_level::ip, reflect_policy::unicast>, reflect_burst<swap_level::ip, reflect_policy::group>,
         reflect_burst<swap_level::ip, reflect_policy::everything>},
        {reflect_burst<swap_level::ports, reflect_policy::unicast>,
         reflect_burst<swap_level::ports, reflect_policy::group>,
         reflect_burst<swap_level::ports, reflect_policy::everything>},
    };
    return kernels[static_cast<unsigned>(level)][static_cast<unsigned>(policy)];
}

} // namespace dpdkj

#endif
