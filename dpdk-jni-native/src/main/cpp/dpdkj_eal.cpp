/*
 * EAL: init from Java's argument vector, cleanup, what Java needs to plan lcores, and the
 * capture framework a shared-memory primary offers to dpdk-dumpcap and dpdk-pdump.
 */
#include <sched.h>

#include <string>
#include <vector>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "dpdkj.h"

namespace dpdkj {

namespace {

/* EAL may keep pointers into argv (device arguments, prefixes) for the life of the process. */
std::vector<std::string> eal_arg_storage;
std::vector<char *> eal_argv;

jint init_native(JNIEnv *env, jclass, jobjectArray args) {
    clear_error();
    const jsize n = env->GetArrayLength(args);
    eal_arg_storage.clear();
    eal_arg_storage.reserve(static_cast<size_t>(n) + 1);
    eal_arg_storage.emplace_back("dpdkj");
    for (jsize i = 0; i < n; i++) {
        auto arg = static_cast<jstring>(env->GetObjectArrayElement(args, i));
        const char *utf = env->GetStringUTFChars(arg, nullptr);
        if (utf == nullptr)
            return -ENOMEM; // OutOfMemoryError pending
        eal_arg_storage.emplace_back(utf);
        env->ReleaseStringUTFChars(arg, utf);
        env->DeleteLocalRef(arg);
    }
    eal_argv.clear();
    for (std::string &arg : eal_arg_storage)
        eal_argv.push_back(arg.data());
    eal_argv.push_back(nullptr);

    int parsed = rte_eal_init(static_cast<int>(eal_argv.size() - 1), eal_argv.data());
    if (parsed < 0)
        return fail(-rte_errno, "rte_eal_init failed (DPDK's log above says which step)");
    return parsed; // EAL arguments consumed, not counting argv[0]
}

jint cleanup_native(JNIEnv *, jclass) {
    clear_error();
    int rc = rte_eal_cleanup();
    return rc < 0 ? fail(rc, "rte_eal_cleanup failed") : 0;
}

jint main_lcore_native(JNIEnv *, jclass) { return static_cast<jint>(rte_get_main_lcore()); }

jintArray worker_lcores_native(JNIEnv *env, jclass) {
    std::vector<jint> lcores;
    unsigned int lcore_id;
    RTE_LCORE_FOREACH_WORKER(lcore_id) { lcores.push_back(static_cast<jint>(lcore_id)); }
    return new_int_array(env, lcores.data(), lcores.size());
}

/* The CPUs an lcore's thread is pinned to, so Java can keep its own threads off them. */
jintArray lcore_cpus_native(JNIEnv *env, jclass, jint lcore_id) {
    std::vector<jint> cpus;
    if (lcore_id >= 0 && lcore_id < RTE_MAX_LCORE && rte_lcore_is_enabled(static_cast<unsigned>(lcore_id))) {
        rte_cpuset_t set = rte_lcore_cpuset(static_cast<unsigned>(lcore_id));
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
            if (CPU_ISSET(cpu, &set))
                cpus.push_back(cpu);
        }
    }
    return new_int_array(env, cpus.data(), cpus.size());
}

jint lcore_socket_native(JNIEnv *, jclass, jint lcore_id) {
    return static_cast<jint>(rte_lcore_to_socket_id(static_cast<unsigned>(lcore_id)));
}

jstring version_native(JNIEnv *env, jclass) { return env->NewStringUTF(rte_version()); }

jlong tsc_hz_native(JNIEnv *, jclass) { return static_cast<jlong>(rte_get_tsc_hz()); }

jstring runtime_dir_native(JNIEnv *env, jclass) {
    return env->NewStringUTF(rte_eal_get_runtime_dir());
}

/* Lets secondary processes (dpdk-dumpcap, dpdk-pdump) ask this primary to copy its ports' frames. */
jint pdump_init_native(JNIEnv *, jclass) {
    clear_error();
    int rc = rte_pdump_init();
    return rc < 0 ? fail(-rte_errno, "rte_pdump_init failed") : 0;
}

jint pdump_uninit_native(JNIEnv *, jclass) {
    clear_error();
    int rc = rte_pdump_uninit();
    return rc < 0 ? fail(-rte_errno, "rte_pdump_uninit failed") : 0;
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("init", "([Ljava/lang/String;)I", init_native),
    DPDKJ_NATIVE("cleanup", "()I", cleanup_native),
    DPDKJ_NATIVE("mainLcore", "()I", main_lcore_native),
    DPDKJ_NATIVE("workerLcores", "()[I", worker_lcores_native),
    DPDKJ_NATIVE("lcoreCpus", "(I)[I", lcore_cpus_native),
    DPDKJ_NATIVE("lcoreSocket", "(I)I", lcore_socket_native),
    DPDKJ_NATIVE("version", "()Ljava/lang/String;", version_native),
    DPDKJ_NATIVE("tscHz", "()J", tsc_hz_native),
    DPDKJ_NATIVE("runtimeDir", "()Ljava/lang/String;", runtime_dir_native),
    DPDKJ_NATIVE("pdumpInit", "()I", pdump_init_native),
    DPDKJ_NATIVE("pdumpUninit", "()I", pdump_uninit_native),
};

} // namespace

const native_table eal_natives = {"EalNatives", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
