/* Why the last native call failed, per thread, DPDK's text for an errno, and how many calls
 * crossed JNI. */
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include <rte_errno.h>

#include "dpdkj.h"

namespace dpdkj {

namespace {

thread_local char last_message[512];

jstring last_message_native(JNIEnv *env, jclass) {
    return last_message[0] == '\0' ? nullptr : env->NewStringUTF(last_message);
}

/* rte_strerror also knows DPDK's own errno values (E_RTE_SECONDARY, E_RTE_NO_CONFIG). */
jstring text_native(JNIEnv *env, jclass, jint errnum) {
    return env->NewStringUTF(rte_strerror(errnum));
}

/* The symbolic name, so Java never hard-codes the platform's errno numbers. */
jstring name_native(JNIEnv *env, jclass, jint errnum) {
    const char *name = strerrorname_np(errnum);
    return name == nullptr ? nullptr : env->NewStringUTF(name);
}

jlong jni_calls_native(JNIEnv *, jclass) {
    return static_cast<jlong>(jni_calls.load(std::memory_order_relaxed));
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("lastMessage", "()Ljava/lang/String;", last_message_native),
    DPDKJ_NATIVE("text", "(I)Ljava/lang/String;", text_native),
    DPDKJ_NATIVE("name", "(I)Ljava/lang/String;", name_native),
    DPDKJ_NATIVE("jniCalls", "()J", jni_calls_native),
};

} // namespace

std::atomic<uint64_t> jni_calls;

int fail(int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof(last_message), fmt, ap);
    va_end(ap);
    return rc;
}

void clear_error() { last_message[0] = '\0'; }

const native_table errors_natives = {"NativeErrors", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
