/*
 * Ethernet ports: capabilities, configuration in DPDK's skeleton order (info, configure,
 * adjust descriptors, queues on the port's socket, start), link, and counters.
 */
#include <cstring>
#include <vector>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "dpdkj.h"

namespace dpdkj {

namespace {

/* Indexes into the long[] of info_native; mirrored by io.l2echo.dpdk.DeviceInfo. */
enum info_field {
    INFO_MAX_RX_QUEUES,
    INFO_MAX_TX_QUEUES,
    INFO_RSS_OFFLOADS,
    INFO_SCATTER, /* 1 if a frame may span mbufs: Rx scatter and Tx multi-segment offered */
    INFO_SOCKET_ID,
    INFO_MAC,
    INFO_MIN_MTU,
    INFO_MAX_MTU,
    INFO_MAX_RX_PKTLEN,
    INFO_RX_DESC_MIN,
    INFO_RX_DESC_MAX,
    INFO_TX_DESC_MIN,
    INFO_TX_DESC_MAX,
    INFO_RETA_SIZE,
    INFO_HASH_KEY_SIZE,
    INFO_IF_INDEX,
    INFO_FIELD_COUNT
};

/* Indexes into the long[] of stats_native; mirrored by io.l2echo.dpdk.PortStats. */
enum stats_field {
    STATS_RX_PACKETS,
    STATS_TX_PACKETS,
    STATS_RX_BYTES,
    STATS_TX_BYTES,
    STATS_RX_MISSED,
    STATS_RX_ERRORS,
    STATS_TX_ERRORS,
    STATS_RX_NO_MBUF,
    STATS_FIELD_COUNT
};

/* Indexes into the long[] of link_native; mirrored by io.l2echo.dpdk.LinkStatus. */
enum link_field { LINK_UP, LINK_SPEED_MBPS, LINK_FULL_DUPLEX, LINK_AUTONEG, LINK_FIELD_COUNT };

/* Names for the RSS hash types the apps ask for and report; other bits print as hex. */
const struct {
    uint64_t bit;
    const char *name;
} rss_names[] = {
    {RTE_ETH_RSS_IPV4, "ipv4"},
    {RTE_ETH_RSS_FRAG_IPV4, "ipv4-frag"},
    {RTE_ETH_RSS_NONFRAG_IPV4_TCP, "ipv4-tcp"},
    {RTE_ETH_RSS_NONFRAG_IPV4_UDP, "ipv4-udp"},
    {RTE_ETH_RSS_NONFRAG_IPV4_SCTP, "ipv4-sctp"},
    {RTE_ETH_RSS_NONFRAG_IPV4_OTHER, "ipv4-other"},
    {RTE_ETH_RSS_IPV6, "ipv6"},
    {RTE_ETH_RSS_FRAG_IPV6, "ipv6-frag"},
    {RTE_ETH_RSS_NONFRAG_IPV6_TCP, "ipv6-tcp"},
    {RTE_ETH_RSS_NONFRAG_IPV6_UDP, "ipv6-udp"},
    {RTE_ETH_RSS_NONFRAG_IPV6_SCTP, "ipv6-sctp"},
    {RTE_ETH_RSS_NONFRAG_IPV6_OTHER, "ipv6-other"},
    {RTE_ETH_RSS_L2_PAYLOAD, "l2-payload"},
    {RTE_ETH_RSS_IPV6_EX, "ipv6-ex"},
    {RTE_ETH_RSS_IPV6_TCP_EX, "ipv6-tcp-ex"},
    {RTE_ETH_RSS_IPV6_UDP_EX, "ipv6-udp-ex"},
    {RTE_ETH_RSS_PORT, "port"},
    {RTE_ETH_RSS_VXLAN, "vxlan"},
    {RTE_ETH_RSS_GENEVE, "geneve"},
    {RTE_ETH_RSS_NVGRE, "nvgre"},
    {RTE_ETH_RSS_GTPU, "gtpu"},
    {RTE_ETH_RSS_ETH, "eth"},
    {RTE_ETH_RSS_S_VLAN, "s-vlan"},
    {RTE_ETH_RSS_C_VLAN, "c-vlan"},
    {RTE_ETH_RSS_ESP, "esp"},
    {RTE_ETH_RSS_AH, "ah"},
    {RTE_ETH_RSS_L2TPV3, "l2tpv3"},
    {RTE_ETH_RSS_PFCP, "pfcp"},
    {RTE_ETH_RSS_PPPOE, "pppoe"},
    {RTE_ETH_RSS_ECPRI, "ecpri"},
    {RTE_ETH_RSS_MPLS, "mpls"},
};

/* Names a user may give for several types at once: testpmd's and DPDK's own groupings. */
const struct {
    uint64_t bits;
    const char *name;
} rss_groups[] = {
    {RTE_ETH_RSS_IP, "ip"},
    {RTE_ETH_RSS_TCP, "tcp"},
    {RTE_ETH_RSS_UDP, "udp"},
    {RTE_ETH_RSS_SCTP, "sctp"},
};

inline uint16_t port_of(jint port_id) { return static_cast<uint16_t>(port_id); }

bool valid_port(jint port_id) {
    return port_id >= 0 && port_id < RTE_MAX_ETHPORTS && rte_eth_dev_is_valid_port(port_of(port_id));
}

/* Every mbuf comes from one pool with a reference count of one: the driver may free fast. */
uint64_t tx_offloads(const rte_eth_dev_info &info) {
    return info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
}

#define DPDKJ_CHECK_PORT(port_id)                                                                \
    do {                                                                                         \
        if (!valid_port(port_id))                                                                \
            return fail(-ENODEV, "%s: no port %d", __func__, port_id);                            \
    } while (0)

jint count_native(JNIEnv *, jclass) { return rte_eth_dev_count_avail(); }

jint id_by_name_native(JNIEnv *env, jclass, jstring name) {
    clear_error();
    const char *utf = env->GetStringUTFChars(name, nullptr);
    if (utf == nullptr)
        return -ENOMEM;
    uint16_t port_id = 0;
    int rc = rte_eth_dev_get_port_by_name(utf, &port_id);
    jint result = rc == 0 ? port_id : fail(rc, "no port named %s", utf);
    env->ReleaseStringUTFChars(name, utf);
    return result;
}

/* Sets out[index] to a new Java string; -ENOMEM (an OutOfMemoryError pending) when the JVM has no room. */
int set_string(JNIEnv *env, jobjectArray out, jsize index, const char *value) {
    jstring string = env->NewStringUTF(value);
    if (string == nullptr)
        return fail(-ENOMEM, "no Java heap for a string");
    env->SetObjectArrayElement(out, index, string);
    env->DeleteLocalRef(string);
    return 0;
}

/* The port's device name and driver name, into out[0] and out[1]. */
jint names_native(JNIEnv *env, jclass, jint port_id, jobjectArray out) {
    clear_error();
    if (env->GetArrayLength(out) != 2)
        return fail(-EINVAL, "names array has %d elements, the shim fills 2", env->GetArrayLength(out));
    if (!valid_port(port_id))
        return fail(-ENODEV, "there is no port %d", port_id);
    char name[RTE_ETH_NAME_MAX_LEN];
    int rc = rte_eth_dev_get_name_by_port(port_of(port_id), name);
    if (rc != 0)
        return fail(rc, "rte_eth_dev_get_name_by_port(port %d) failed", port_id);
    rte_eth_dev_info info;
    rc = rte_eth_dev_info_get(port_of(port_id), &info);
    if (rc != 0)
        return fail(rc, "rte_eth_dev_info_get(port %d) failed", port_id);
    rc = set_string(env, out, 0, name);
    return rc != 0 ? rc : set_string(env, out, 1, info.driver_name);
}

jint info_native(JNIEnv *env, jclass, jint port_id, jlongArray out) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    if (env->GetArrayLength(out) != INFO_FIELD_COUNT)
        return fail(-EINVAL, "info array has %d fields, the shim fills %d",
                    env->GetArrayLength(out), INFO_FIELD_COUNT);
    const uint16_t port = port_of(port_id);
    rte_eth_dev_info info;
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return fail(rc, "rte_eth_dev_info_get(port %u) failed", port);
    rte_ether_addr mac;
    rc = rte_eth_macaddr_get(port, &mac);
    if (rc != 0)
        return fail(rc, "rte_eth_macaddr_get(port %u) failed", port);
    jlong mac_bits = 0;
    for (uint8_t byte : mac.addr_bytes)
        mac_bits = (mac_bits << 8) | byte;

    jlong fields[INFO_FIELD_COUNT];
    fields[INFO_MAX_RX_QUEUES] = info.max_rx_queues;
    fields[INFO_MAX_TX_QUEUES] = info.max_tx_queues;
    fields[INFO_RSS_OFFLOADS] = static_cast<jlong>(info.flow_type_rss_offloads);
    fields[INFO_SCATTER] = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0 &&
                           (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
    fields[INFO_SOCKET_ID] = rte_eth_dev_socket_id(port);
    fields[INFO_MAC] = mac_bits;
    fields[INFO_MIN_MTU] = info.min_mtu;
    fields[INFO_MAX_MTU] = info.max_mtu;
    fields[INFO_MAX_RX_PKTLEN] = info.max_rx_pktlen;
    fields[INFO_RX_DESC_MIN] = info.rx_desc_lim.nb_min;
    fields[INFO_RX_DESC_MAX] = info.rx_desc_lim.nb_max;
    fields[INFO_TX_DESC_MIN] = info.tx_desc_lim.nb_min;
    fields[INFO_TX_DESC_MAX] = info.tx_desc_lim.nb_max;
    fields[INFO_RETA_SIZE] = info.reta_size;
    fields[INFO_HASH_KEY_SIZE] = info.hash_key_size;
    fields[INFO_IF_INDEX] = info.if_index;
    env->SetLongArrayRegion(out, 0, INFO_FIELD_COUNT, fields);
    return 0;
}

jobjectArray rss_hash_names_native(JNIEnv *env, jclass, jlong bits) {
    std::vector<const char *> names;
    char unknown[64][24];
    uint64_t rest = static_cast<uint64_t>(bits);
    for (const auto &entry : rss_names) {
        if (rest & entry.bit) {
            names.push_back(entry.name);
            rest &= ~entry.bit;
        }
    }
    for (unsigned bit = 0; bit < 64 && rest != 0; bit++) {
        if (rest & (UINT64_C(1) << bit)) {
            snprintf(unknown[bit], sizeof(unknown[bit]), "0x%llx",
                     static_cast<unsigned long long>(UINT64_C(1) << bit));
            names.push_back(unknown[bit]);
            rest &= ~(UINT64_C(1) << bit);
        }
    }
    return new_string_array(env, names.data(), names.size());
}

/* The hash-type bits a name (or group name) stands for; 0 for a name DPDK does not have. */
/* The RTE_ETH_RSS_* bits of a hash type's name into out[0]: every bit may be set, so -errno is the result. */
jint rss_hash_bits_native(JNIEnv *env, jclass, jstring name, jlongArray out) {
    clear_error();
    if (env->GetArrayLength(out) != 1)
        return fail(-EINVAL, "bits array has %d elements, the shim fills 1", env->GetArrayLength(out));
    const char *utf = env->GetStringUTFChars(name, nullptr);
    if (utf == nullptr)
        return fail(-ENOMEM, "no native memory for a string");
    uint64_t bits = 0;
    for (const auto &group : rss_groups) {
        if (strcmp(group.name, utf) == 0)
            bits = group.bits;
    }
    for (const auto &entry : rss_names) {
        if (strcmp(entry.name, utf) == 0)
            bits = entry.bit;
    }
    const int rc = bits != 0 ? 0 : fail(-EINVAL, "'%s' is not an RSS hash type", utf);
    env->ReleaseStringUTFChars(name, utf);
    const auto value = static_cast<jlong>(bits);
    env->SetLongArrayRegion(out, 0, 1, &value);
    return rc;
}

/*
 * RSS only with several Rx queues; Java has already masked rss_hf to what the device offers.
 * A null key keeps the driver's default. scatter: frames may span mbufs (Java has checked the
 * device offers it).
 */
jint configure_native(JNIEnv *env, jclass, jint port_id, jint rx_queues, jint tx_queues, jlong rss_hf,
                      jbyteArray rss_key, jboolean scatter) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    const uint16_t port = port_of(port_id);
    rte_eth_dev_info info;
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return fail(rc, "rte_eth_dev_info_get(port %u) failed", port);
    if (rx_queues > info.max_rx_queues || tx_queues > info.max_tx_queues)
        return fail(-EINVAL, "port %u (%s) has at most %u Rx / %u Tx queues, %d / %d asked for",
                    port, info.driver_name, info.max_rx_queues, info.max_tx_queues, rx_queues,
                    tx_queues);

    rte_eth_conf conf{};
    uint8_t key[256];
    if (rx_queues > 1 && rss_hf != 0) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = static_cast<uint64_t>(rss_hf);
        if (rss_key != nullptr) {
            const jsize key_len = env->GetArrayLength(rss_key);
            if (key_len != info.hash_key_size || key_len > static_cast<jsize>(sizeof(key)))
                return fail(-EINVAL, "port %u takes a %u-byte RSS key, %d given", port, info.hash_key_size,
                            key_len);
            env->GetByteArrayRegion(rss_key, 0, key_len, reinterpret_cast<jbyte *>(key));
            conf.rx_adv_conf.rss_conf.rss_key = key;
            conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<uint8_t>(key_len);
        }
    }
    conf.txmode.offloads = tx_offloads(info);
    if (scatter) {
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    }

    rc = rte_eth_dev_configure(port, static_cast<uint16_t>(rx_queues),
                               static_cast<uint16_t>(tx_queues), &conf);
    return rc != 0 ? fail(rc, "rte_eth_dev_configure(port %u, %d rxq, %d txq) failed", port,
                          rx_queues, tx_queues)
                   : 0;
}

/* Rounds {rx, tx} descriptor counts in place to what the device accepts. */
jint adjust_descriptors_native(JNIEnv *env, jclass, jint port_id, jintArray rx_tx) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    jint counts[2];
    env->GetIntArrayRegion(rx_tx, 0, 2, counts);
    uint16_t rx = static_cast<uint16_t>(counts[0]);
    uint16_t tx = static_cast<uint16_t>(counts[1]);
    int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_of(port_id), &rx, &tx);
    if (rc != 0)
        return fail(rc, "rte_eth_dev_adjust_nb_rx_tx_desc(port %d) failed", port_id);
    counts[0] = rx;
    counts[1] = tx;
    env->SetIntArrayRegion(rx_tx, 0, 2, counts);
    return 0;
}

jint rx_queue_setup_native(JNIEnv *, jclass, jint port_id, jint queue, jint descriptors,
                           jlong pool) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    const uint16_t port = port_of(port_id);
    int rc = rte_eth_rx_queue_setup(port, static_cast<uint16_t>(queue),
                                    static_cast<uint16_t>(descriptors),
                                    static_cast<unsigned>(rte_eth_dev_socket_id(port)), nullptr,
                                    reinterpret_cast<rte_mempool *>(pool));
    return rc != 0 ? fail(rc, "rte_eth_rx_queue_setup(port %u, queue %d, %d descriptors) failed",
                          port, queue, descriptors)
                   : 0;
}

jint tx_queue_setup_native(JNIEnv *, jclass, jint port_id, jint queue, jint descriptors) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    const uint16_t port = port_of(port_id);
    rte_eth_dev_info info;
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return fail(rc, "rte_eth_dev_info_get(port %u) failed", port);
    rte_eth_txconf txconf = info.default_txconf;
    txconf.offloads = tx_offloads(info); // as configure_native enabled them port-wide
    rc = rte_eth_tx_queue_setup(port, static_cast<uint16_t>(queue),
                                static_cast<uint16_t>(descriptors),
                                static_cast<unsigned>(rte_eth_dev_socket_id(port)), &txconf);
    return rc != 0 ? fail(rc, "rte_eth_tx_queue_setup(port %u, queue %d, %d descriptors) failed",
                          port, queue, descriptors)
                   : 0;
}

jint start_native(JNIEnv *, jclass, jint port_id) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    int rc = rte_eth_dev_start(port_of(port_id));
    return rc != 0 ? fail(rc, "rte_eth_dev_start(port %d) failed", port_id) : 0;
}

jint stop_native(JNIEnv *, jclass, jint port_id) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    int rc = rte_eth_dev_stop(port_of(port_id));
    return rc != 0 ? fail(rc, "rte_eth_dev_stop(port %d) failed", port_id) : 0;
}

jint close_native(JNIEnv *, jclass, jint port_id) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    int rc = rte_eth_dev_close(port_of(port_id));
    return rc != 0 ? fail(rc, "rte_eth_dev_close(port %d) failed", port_id) : 0;
}

jint set_promiscuous_native(JNIEnv *, jclass, jint port_id, jboolean on) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    int rc = on ? rte_eth_promiscuous_enable(port_of(port_id))
                : rte_eth_promiscuous_disable(port_of(port_id));
    return rc != 0 ? fail(rc, "setting promiscuous mode %s on port %d failed", on ? "on" : "off",
                          port_id)
                   : 0;
}

/* Administrative link control; drivers without it answer -ENOTSUP. */
jint set_link_native(JNIEnv *, jclass, jint port_id, jboolean up) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    int rc = up ? rte_eth_dev_set_link_up(port_of(port_id)) : rte_eth_dev_set_link_down(port_of(port_id));
    return rc != 0 ? fail(rc, "setting port %d's link %s failed", port_id, up ? "up" : "down") : 0;
}

/* Never waits for the link: safe to call from a stats loop. */
jint link_native(JNIEnv *env, jclass, jint port_id, jlongArray out) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    rte_eth_link link;
    int rc = rte_eth_link_get_nowait(port_of(port_id), &link);
    if (rc != 0)
        return fail(rc, "rte_eth_link_get_nowait(port %d) failed", port_id);
    jlong fields[LINK_FIELD_COUNT];
    fields[LINK_UP] = link.link_status;
    fields[LINK_SPEED_MBPS] = link.link_speed;
    fields[LINK_FULL_DUPLEX] = link.link_duplex;
    fields[LINK_AUTONEG] = link.link_autoneg;
    env->SetLongArrayRegion(out, 0, LINK_FIELD_COUNT, fields);
    return 0;
}

jint stats_native(JNIEnv *env, jclass, jint port_id, jlongArray out) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    rte_eth_stats stats;
    int rc = rte_eth_stats_get(port_of(port_id), &stats);
    if (rc != 0)
        return fail(rc, "rte_eth_stats_get(port %d) failed", port_id);
    jlong fields[STATS_FIELD_COUNT];
    fields[STATS_RX_PACKETS] = static_cast<jlong>(stats.ipackets);
    fields[STATS_TX_PACKETS] = static_cast<jlong>(stats.opackets);
    fields[STATS_RX_BYTES] = static_cast<jlong>(stats.ibytes);
    fields[STATS_TX_BYTES] = static_cast<jlong>(stats.obytes);
    fields[STATS_RX_MISSED] = static_cast<jlong>(stats.imissed);
    fields[STATS_RX_ERRORS] = static_cast<jlong>(stats.ierrors);
    fields[STATS_TX_ERRORS] = static_cast<jlong>(stats.oerrors);
    fields[STATS_RX_NO_MBUF] = static_cast<jlong>(stats.rx_nombuf);
    env->SetLongArrayRegion(out, 0, STATS_FIELD_COUNT, fields);
    return 0;
}

jint reset_stats_native(JNIEnv *, jclass, jint port_id) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    int rc = rte_eth_stats_reset(port_of(port_id));
    return rc != 0 ? fail(rc, "rte_eth_stats_reset(port %d) failed", port_id) : 0;
}

/* The port's xstat names, by id, as a String[] into out[0]. */
jint xstat_names_native(JNIEnv *env, jclass, jint port_id, jobjectArray out) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    if (env->GetArrayLength(out) != 1)
        return fail(-EINVAL, "names array has %d elements, the shim fills 1", env->GetArrayLength(out));
    int n = rte_eth_xstats_get_names(port_of(port_id), nullptr, 0);
    if (n < 0)
        return fail(n, "rte_eth_xstats_get_names(port %d) failed", port_id);
    std::vector<rte_eth_xstat_name> names(static_cast<size_t>(n));
    n = rte_eth_xstats_get_names(port_of(port_id), names.data(), static_cast<unsigned>(n));
    if (n < 0)
        return fail(n, "rte_eth_xstats_get_names(port %d) failed", port_id);
    std::vector<const char *> strings;
    for (const rte_eth_xstat_name &name : names)
        strings.push_back(name.name);
    jobjectArray array = new_string_array(env, strings.data(), strings.size());
    if (array == nullptr)
        return fail(-ENOMEM, "no Java heap for %d xstat names", n);
    env->SetObjectArrayElement(out, 0, array);
    return 0;
}

/* Fills values by xstat id (the index into xstat_names_native); returns how many exist. */
jint xstat_values_native(JNIEnv *env, jclass, jint port_id, jlongArray out) {
    clear_error();
    DPDKJ_CHECK_PORT(port_id);
    const jsize capacity = env->GetArrayLength(out);
    std::vector<rte_eth_xstat> xstats(static_cast<size_t>(capacity));
    int n = rte_eth_xstats_get(port_of(port_id), xstats.data(), static_cast<unsigned>(capacity));
    if (n < 0)
        return fail(n, "rte_eth_xstats_get(port %d) failed", port_id);
    if (n > capacity)
        return n; // the set grew: the caller asks again with a larger array
    std::vector<jlong> values(static_cast<size_t>(capacity), 0);
    for (int i = 0; i < n; i++) {
        const rte_eth_xstat &x = xstats[static_cast<size_t>(i)];
        if (x.id < static_cast<uint64_t>(capacity))
            values[x.id] = static_cast<jlong>(x.value);
    }
    env->SetLongArrayRegion(out, 0, capacity, values.data());
    return n;
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("count", "()I", count_native),
    DPDKJ_NATIVE("idByName", "(Ljava/lang/String;)I", id_by_name_native),
    DPDKJ_NATIVE("names", "(I[Ljava/lang/String;)I", names_native),
    DPDKJ_NATIVE("info", "(I[J)I", info_native),
    DPDKJ_NATIVE("rssHashNames", "(J)[Ljava/lang/String;", rss_hash_names_native),
    DPDKJ_NATIVE("rssHashBits", "(Ljava/lang/String;[J)I", rss_hash_bits_native),
    DPDKJ_NATIVE("configure", "(IIIJ[BZ)I", configure_native),
    DPDKJ_NATIVE("adjustDescriptors", "(I[I)I", adjust_descriptors_native),
    DPDKJ_NATIVE("rxQueueSetup", "(IIIJ)I", rx_queue_setup_native),
    DPDKJ_NATIVE("txQueueSetup", "(III)I", tx_queue_setup_native),
    DPDKJ_NATIVE("start", "(I)I", start_native),
    DPDKJ_NATIVE("stop", "(I)I", stop_native),
    DPDKJ_NATIVE("close", "(I)I", close_native),
    DPDKJ_NATIVE("setPromiscuous", "(IZ)I", set_promiscuous_native),
    DPDKJ_NATIVE("setLink", "(IZ)I", set_link_native),
    DPDKJ_NATIVE("link", "(I[J)I", link_native),
    DPDKJ_NATIVE("stats", "(I[J)I", stats_native),
    DPDKJ_NATIVE("resetStats", "(I)I", reset_stats_native),
    DPDKJ_NATIVE("xstatNames", "(I[[Ljava/lang/String;)I", xstat_names_native),
    DPDKJ_NATIVE("xstatValues", "(I[J)I", xstat_values_native),
};

} // namespace

const native_table port_natives = {"PortNatives", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
