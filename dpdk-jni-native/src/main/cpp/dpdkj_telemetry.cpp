/* /l2echo/lcores: the registry of published queues and the command that reads them. */
#include <cstdio>
#include <mutex>

#include <rte_lcore.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "dpdkj_telemetry.h"

namespace dpdkj {

namespace {

constexpr const char *LCORES_COMMAND = "/l2echo/lcores";

struct entry {
    const void *owner;
    telemetry_queue queue;
};

/* One entry per queue a loop serves; a telemetry dict holds at most 256 entries anyway. */
constexpr size_t MAX_ENTRIES = 256;
entry entries[MAX_ENTRIES];
size_t entry_count;
bool registered;
/* Taken by the control path and the telemetry thread only, never by a polling lcore. */
std::mutex registry_lock;

inline void add_uint(rte_tel_data *d, const char *name, uint64_t value) {
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
    rte_tel_data_add_dict_uint(d, name, value);
#else
    rte_tel_data_add_dict_u64(d, name, value);
#endif
}

inline uint64_t load(const uint64_t *counter) { return __atomic_load_n(counter, __ATOMIC_ACQUIRE); }

/*
 * A dict of dicts, keyed lcore<L>_port<P>_queue<Q>: DPDK 22.11 nests dicts only in dicts, and
 * names may hold letters, digits, '_' and '/' alone.
 */
int lcores_command(const char *, const char *, rte_tel_data *d) {
    std::lock_guard<std::mutex> guard(registry_lock);
    rte_tel_data_start_dict(d);
    for (size_t i = 0; i < entry_count; i++) {
        const telemetry_queue &q = entries[i].queue;
        rte_tel_data *row = rte_tel_data_alloc();
        if (row == nullptr)
            return -ENOMEM;
        rte_tel_data_start_dict(row);
        add_uint(row, "lcore", q.lcore);
        add_uint(row, "port", q.port);
        add_uint(row, "queue", q.queue);
        add_uint(row, "rx_packets", load(&q.counters->rx_packets));
        add_uint(row, "rx_bytes", load(&q.counters->rx_bytes));
        add_uint(row, "tx_packets", load(&q.counters->tx_packets));
        add_uint(row, "tx_bytes", load(&q.counters->tx_bytes));
        add_uint(row, "tx_dropped", load(&q.counters->tx_dropped));
        add_uint(row, "rx_bursts", load(&q.counters->rx_bursts));
        add_uint(row, "empty_polls", load(&q.counters->empty_polls));
        add_uint(row, "tx_retries", load(&q.counters->tx_retries));
        add_uint(row, "rx_runts", load(&q.counters->rx_runts));
        add_uint(row, "busy_cycles", load(&q.counters->busy_cycles));
        add_uint(row, "rx_group_dst", load(&q.counters->rx_group_dst));
        add_uint(row, "rx_link_local", load(&q.counters->rx_link_local));
        add_uint(row, "rx_group_src", load(&q.counters->rx_group_src));
        add_uint(row, "tx_own_source", load(&q.counters->tx_own_source));
        if (q.swap != nullptr) {
            rte_tel_data_add_dict_string(row, "swap", q.swap);
            rte_tel_data_add_dict_string(row, "reflect", q.reflect);
        }
        char key[64];
        snprintf(key, sizeof(key), "lcore%u_port%u_queue%u", q.lcore, q.port, q.queue);
        rte_tel_data_add_dict_container(d, key, row, 0); // 0: the dict takes ownership
    }
    return 0;
}

} // namespace

void telemetry_publish(const void *owner, const telemetry_queue *queues, size_t count) {
    std::lock_guard<std::mutex> guard(registry_lock);
    if (!registered) {
        // Fails only without telemetry (--no-telemetry): the echo runs the same, unobserved.
        registered = rte_telemetry_register_cmd(
                         LCORES_COMMAND, lcores_command,
                         "Per-queue counters of every running echo loop. Takes no parameters") == 0;
    }
    for (size_t i = 0; i < count && entry_count < MAX_ENTRIES; i++)
        entries[entry_count++] = entry{owner, queues[i]};
}

void telemetry_withdraw(const void *owner) {
    std::lock_guard<std::mutex> guard(registry_lock);
    size_t kept = 0;
    for (size_t i = 0; i < entry_count; i++) {
        if (entries[i].owner != owner)
            entries[kept++] = entries[i];
    }
    entry_count = kept;
}

} // namespace dpdkj
