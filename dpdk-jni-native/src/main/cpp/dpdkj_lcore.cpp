/* Launch on a worker lcore, run on the main one, stop, join: for any loop (dpdkj_lcore.h). */
#include <cerrno>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "dpdkj.h"
#include "dpdkj_lcore.h"

namespace dpdkj {

namespace {

inline lcore_task *task_of(jlong handle) { return reinterpret_cast<lcore_task *>(handle); }

/* On a worker lcore: returns at once, the loop runs until stop is requested. */
jint launch_native(JNIEnv *, jclass, jlong handle) {
    clear_error();
    lcore_task *task = task_of(handle);
    int rc = rte_eal_remote_launch(task->body, task, task->lcore);
    return rc != 0 ? fail(rc, "rte_eal_remote_launch on lcore %u failed (is it busy?)", task->lcore) : 0;
}

/* On the main lcore: runs the loop on the calling thread, which must be that lcore's. */
jint run_native(JNIEnv *, jclass, jlong handle) {
    clear_error();
    lcore_task *task = task_of(handle);
    if (rte_lcore_id() != task->lcore)
        return fail(-EINVAL, "the loop for lcore %u was called on lcore %d's thread", task->lcore,
                    static_cast<int>(rte_lcore_id()));
    return task->body(task);
}

void request_stop_native(JNIEnv *, jclass, jlong handle) {
    __atomic_store_n(&task_of(handle)->stop_requested, 1, __ATOMIC_RELEASE);
}

/* Blocks until a launched loop has returned. */
jint join_native(JNIEnv *, jclass, jlong handle) {
    clear_error();
    const unsigned int lcore = task_of(handle)->lcore;
    int rc = rte_eal_wait_lcore(lcore);
    return rc < 0 ? fail(rc, "the loop on lcore %u returned %d", lcore, rc) : 0;
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("nativeLaunch", "(J)I", launch_native),
    DPDKJ_NATIVE("nativeRun", "(J)I", run_native),
    DPDKJ_NATIVE("nativeRequestStop", "(J)V", request_stop_native),
    DPDKJ_NATIVE("nativeJoin", "(J)I", join_native),
};

} // namespace

const native_table lcore_natives = {"LcoreLoop", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
