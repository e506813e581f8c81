/* The counter record's layout is the contract with io.l2echo.dpdk.QueueCounters. */
#include <cstdio>

#include "dpdkj_counters.h"

int main() {
    using dpdkj::queue_counters;
    static_assert(alignof(queue_counters) == 128, "records start on a 128-byte boundary");
    static_assert(sizeof(queue_counters) == 128, "records are 128 bytes");
    static_assert(offsetof(queue_counters, rx_packets) == 0, "rx_packets at 0");
    static_assert(offsetof(queue_counters, rx_bytes) == 8, "rx_bytes at 8");
    static_assert(offsetof(queue_counters, tx_packets) == 16, "tx_packets at 16");
    static_assert(offsetof(queue_counters, tx_bytes) == 24, "tx_bytes at 24");
    static_assert(offsetof(queue_counters, tx_dropped) == 32, "tx_dropped at 32");
    static_assert(offsetof(queue_counters, rx_bursts) == 40, "rx_bursts at 40");
    static_assert(offsetof(queue_counters, empty_polls) == 48, "empty_polls at 48");
    static_assert(offsetof(queue_counters, tx_retries) == 56, "tx_retries at 56");
    static_assert(offsetof(queue_counters, rx_runts) == 64, "rx_runts at 64");
    static_assert(offsetof(queue_counters, busy_cycles) == 72, "busy_cycles at 72");
    static_assert(offsetof(queue_counters, rx_group_dst) == 80, "rx_group_dst at 80");
    static_assert(offsetof(queue_counters, rx_link_local) == 88, "rx_link_local at 88");
    static_assert(offsetof(queue_counters, rx_group_src) == 96, "rx_group_src at 96");
    static_assert(offsetof(queue_counters, tx_own_source) == 104, "tx_own_source at 104");

    queue_counters c{};
    dpdkj::counter_add(&c.rx_packets, 32);
    dpdkj::counter_add(&c.rx_packets, 10);
    int failures = c.rx_packets == 42 ? 0 : 1;
    if (failures)
        fprintf(stderr, "FAIL: counter_add accumulates\n");
    printf("%d failed\n", failures);
    return failures;
}
