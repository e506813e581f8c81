/*
 * Our own telemetry command, /l2echo/lcores: every running echo loop's per-queue counters, and
 * those of every packet queue a registered Java thread polls (dpdkj_burst.cpp), served by
 * DPDK's telemetry thread straight from the counter records, so a reader such as
 * dpdk-stats or dpdk-telemetry.py sees per-lcore figures without the JVM being involved.
 */
#ifndef DPDKJ_TELEMETRY_H
#define DPDKJ_TELEMETRY_H

#include <cstddef>
#include <cstdint>

#include "dpdkj_counters.h"

namespace dpdkj {

struct telemetry_queue {
    unsigned int lcore;
    uint16_t port;
    uint16_t queue;
    const queue_counters *counters;
    const char *swap;    /* an echo loop's swap level and reflect policy; null for a packet queue */
    const char *reflect;
};

/* Makes `owner`'s queues visible; registers the command on first use. Control path only. */
void telemetry_publish(const void *owner, const telemetry_queue *queues, size_t count);

/* Hides `owner`'s queues; after it returns the telemetry thread no longer reads them. */
void telemetry_withdraw(const void *owner);

} // namespace dpdkj

#endif
