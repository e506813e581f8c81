/* Packet-buffer pools: one per port and NUMA socket, sized by Java from descriptors and bursts. */
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpdkj.h"

namespace dpdkj {

namespace {

inline rte_mempool *pool_of(jlong handle) { return reinterpret_cast<rte_mempool *>(handle); }

/* Returns the pool's address, or a negative errno: user-space addresses are positive. */
jlong create_native(JNIEnv *env, jclass, jstring name, jint size, jint cache_size,
                    jint data_room_size, jint socket_id) {
    clear_error();
    const char *utf = env->GetStringUTFChars(name, nullptr);
    if (utf == nullptr)
        return -ENOMEM;
    rte_mempool *pool = rte_pktmbuf_pool_create(utf, static_cast<unsigned>(size),
                                                static_cast<unsigned>(cache_size), 0,
                                                static_cast<uint16_t>(data_room_size), socket_id);
    jlong result = pool != nullptr
                       ? reinterpret_cast<jlong>(pool)
                       : fail(-rte_errno,
                              "rte_pktmbuf_pool_create(%s, %d mbufs, cache %d, data room %d, "
                              "socket %d) failed",
                              utf, size, cache_size, data_room_size, socket_id);
    env->ReleaseStringUTFChars(name, utf);
    return result;
}

void free_native(JNIEnv *, jclass, jlong handle) { rte_mempool_free(pool_of(handle)); }

jint available_native(JNIEnv *, jclass, jlong handle) {
    return static_cast<jint>(rte_mempool_avail_count(pool_of(handle)));
}

jint in_use_native(JNIEnv *, jclass, jlong handle) {
    return static_cast<jint>(rte_mempool_in_use_count(pool_of(handle)));
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("create", "(Ljava/lang/String;IIII)J", create_native),
    DPDKJ_NATIVE("free", "(J)V", free_native),
    DPDKJ_NATIVE("available", "(J)I", available_native),
    DPDKJ_NATIVE("inUse", "(J)I", in_use_native),
};

} // namespace

const native_table mempool_natives = {"MempoolNatives", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
