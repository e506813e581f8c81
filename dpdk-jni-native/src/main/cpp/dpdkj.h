/*
 * Shared declarations of the JNI shim. Each concern lives in its own file and exposes one
 * table of natives for its own Java class (in io.l2echo.dpdk.internal, never exported); dpdkj_onload.cpp registers them all or none.
 */
#ifndef DPDKJ_H
#define DPDKJ_H

#include <jni.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#define DPDKJ_PACKAGE "io/l2echo/dpdk/internal/"

namespace dpdkj {

struct native_table {
    const char *simple_name; /* class in DPDKJ_PACKAGE */
    const JNINativeMethod *methods;
    jint count;
};

extern const native_table errors_natives;
extern const native_table eal_natives;
extern const native_table mempool_natives;
extern const native_table port_natives;
extern const native_table worker_natives;
extern const native_table generator_natives;
extern const native_table burst_natives;
extern const native_table lcore_natives;
extern const native_table log_natives;

/*
 * Records why the current call failed, for Java to read on the same thread
 * (NativeErrors.lastMessage), and returns `rc` (a negative errno) so call sites stay one line.
 */
int fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forgets the previous failure: every native entry point that can fail calls it first. */
void clear_error();

/* Java arrays from C ones; null with an OutOfMemoryError pending when allocation fails. */
jintArray new_int_array(JNIEnv *env, const jint *values, size_t count);
jobjectArray new_string_array(JNIEnv *env, const char *const *strings, size_t count);

/*
 * Every control-path native is registered through counted<fn>::call, which counts the call and
 * forwards it: the proof that nothing crosses JNI per packet is a number (NativeErrors.jniCalls)
 * beside the packet count. A relaxed atomic add on one process-wide word: fine per run or per
 * second, not per burst. The per-burst natives of a packet queue (DPDKJ_NATIVE_PER_BURST) count
 * themselves in the queue's own single-writer record instead, and Java adds those counts in.
 */
extern std::atomic<uint64_t> jni_calls;

template <auto Fn> struct counted;

template <typename R, typename... Args, R (*Fn)(JNIEnv *, jclass, Args...)> struct counted<Fn> {
    static R call(JNIEnv *env, jclass cls, Args... args) {
        jni_calls.fetch_add(1, std::memory_order_relaxed);
        return Fn(env, cls, args...);
    }
};

} // namespace dpdkj

#define DPDKJ_COUNT_OF(a) static_cast<jint>(sizeof(a) / sizeof((a)[0]))

/* jni.h declares name and signature as char *, hence the casts. */
#define DPDKJ_NATIVE(name, signature, fn)                                                        \
    {                                                                                            \
        const_cast<char *>(name), const_cast<char *>(signature),                                 \
            reinterpret_cast<void *>(&dpdkj::counted<fn>::call)                                   \
    }

/* A per-burst native: not counted here, it counts its calls in its own queue's record. */
#define DPDKJ_NATIVE_PER_BURST(name, signature, fn)                                              \
    { const_cast<char *>(name), const_cast<char *>(signature), reinterpret_cast<void *>(&fn) }

#endif
