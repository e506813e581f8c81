/*
 * What every native loop on an lcore shares, the echo worker's and the generator's: the stop
 * flag it polls, the lcore it runs on and its body. It is the first member of each loop's
 * struct, so one set of natives (LcoreLoop's) launches, runs, stops and joins any of them.
 */
#ifndef DPDKJ_LCORE_H
#define DPDKJ_LCORE_H

#include <cstdint>

#include <rte_common.h>
#include <rte_launch.h>

namespace dpdkj {

struct lcore_task {
    /* Written by a control thread, polled by the loop: a line of its own (64 bytes on x86-64,
     * 128 in arm64's DPDK builds). A loop struct holding this is allocated with its alignof. */
    alignas(RTE_CACHE_LINE_SIZE) uint32_t stop_requested;
    alignas(RTE_CACHE_LINE_SIZE) unsigned int lcore;
    lcore_function_t *body; /* called with the task's own address, which is the loop's */
};

static inline bool stop_requested(const lcore_task *task) {
    return __atomic_load_n(&task->stop_requested, __ATOMIC_ACQUIRE) != 0;
}

} // namespace dpdkj

#endif
