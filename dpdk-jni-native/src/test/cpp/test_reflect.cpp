/*
 * The reflector's kernels on crafted frames. Each frame is built from a description, its
 * checksums computed here; the frame a kernel should produce is built from the description with
 * the fields swapped, and compared byte for byte, the bytes past the frame's end included (they
 * must never be written). Every checksum of a reflected frame is verified with this file's own
 * one's-complement sum and bitwise CRC32c.
 */
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dpdkj_reflect.h"

namespace {

using dpdkj::reflect_policy;
using dpdkj::reflect_tally;
using dpdkj::swap_level;

int failures = 0;
int checks = 0;

void check(bool ok, const std::string &what) {
    checks++;
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", what.c_str());
        failures++;
    }
}

/* ---- Checksums, written from the RFCs, independent of the kernel. ---- */

uint32_t ones_sum(const uint8_t *p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += static_cast<uint32_t>(p[n - 1] << 8);
    return sum;
}

uint16_t fold(uint32_t sum) {
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

/* RFC 9260 appendix A: reflected polynomial 0x82f63b78, bit by bit. */
uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
    }
    return ~crc;
}

/* ---- Frame descriptions and the builder. ---- */

constexpr uint8_t UDP = 17, TCP = 6, SCTP = 132, ICMP = 1;

struct mac {
    uint8_t b[6];
};

struct frame_spec {
    mac dst{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
    mac src{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
    std::vector<uint16_t> tpids;  /* outermost first */
    uint16_t ether_type = 0x0800; /* 0x0800 and 0x86dd build an IP header, anything else raw bytes */
    uint8_t src_ip[16] = {10, 0, 0, 1};
    uint8_t dst_ip[16] = {10, 0, 0, 2};
    unsigned ipv4_options = 0;       /* bytes, a multiple of 4 */
    uint16_t ipv4_fragment = 0x4000; /* flags and offset, host order: DF */
    int ipv4_version_ihl = -1;       /* overrides the first byte when >= 0 */
    std::vector<uint8_t> ipv6_ext;   /* extension header types before the L4 header */
    int ip_length = -1;              /* overrides total length / payload length when >= 0 */
    uint8_t proto = UDP;
    uint16_t sport = 1234, dport = 5678;
    unsigned tcp_options = 0; /* bytes, a multiple of 4 */
    int tcp_offset = -1;      /* overrides the data offset nibble when >= 0 */
    unsigned payload = 18;
    unsigned pad_to = 0; /* Ethernet padding up to this frame length */
    bool sctp_zero_checksum = false;
};

struct built {
    std::vector<uint8_t> bytes;
    size_t l3 = 0;         /* offset of the IP header */
    size_t ip_header = 0;  /* its length */
    size_t l4 = 0;         /* offset of the L4 header */
    size_t l4_header = 0;  /* the length the kernel needs whole: UDP 8, TCP offset*4, SCTP 12 */
    size_t l4_length = 0;  /* L4 header and payload */
};

void put16(std::vector<uint8_t> &v, size_t at, uint32_t value) {
    v[at] = static_cast<uint8_t>(value >> 8);
    v[at + 1] = static_cast<uint8_t>(value);
}

bool is_ipv4(const frame_spec &s) { return s.ether_type == 0x0800; }
bool is_ipv6(const frame_spec &s) { return s.ether_type == 0x86dd; }

std::vector<uint8_t> build_l4(const frame_spec &s, size_t *header) {
    std::vector<uint8_t> l4;
    if (s.proto == UDP) {
        l4.assign(8, 0);
        *header = 8;
    } else if (s.proto == TCP) {
        l4.assign(20 + s.tcp_options, 0);
        *header = l4.size();
        put16(l4, 4, 0x1234); // sequence
        put16(l4, 6, 0x5678);
        put16(l4, 8, 0x9abc); // acknowledgement
        put16(l4, 10, 0xdef0);
        const unsigned offset = s.tcp_offset >= 0 ? static_cast<unsigned>(s.tcp_offset) : (20 + s.tcp_options) / 4;
        l4[12] = static_cast<uint8_t>(offset << 4);
        l4[13] = 0x18; // PSH ACK
        put16(l4, 14, 0xfaf0);
        for (unsigned i = 0; i < s.tcp_options; i++)
            l4[20 + i] = 0x01; // NOP
    } else if (s.proto == SCTP) {
        l4.assign(12, 0);
        *header = 12;
        put16(l4, 4, 0xcafe); // verification tag
        put16(l4, 6, 0xf00d);
    } else {
        l4.assign(8, 0x5a); // ICMP or whatever: the kernel must not touch it
        *header = 8;
    }
    put16(l4, 0, s.sport);
    put16(l4, 2, s.dport);
    for (unsigned i = 0; i < s.payload; i++)
        l4.push_back(static_cast<uint8_t>(0x31 + i * 13));
    if (s.proto == UDP)
        put16(l4, 4, static_cast<uint32_t>(l4.size()));
    return l4;
}

/* The one's-complement L4 checksum over the pseudo-header and the segment, the field zero. */
uint16_t l4_checksum(const frame_spec &s, const std::vector<uint8_t> &l4) {
    uint32_t sum = 0;
    if (is_ipv4(s)) {
        sum = ones_sum(s.src_ip, 4, sum);
        sum = ones_sum(s.dst_ip, 4, sum);
        sum += s.proto;
        sum += static_cast<uint32_t>(l4.size());
    } else {
        sum = ones_sum(s.src_ip, 16, sum);
        sum = ones_sum(s.dst_ip, 16, sum);
        sum += static_cast<uint32_t>(l4.size() >> 16);
        sum += static_cast<uint32_t>(l4.size() & 0xffff);
        sum += s.proto;
    }
    sum = ones_sum(l4.data(), l4.size(), sum);
    return static_cast<uint16_t>(~fold(sum));
}

built build(const frame_spec &s) {
    built b;
    std::vector<uint8_t> &f = b.bytes;
    f.insert(f.end(), s.dst.b, s.dst.b + 6);
    f.insert(f.end(), s.src.b, s.src.b + 6);
    uint16_t vlan = 100;
    for (uint16_t tpid : s.tpids) {
        f.push_back(static_cast<uint8_t>(tpid >> 8));
        f.push_back(static_cast<uint8_t>(tpid));
        f.push_back(static_cast<uint8_t>(vlan >> 8));
        f.push_back(static_cast<uint8_t>(vlan++));
    }
    f.push_back(static_cast<uint8_t>(s.ether_type >> 8));
    f.push_back(static_cast<uint8_t>(s.ether_type));
    b.l3 = f.size();

    if (is_ipv4(s) || is_ipv6(s)) {
        std::vector<uint8_t> l4 = build_l4(s, &b.l4_header);
        const size_t check_at = s.proto == UDP ? 6 : s.proto == TCP ? 16 : 0;
        if (check_at != 0) {
            uint16_t c = l4_checksum(s, l4);
            if (s.proto == UDP && c == 0)
                c = 0xffff;
            put16(l4, check_at, c);
        } else if (s.proto == SCTP && !s.sctp_zero_checksum) {
            const uint32_t c = crc32c(l4.data(), l4.size());
            for (int i = 0; i < 4; i++)
                l4[8 + i] = static_cast<uint8_t>(c >> (8 * i)); // little-endian, as RFC 9260 says
        }
        b.l4_length = l4.size();
        if (is_ipv4(s)) {
            b.ip_header = 20 + s.ipv4_options;
            std::vector<uint8_t> ip(b.ip_header, 0);
            ip[0] = s.ipv4_version_ihl >= 0 ? static_cast<uint8_t>(s.ipv4_version_ihl)
                                            : static_cast<uint8_t>(0x40 | b.ip_header / 4);
            ip[1] = 0x00;
            put16(ip, 2, s.ip_length >= 0 ? static_cast<uint32_t>(s.ip_length)
                                          : static_cast<uint32_t>(b.ip_header + l4.size()));
            put16(ip, 4, 0xbeef);
            put16(ip, 6, s.ipv4_fragment);
            ip[8] = 64;
            ip[9] = s.proto;
            memcpy(&ip[12], s.src_ip, 4);
            memcpy(&ip[16], s.dst_ip, 4);
            for (unsigned i = 0; i < s.ipv4_options; i++)
                ip[20 + i] = 0x01; // NOP
            put16(ip, 10, static_cast<uint16_t>(~fold(ones_sum(ip.data(), ip.size()))));
            f.insert(f.end(), ip.begin(), ip.end());
        } else {
            b.ip_header = 40;
            std::vector<uint8_t> ip(40, 0);
            std::vector<uint8_t> ext;
            for (size_t i = 0; i < s.ipv6_ext.size(); i++) {
                const uint8_t next = i + 1 < s.ipv6_ext.size() ? s.ipv6_ext[i + 1] : s.proto;
                if (s.ipv6_ext[i] == 44) // fragment: offset 0, more fragments
                    ext.insert(ext.end(), {next, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78});
                else // hop-by-hop, routing, destination options: eight bytes, PadN
                    ext.insert(ext.end(), {next, 0, 0x01, 0x04, 0, 0, 0, 0});
            }
            ip[0] = 0x60;
            ip[1] = 0x0a; // traffic class and flow label: not touched
            ip[2] = 0xbc;
            ip[3] = 0xde;
            put16(ip, 4, s.ip_length >= 0 ? static_cast<uint32_t>(s.ip_length)
                                          : static_cast<uint32_t>(ext.size() + l4.size()));
            ip[6] = s.ipv6_ext.empty() ? s.proto : s.ipv6_ext[0];
            ip[7] = 64;
            memcpy(&ip[8], s.src_ip, 16);
            memcpy(&ip[24], s.dst_ip, 16);
            f.insert(f.end(), ip.begin(), ip.end());
            f.insert(f.end(), ext.begin(), ext.end());
        }
        b.l4 = f.size();
        f.insert(f.end(), l4.begin(), l4.end());
    } else {
        for (unsigned i = 0; i < s.payload; i++)
            f.push_back(static_cast<uint8_t>(0x77 + i * 3));
    }
    while (f.size() < s.pad_to)
        f.push_back(0);
    return b;
}

/*
 * Which checksums of a whole frame laid out as `b` (built from `s`) fail, reading every field
 * from the frame: "" when all verify.
 */
std::string bad_checksums(const std::vector<uint8_t> &f, const built &b, const frame_spec &s) {
    std::string bad;
    if (!is_ipv4(s) && !is_ipv6(s))
        return bad;
    const uint8_t *ip = &f[b.l3];
    if (is_ipv4(s) && fold(ones_sum(ip, b.ip_header)) != 0xffff)
        bad += " IPv4-header";
    const uint8_t *l4 = &f[b.l4];
    const size_t n = b.l4_length;
    if (s.proto == UDP || s.proto == TCP) {
        uint32_t sum = 0;
        if (is_ipv4(s)) {
            sum = ones_sum(ip + 12, 8, sum); // source and destination as they now are
            sum += s.proto;
            sum += static_cast<uint32_t>(n);
        } else {
            sum = ones_sum(ip + 8, 32, sum);
            sum += static_cast<uint32_t>(n);
            sum += s.proto;
        }
        sum = ones_sum(l4, n, sum);
        if (fold(sum) != 0xffff)
            bad += s.proto == UDP ? " UDP" : " TCP";
    } else if (s.proto == SCTP) {
        std::vector<uint8_t> copy(l4, l4 + n);
        const uint32_t stored = static_cast<uint32_t>(copy[8] | copy[9] << 8 | copy[10] << 16 | copy[11] << 24);
        memset(&copy[8], 0, 4);
        if (s.sctp_zero_checksum ? stored != 0 : crc32c(copy.data(), n) != stored)
            bad += " SCTP";
    }
    return bad;
}

void verify_checksums(const std::vector<uint8_t> &f, const built &b, const frame_spec &s, const std::string &what) {
    const std::string bad = bad_checksums(f, b, s);
    check(bad.empty(), what + ": checksums verify (failing:" + bad + ")");
}

/* What a kernel should make of `s`: MACs swapped, then IP, then ports, as far as asked. */
frame_spec swapped(frame_spec s, bool ip, bool ports) {
    std::swap(s.dst, s.src);
    if (ip) {
        uint8_t tmp[16];
        memcpy(tmp, s.src_ip, 16);
        memcpy(s.src_ip, s.dst_ip, 16);
        memcpy(s.dst_ip, tmp, 16);
    }
    if (ports)
        std::swap(s.sport, s.dport);
    return s;
}

/* ---- Hand-made mbufs. ---- */

constexpr size_t BUFFER = 10240;

struct fake_mbuf {
    rte_mbuf mbuf;
    alignas(64) uint8_t buffer[RTE_PKTMBUF_HEADROOM + BUFFER];

    uint8_t *data() { return buffer + RTE_PKTMBUF_HEADROOM; }
};

/* Loads `bytes`, of which the first `len` are the frame; the rest stay in the buffer as a guard. */
void load(fake_mbuf &m, const std::vector<uint8_t> &bytes, size_t len) {
    memset(&m.mbuf, 0, sizeof(m.mbuf));
    m.mbuf.buf_addr = m.buffer;
    m.mbuf.data_off = RTE_PKTMBUF_HEADROOM;
    m.mbuf.data_len = static_cast<uint16_t>(len);
    m.mbuf.pkt_len = static_cast<uint32_t>(len);
    m.mbuf.nb_segs = 1;
    memset(m.buffer, 0xee, sizeof(m.buffer));
    memcpy(m.data(), bytes.data(), bytes.size());
}

const rte_ether_addr OWN = {{0x02, 0x0e, 0xc0, 0x00, 0x00, 0x99}};

const char *level_name(swap_level l) {
    return l == swap_level::mac ? "mac" : l == swap_level::ip ? "ip" : "ports";
}

const char *policy_name(reflect_policy p) {
    return p == reflect_policy::unicast ? "unicast" : p == reflect_policy::group ? "group" : "everything";
}

std::string describe(const frame_spec &s) {
    char text[200];
    std::string tags;
    for (uint16_t t : s.tpids) {
        char one[8];
        snprintf(one, sizeof(one), "%04x/", t);
        tags += one;
    }
    const char *proto = s.proto == UDP ? "udp" : s.proto == TCP ? "tcp" : s.proto == SCTP ? "sctp" : "other";
    snprintf(text, sizeof(text), "%s%04x%s%s opt%u tcpopt%u payload%u", tags.c_str(), s.ether_type,
             is_ipv4(s) || is_ipv6(s) ? "/" : "", is_ipv4(s) || is_ipv6(s) ? proto : "", s.ipv4_options,
             s.tcp_options, s.payload);
    return text;
}

/*
 * Runs one frame through the (level, policy) kernel with data_len `len` and checks it went back
 * as `expected` (its first `len` bytes; the bytes after them as they were).
 */
fake_mbuf scratch;

void expect_reflected(swap_level level, reflect_policy policy, const std::vector<uint8_t> &input, size_t len,
                      const std::vector<uint8_t> &expected, const std::string &what) {
    load(scratch, input, len);
    rte_mbuf *pkt = &scratch.mbuf;
    reflect_tally t;
    const uint16_t sent = dpdkj::reflect_kernel_for(level, policy)(&pkt, 1, OWN, &t);
    const std::string where = what + " [" + level_name(level) + "/" + policy_name(policy) + " len " +
                              std::to_string(len) + "]";
    check(sent == 1 && t.sent == 1 && t.sent_bytes == len, where + ": sent");
    check(memcmp(scratch.data(), expected.data(), len) == 0, where + ": bytes as expected");
    check(memcmp(scratch.data() + len, input.data() + len, input.size() - len) == 0,
          where + ": nothing written past the frame");
    check(scratch.mbuf.data_len == len && scratch.mbuf.pkt_len == len, where + ": length unchanged");
}

constexpr swap_level LEVELS[] = {swap_level::mac, swap_level::ip, swap_level::ports};
constexpr reflect_policy POLICIES[] = {reflect_policy::unicast, reflect_policy::group, reflect_policy::everything};

/* A whole frame at every level and policy: byte for byte, and its checksums before and after. */
void check_whole(const frame_spec &s, const std::string &name) {
    const built in = build(s);
    verify_checksums(in.bytes, in, s, name + " as built");
    for (swap_level level : LEVELS) {
        const bool has_ports = s.proto == UDP || s.proto == TCP || s.proto == SCTP;
        const bool ip = level != swap_level::mac && (is_ipv4(s) || is_ipv6(s));
        const bool ports = level == swap_level::ports && ip && has_ports;
        const frame_spec out_spec = swapped(s, ip, ports);
        const built out = build(out_spec);
        for (reflect_policy policy : POLICIES) {
            expect_reflected(level, policy, in.bytes, in.bytes.size(), out.bytes, name);
            const std::vector<uint8_t> got(scratch.data(), scratch.data() + in.bytes.size());
            verify_checksums(got, in, out_spec, name + " reflected at " + level_name(level));
            if (s.proto != SCTP && (is_ipv4(s) || is_ipv6(s))) {
                const size_t at = s.proto == UDP ? 6 : s.proto == TCP ? 16 : 0;
                if (at != 0)
                    check(memcmp(&got[in.l4 + at], &in.bytes[in.l4 + at], 2) == 0,
                          name + ": the L4 checksum field is not rewritten");
                if (is_ipv4(s))
                    check(memcmp(&got[in.l3 + 10], &in.bytes[in.l3 + 10], 2) == 0,
                          name + ": the IPv4 header checksum field is not rewritten");
            }
        }
        // A second pass restores the frame.
        load(scratch, in.bytes, in.bytes.size());
        rte_mbuf *pkt = &scratch.mbuf;
        reflect_tally t;
        dpdkj::reflect_kernel_for(level, reflect_policy::unicast)(&pkt, 1, OWN, &t);
        dpdkj::reflect_kernel_for(level, reflect_policy::unicast)(&pkt, 1, OWN, &t);
        check(memcmp(scratch.data(), in.bytes.data(), in.bytes.size()) == 0,
              name + " at " + level_name(level) + ": two reflections are the identity");
    }
}

/* The same frame cut at every length: each layer is swapped only when it is whole. */
void check_truncated(const frame_spec &s, const std::string &name) {
    const built in = build(s);
    const std::vector<uint8_t> mac_only = build(swapped(s, false, false)).bytes;
    const std::vector<uint8_t> with_ip = build(swapped(s, true, false)).bytes;
    const std::vector<uint8_t> with_ports = build(swapped(s, true, true)).bytes;
    for (swap_level level : LEVELS) {
        for (size_t len = 0; len <= in.bytes.size(); len++) {
            const std::string what = name + " cut";
            if (len < RTE_ETHER_HDR_LEN) {
                load(scratch, in.bytes, len);
                rte_mbuf *pkt = &scratch.mbuf;
                reflect_tally t;
                const uint16_t sent = dpdkj::reflect_kernel_for(level, reflect_policy::unicast)(&pkt, 1, OWN, &t);
                check(sent == 0 && t.runts == 1 && t.sent_bytes == 0, what + ": a runt is not sent");
                check(memcmp(scratch.data(), in.bytes.data(), in.bytes.size()) == 0, what + ": a runt is untouched");
                continue;
            }
            const bool ip = level != swap_level::mac && len >= in.l3 + in.ip_header;
            const bool ports = level == swap_level::ports && ip && len >= in.l4 + in.l4_header;
            const std::vector<uint8_t> &expected = ports ? with_ports : ip ? with_ip : mac_only;
            expect_reflected(level, reflect_policy::unicast, in.bytes, len, expected, what);
        }
    }
}

/* A frame of which the kernel must swap no deeper than `ip`/`ports` at any level. */
void check_stops(const frame_spec &s, bool ip, bool ports, const std::string &name) {
    const built in = build(s);
    for (swap_level level : LEVELS) {
        const bool swap_ip = ip && level != swap_level::mac;
        const bool swap_ports = ports && level == swap_level::ports;
        const frame_spec out_spec = swapped(s, swap_ip, swap_ports);
        const built out = build(out_spec);
        expect_reflected(level, reflect_policy::unicast, in.bytes, in.bytes.size(), out.bytes, name);
        const std::vector<uint8_t> got(scratch.data(), scratch.data() + in.bytes.size());
        if (s.ipv4_version_ihl < 0 && s.ip_length < 0 && s.tcp_offset < 0)
            verify_checksums(got, in, out_spec, name);
    }
}

void set_ipv6(frame_spec &s, uint8_t dst_first = 0x20) {
    s.ether_type = 0x86dd;
    const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x01};
    const uint8_t dst[16] = {dst_first, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xa0, 0xb1, 0x12, 0x02};
    memcpy(s.src_ip, src, 16);
    memcpy(s.dst_ip, dst, 16);
}

void test_crc32c_reference() {
    const char *text = "123456789";
    check(crc32c(reinterpret_cast<const uint8_t *>(text), 9) == 0xe3069283, "the test's CRC32c has its check value");
}

/*
 * The verifier is not vacuous: a byte changed in an address, a port or the payload fails the
 * checksum that covers it. (Moving a byte to another position of the same parity would not: a
 * one's-complement sum cannot see it, which is why the byte comparisons come first.)
 */
void test_checksum_verifier() {
    for (int version : {4, 6}) {
        for (uint8_t proto : {UDP, TCP, SCTP}) {
            frame_spec s;
            if (version == 6)
                set_ipv6(s);
            s.proto = proto;
            const built b = build(s);
            const std::string name = describe(s);
            check(bad_checksums(b.bytes, b, s).empty(), name + ": a built frame verifies");
            const size_t address = b.l3 + (version == 4 ? 12 : 8);
            const size_t touched[] = {address, address + 1, b.l4, b.l4 + 3, b.bytes.size() - 1};
            for (size_t at : touched) {
                std::vector<uint8_t> bytes = b.bytes;
                bytes[at] ^= 0x10;
                const std::string bad = bad_checksums(bytes, b, s);
                const bool ip_only = proto == SCTP && at < b.l4; // SCTP has no pseudo-header
                if (ip_only && version == 6)
                    check(bad.empty(), name + ": no IPv6 checksum covers the address for SCTP");
                else
                    check(!bad.empty(), name + ": byte " + std::to_string(at) + " changed fails a checksum");
            }
        }
    }
}

void test_every_encapsulation() {
    const std::vector<std::vector<uint16_t>> encapsulations = {
        {}, {0x8100}, {0x88a8, 0x8100}, {0x8100, 0x8100}, {0x9100, 0x8100}, {0x88a8}};
    for (const auto &tags : encapsulations) {
        for (int version : {4, 6}) {
            for (unsigned options : {0u, 4u, 40u}) {
                if (version == 6 && options != 0)
                    continue;
                for (uint8_t proto : {UDP, TCP, SCTP, ICMP}) {
                    for (unsigned tcp_options : {0u, 12u, 40u}) {
                        if (proto != TCP && tcp_options != 0)
                            continue;
                        for (unsigned payload : {0u, 1u, 18u, 1000u}) {
                            frame_spec s;
                            s.tpids = tags;
                            if (version == 6)
                                set_ipv6(s);
                            s.ipv4_options = options;
                            s.proto = proto;
                            s.tcp_options = tcp_options;
                            s.payload = payload;
                            check_whole(s, describe(s));
                        }
                    }
                }
            }
        }
    }
    // Not IP: only the MACs, at every level.
    for (uint16_t type : std::vector<uint16_t>{0x0806, 0x88b5, 0x8847}) {
        for (const auto &tags : encapsulations) {
            frame_spec s;
            s.tpids = tags;
            s.ether_type = type;
            s.payload = 46;
            check_stops(s, false, false, describe(s));
        }
    }
}

void test_truncation() {
    std::vector<frame_spec> specs;
    for (const auto &tags : std::vector<std::vector<uint16_t>>{{}, {0x8100}, {0x88a8, 0x8100}}) {
        for (uint8_t proto : {UDP, TCP, SCTP}) {
            frame_spec v4;
            v4.tpids = tags;
            v4.proto = proto;
            v4.payload = 6;
            specs.push_back(v4);
            v4.ipv4_options = 12;
            v4.tcp_options = proto == TCP ? 8 : 0;
            specs.push_back(v4);
            frame_spec v6;
            set_ipv6(v6);
            v6.tpids = tags;
            v6.proto = proto;
            v6.payload = 6;
            v6.tcp_options = proto == TCP ? 20 : 0;
            specs.push_back(v6);
        }
    }
    for (const frame_spec &s : specs)
        check_truncated(s, describe(s));
}

void test_stops() {
    // Fragments: addresses swapped, ports never.
    for (uint16_t fragment : std::vector<uint16_t>{0x2000, 0x0001, 0x00b9, 0x20b9, 0x3fff, 0x6000}) {
        for (uint8_t proto : {UDP, TCP, SCTP}) {
            frame_spec s;
            s.ipv4_fragment = fragment;
            s.proto = proto;
            check_stops(s, true, false, "IPv4 fragment " + std::to_string(fragment) + " " + describe(s));
        }
    }
    for (uint16_t not_fragment : std::vector<uint16_t>{0x0000, 0x4000, 0x8000}) {
        frame_spec s;
        s.ipv4_fragment = not_fragment;
        check_stops(s, true, true, "IPv4 flags " + std::to_string(not_fragment) + ", not a fragment");
    }
    // IPv6 extension headers are not walked: a fragment header, or any other, means no ports.
    for (const std::vector<uint8_t> &ext : std::vector<std::vector<uint8_t>>{{44}, {0}, {60}, {43}, {0, 44}}) {
        for (uint8_t proto : {UDP, TCP, SCTP}) {
            frame_spec s;
            set_ipv6(s);
            s.ipv6_ext = ext;
            s.proto = proto;
            check_stops(s, true, false, "IPv6 extension header " + std::to_string(ext[0]) + " " + describe(s));
        }
    }
    // A group IP destination would become the source: the frame stops at MAC.
    const uint8_t v4_groups[][4] = {{224, 0, 0, 251}, {239, 1, 2, 3}, {255, 255, 255, 255}, {240, 0, 0, 1}};
    for (const auto &group : v4_groups) {
        frame_spec s;
        memcpy(s.dst_ip, group, 4);
        check_stops(s, false, false, "IPv4 group destination " + std::to_string(group[0]));
    }
    {
        frame_spec s;
        const uint8_t last_unicast[4] = {223, 255, 255, 254};
        memcpy(s.dst_ip, last_unicast, 4);
        check_stops(s, true, true, "IPv4 223.255.255.254 is unicast");
        frame_spec multicast_source;
        const uint8_t group[4] = {224, 0, 0, 9};
        memcpy(multicast_source.src_ip, group, 4);
        check_stops(multicast_source, true, true, "an IPv4 group source (bogus) becomes the destination");
    }
    {
        frame_spec s;
        set_ipv6(s, 0xff);
        check_stops(s, false, false, "IPv6 multicast destination");
    }
    {
        frame_spec s;
        set_ipv6(s, 0xfe);
        check_stops(s, true, true, "IPv6 fe80::/10 is unicast");
    }
    // Malformed IP headers: nothing past the MACs.
    for (int version_ihl : {0x44, 0x60, 0x4f, 0x00}) {
        frame_spec s;
        s.ipv4_version_ihl = version_ihl;
        const bool whole = version_ihl == 0x4f; // IHL 15 with 40 bytes of options present
        if (whole)
            s.ipv4_options = 40;
        check_stops(s, whole, whole, "IPv4 version/IHL " + std::to_string(version_ihl));
    }
    {
        frame_spec s;
        set_ipv6(s);
        s.ether_type = 0x86dd;
        // An IPv6 header behind EtherType 0x0800, and an IPv4 one behind 0x86dd.
        built b = build(s);
        std::vector<uint8_t> bytes = b.bytes;
        bytes[12] = 0x08;
        bytes[13] = 0x00;
        load(scratch, bytes, bytes.size());
        rte_mbuf *pkt = &scratch.mbuf;
        reflect_tally t;
        dpdkj::reflect_kernel_for(swap_level::ports, reflect_policy::unicast)(&pkt, 1, OWN, &t);
        check(memcmp(scratch.data() + 12, bytes.data() + 12, bytes.size() - 12) == 0,
              "IPv6 behind 0x0800: only the MACs");
        frame_spec v4;
        built b4 = build(v4);
        bytes = b4.bytes;
        bytes[12] = 0x86;
        bytes[13] = 0xdd;
        bytes.resize(bytes.size() + 40, 0);
        load(scratch, bytes, bytes.size());
        pkt = &scratch.mbuf;
        dpdkj::reflect_kernel_for(swap_level::ports, reflect_policy::unicast)(&pkt, 1, OWN, &t);
        check(memcmp(scratch.data() + 12, bytes.data() + 12, bytes.size() - 12) == 0,
              "IPv4 behind 0x86dd: only the MACs");
    }
    // TCP data offset below 5, or past the frame.
    for (int offset : {0, 4}) {
        frame_spec s;
        s.proto = TCP;
        s.tcp_offset = offset;
        check_stops(s, true, false, "TCP data offset " + std::to_string(offset));
    }
    {
        frame_spec s;
        s.proto = TCP;
        s.tcp_offset = 15; // 60 bytes of header, only 20 + 10 in the frame
        s.payload = 10;
        check_stops(s, true, false, "TCP data offset past the frame");
    }
    // Three tags: beyond what is parsed, the frame stops at MAC.
    {
        frame_spec s;
        s.tpids = {0x88a8, 0x8100, 0x8100};
        check_stops(s, false, false, "three VLAN tags");
        s.tpids = {0x9200, 0x8100};
        check_stops(s, false, false, "0x9200 is not taken for a tag");
    }
    // The L4 header must lie within the datagram the IP header declares: past it is padding.
    for (int version : {4, 6}) {
        const unsigned header = version == 4 ? 20 : 0;
        for (uint8_t proto : {UDP, TCP, SCTP}) {
            const unsigned need = proto == UDP ? 8 : proto == TCP ? 20 : 12;
            // need + 4 is the whole segment; SCTP's CRC covers what the IP header declares, so
            // a declared length that cuts into the segment is only tried on UDP and TCP.
            for (unsigned declared : {0u, 1u, need - 1, need, need + 4}) {
                if (proto == SCTP && declared == need)
                    continue;
                frame_spec s;
                if (version == 6)
                    set_ipv6(s);
                s.proto = proto;
                s.payload = 4;
                s.pad_to = 120;
                s.ip_length = static_cast<int>(header + declared);
                check_stops(s, true, declared >= need,
                            "IPv" + std::to_string(version) + " declaring " + std::to_string(declared) +
                                " L4 bytes, " + describe(s));
            }
        }
    }
    {
        frame_spec s;
        s.ip_length = 12; // less than the IPv4 header itself
        check_stops(s, true, false, "IPv4 total length below its header length");
    }
    // UDP over IPv4 with no checksum (zero) keeps it zero.
    {
        frame_spec s;
        const built in = build(s);
        std::vector<uint8_t> bytes = in.bytes;
        bytes[in.l4 + 6] = 0;
        bytes[in.l4 + 7] = 0;
        std::vector<uint8_t> expected = build(swapped(s, true, true)).bytes;
        expected[in.l4 + 6] = 0;
        expected[in.l4 + 7] = 0;
        expect_reflected(swap_level::ports, reflect_policy::unicast, bytes, bytes.size(), expected,
                         "UDP without checksum");
    }
    // Equal ports: an SCTP CRC has nothing to change; a zero SCTP checksum (RFC 9653) stays zero.
    {
        frame_spec s;
        s.proto = SCTP;
        s.sport = s.dport = 9899;
        check_stops(s, true, true, "SCTP with equal ports");
        s.dport = 2905;
        s.sctp_zero_checksum = true;
        check_stops(s, true, true, "SCTP zero checksum");
    }
}

/* The incremental CRC32c for SCTP lengths from 12 to 9012, and many port pairs. */
void test_sctp_lengths() {
    std::vector<unsigned> payloads;
    for (unsigned payload = 0; payload <= 9000; payload += (payload < 600 ? 1 : 97))
        payloads.push_back(payload);
    for (unsigned payload = 4076; payload <= 4096; payload++) // around the kernel's 4096-byte table
        payloads.push_back(payload);
    for (unsigned payload : payloads) {
        for (int version : {4, 6}) {
            frame_spec s;
            if (version == 6)
                set_ipv6(s);
            s.proto = SCTP;
            s.payload = payload;
            s.sport = static_cast<uint16_t>(1 + payload * 7919);
            s.dport = static_cast<uint16_t>(65535 - payload * 104729);
            const built in = build(s);
            const frame_spec out_spec = swapped(s, true, true);
            const built out = build(out_spec);
            const std::string name = "SCTP IPv" + std::to_string(version) + " payload " + std::to_string(payload);
            expect_reflected(swap_level::ports, reflect_policy::unicast, in.bytes, in.bytes.size(), out.bytes, name);
            const std::vector<uint8_t> got(scratch.data(), scratch.data() + in.bytes.size());
            verify_checksums(got, in, out_spec, name);
        }
    }
}

/* ---- The policies: who goes back, who is counted where, the burst compacted. ---- */

struct classed {
    mac dst, src;
    enum expect_t { reflect, group_destination, link_local, group_source } expect;
};

void test_policies() {
    const mac unicast_a{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
    const mac unicast_b{{0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c}};
    const mac broadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    const mac ipv4_multicast{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}};
    const mac ipv6_multicast{{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}};
    const mac stp{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}};
    const mac lacp{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x02}};
    const mac lldp{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}};
    const mac last_link_local{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0f}};
    const mac bridge_management{{0x01, 0x80, 0xc2, 0x00, 0x00, 0x10}}; // a group, not link-local
    const mac pause_like{{0x01, 0x80, 0xc2, 0x00, 0x01, 0x01}};
    const mac group_source{{0x01, 0x00, 0x5e, 0x7f, 0x00, 0x01}};
    const mac broadcast_source = broadcast;
    const classed frames[] = {
        {unicast_a, unicast_b, classed::reflect},
        {broadcast, unicast_a, classed::group_destination},
        {ipv4_multicast, unicast_a, classed::group_destination},
        {stp, unicast_b, classed::link_local},
        {unicast_b, group_source, classed::group_source},
        {ipv6_multicast, unicast_b, classed::group_destination},
        {unicast_b, unicast_a, classed::reflect},
        {lacp, unicast_a, classed::link_local},
        {lldp, unicast_a, classed::link_local},
        {last_link_local, unicast_a, classed::link_local},
        {bridge_management, unicast_a, classed::group_destination},
        {pause_like, unicast_a, classed::group_destination},
        {unicast_a, broadcast_source, classed::group_source},
        {broadcast, broadcast_source, classed::group_source},
        {stp, group_source, classed::group_source},
        {unicast_a, unicast_b, classed::reflect},
    };
    constexpr uint16_t n = sizeof(frames) / sizeof(frames[0]);
    static fake_mbuf mbufs[n + 1];

    for (swap_level level : LEVELS) {
        for (reflect_policy policy : POLICIES) {
            const std::string where = std::string(level_name(level)) + "/" + policy_name(policy);
            std::vector<std::vector<uint8_t>> inputs(n), expected(n);
            std::vector<bool> goes(n);
            rte_mbuf *burst[n + 1];
            uint16_t want_sent = 0, want_group = 0, want_link_local = 0, want_source = 0, want_own = 0;
            uint64_t want_bytes = 0;
            for (uint16_t i = 0; i < n; i++) {
                frame_spec s;
                s.dst = frames[i].dst;
                s.src = frames[i].src;
                s.payload = 20u + i;
                inputs[i] = build(s).bytes;
                const bool group_dst = frames[i].expect == classed::group_destination;
                switch (policy) {
                case reflect_policy::everything:
                    goes[i] = true;
                    break;
                case reflect_policy::unicast:
                    goes[i] = frames[i].expect == classed::reflect;
                    break;
                case reflect_policy::group:
                    goes[i] = frames[i].expect == classed::reflect || group_dst;
                    break;
                }
                frame_spec out = swapped(s, level != swap_level::mac, level == swap_level::ports);
                if (policy == reflect_policy::group && group_dst) {
                    memcpy(out.src.b, OWN.addr_bytes, 6);
                    want_own++;
                }
                expected[i] = goes[i] ? build(out).bytes : inputs[i];
                if (goes[i]) {
                    want_sent++;
                    want_bytes += inputs[i].size();
                } else if (group_dst) {
                    want_group++;
                } else if (frames[i].expect == classed::link_local) {
                    want_link_local++;
                } else {
                    want_source++;
                }
                load(mbufs[i], inputs[i], inputs[i].size());
                burst[i] = &mbufs[i].mbuf;
            }
            // A runt in the middle, too.
            load(mbufs[n], std::vector<uint8_t>(13, 0x42), 13);
            burst[n] = burst[7];
            burst[7] = &mbufs[n].mbuf;
            reflect_tally t;
            const uint16_t sent = dpdkj::reflect_kernel_for(level, policy)(burst, n + 1, OWN, &t);
            check(sent == want_sent && t.sent == want_sent, where + ": frames sent");
            check(t.sent_bytes == want_bytes, where + ": bytes of the frames sent");
            check(t.runts == 1, where + ": the runt counted");
            check(t.group_destination == (policy == reflect_policy::unicast ? want_group : 0),
                  where + ": group destinations not reflected");
            check(t.link_local == want_link_local, where + ": link-local destinations not reflected");
            check(t.group_source == want_source, where + ": group sources dropped");
            check(t.group_reflected == want_own, where + ": group destinations reflected from the port's MAC");
            check(t.sent + t.runts + t.group_destination + t.link_local + t.group_source == n + 1,
                  where + ": every frame in one class");
            // Sent frames first, in arrival order; then everything else, untouched.
            std::vector<uint16_t> arrival;
            for (uint16_t i = 0; i < n + 1; i++) {
                const uint16_t index = i == 7 ? n : i == n ? 7 : i;
                if (index < n && goes[index])
                    arrival.push_back(index);
            }
            bool in_order = true;
            for (uint16_t i = 0; i < sent; i++)
                in_order = in_order && burst[i] == &mbufs[arrival[i]].mbuf;
            check(in_order, where + ": sent frames at the head, in arrival order");
            std::vector<bool> seen(n + 1, false);
            for (uint16_t i = 0; i < n + 1; i++)
                seen[static_cast<size_t>(reinterpret_cast<fake_mbuf *>(burst[i]) - mbufs)] = true;
            bool all = true;
            for (bool b : seen)
                all = all && b;
            check(all, where + ": the burst is a permutation of what was received");
            for (uint16_t i = 0; i < n; i++) {
                const std::vector<uint8_t> &want = expected[i];
                check(memcmp(mbufs[i].data(), want.data(), want.size()) == 0,
                      where + ": frame " + std::to_string(i) + (goes[i] ? " reflected as expected" : " untouched"));
            }
            for (uint16_t i = sent; i < n + 1; i++) {
                const size_t index = static_cast<size_t>(reinterpret_cast<fake_mbuf *>(burst[i]) - mbufs);
                check(index == n || !goes[index], where + ": only frames not sent behind the sent ones");
            }
        }
    }
}

/* Under the group policy a broadcast ARP and a multicast IP frame go back from the port's MAC. */
void test_group_reflection() {
    frame_spec arp;
    arp.dst = mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    arp.ether_type = 0x0806;
    arp.payload = 28;
    frame_spec arp_out = swapped(arp, false, false);
    memcpy(arp_out.src.b, OWN.addr_bytes, 6);
    for (swap_level level : LEVELS)
        expect_reflected(level, reflect_policy::group, build(arp).bytes, build(arp).bytes.size(), build(arp_out).bytes,
                         "broadcast ARP");

    frame_spec mdns; // 224.0.0.251 to 01:00:5e:00:00:fb: the IP layer stays, the source MAC is ours
    mdns.dst = mac{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}};
    const uint8_t group[4] = {224, 0, 0, 251};
    memcpy(mdns.dst_ip, group, 4);
    mdns.sport = mdns.dport = 5353;
    frame_spec mdns_out = swapped(mdns, false, false);
    memcpy(mdns_out.src.b, OWN.addr_bytes, 6);
    for (swap_level level : LEVELS)
        expect_reflected(level, reflect_policy::group, build(mdns).bytes, build(mdns).bytes.size(),
                         build(mdns_out).bytes, "mDNS to its group");

    frame_spec odd; // a broadcast MAC with a unicast IP destination: the IP layer is swapped
    odd.dst = mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    odd.proto = TCP;
    for (swap_level level : LEVELS) {
        frame_spec out = swapped(odd, level != swap_level::mac, level == swap_level::ports);
        memcpy(out.src.b, OWN.addr_bytes, 6);
        expect_reflected(level, reflect_policy::group, build(odd).bytes, build(odd).bytes.size(), build(out).bytes,
                         "unicast IP in a broadcast frame");
    }
}

/* MAC level under the everything policy is today's macswap_burst, runts and order included. */
void test_same_as_macswap() {
    constexpr uint16_t n = 11;
    static fake_mbuf a[n], b[n];
    rte_mbuf *pa[n], *pb[n];
    const uint16_t lengths[n] = {60, 13, 0, 64, 1, 1514, 14, 128, 9, 60, 1000};
    for (uint16_t i = 0; i < n; i++) {
        std::vector<uint8_t> bytes(lengths[i] + 64u);
        for (size_t j = 0; j < bytes.size(); j++)
            bytes[j] = static_cast<uint8_t>(i * 31 + j * 7);
        load(a[i], bytes, lengths[i]);
        load(b[i], bytes, lengths[i]);
        pa[i] = &a[i].mbuf;
        pb[i] = &b[i].mbuf;
    }
    uint64_t bytes = 0;
    const uint16_t good = dpdkj::macswap_burst(pa, n, &bytes);
    reflect_tally t;
    const uint16_t sent =
        dpdkj::reflect_burst<swap_level::mac, reflect_policy::everything>(pb, n, OWN, &t);
    check(good == sent && bytes == t.sent_bytes && t.runts == n - sent, "as many sent, as many bytes, as macswap");
    for (uint16_t i = 0; i < n; i++) {
        check(reinterpret_cast<fake_mbuf *>(pa[i]) - a == reinterpret_cast<fake_mbuf *>(pb[i]) - b,
              "the same order as macswap");
        check(memcmp(a[i].buffer, b[i].buffer, sizeof(a[i].buffer)) == 0, "the same bytes as macswap");
    }
    check(dpdkj::reflect_kernel_for(swap_level::ports, reflect_policy::unicast)(pb, 0, OWN, &t) == 0 && t.sent == 0 &&
              t.sent_bytes == 0 && t.runts == 0,
          "an empty burst sends nothing");
}

/* A chained frame: headers in the first segment, the later segments untouched. */
void test_chained() {
    static fake_mbuf chain[2];
    frame_spec s;
    s.proto = TCP;
    s.payload = 3000;
    const built in = build(s);
    const std::vector<uint8_t> out = build(swapped(s, true, true)).bytes;
    const size_t first = 2048;
    load(chain[0], std::vector<uint8_t>(in.bytes.begin(), in.bytes.begin() + first), first);
    load(chain[1], std::vector<uint8_t>(in.bytes.begin() + first, in.bytes.end()), in.bytes.size() - first);
    chain[0].mbuf.next = &chain[1].mbuf;
    chain[0].mbuf.nb_segs = 2;
    chain[0].mbuf.pkt_len = static_cast<uint32_t>(in.bytes.size());
    rte_mbuf *pkt = &chain[0].mbuf;
    reflect_tally t;
    check(dpdkj::reflect_kernel_for(swap_level::ports, reflect_policy::unicast)(&pkt, 1, OWN, &t) == 1,
          "a chained frame is sent");
    check(t.sent_bytes == in.bytes.size(), "a chained frame counts its pkt_len");
    check(memcmp(chain[0].data(), out.data(), first) == 0, "the first segment's headers are swapped");
    check(memcmp(chain[1].data(), in.bytes.data() + first, in.bytes.size() - first) == 0,
          "the later segment is untouched");
}

} // namespace

int main() {
    test_crc32c_reference();
    test_checksum_verifier();
    test_every_encapsulation();
    test_truncation();
    test_stops();
    test_sctp_lengths();
    test_policies();
    test_group_reflection();
    test_same_as_macswap();
    test_chained();
    printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
