/* Library entry: registers every concern's natives, or undoes what it registered. */
#include <cstdio>

#include "dpdkj.h"

namespace {

const dpdkj::native_table *const tables[] = {
    &dpdkj::errors_natives, &dpdkj::eal_natives,    &dpdkj::mempool_natives,
    &dpdkj::port_natives,   &dpdkj::worker_natives,
};

jclass find_class(JNIEnv *env, const char *simple_name) {
    char class_name[128];
    snprintf(class_name, sizeof(class_name), "%s%s", DPDKJ_PACKAGE, simple_name);
    return env->FindClass(class_name);
}

void unregister(JNIEnv *env, size_t count) {
    for (size_t i = 0; i < count; i++) {
        jclass cls = find_class(env, tables[i]->simple_name);
        if (cls != nullptr) {
            env->UnregisterNatives(cls);
            env->DeleteLocalRef(cls);
        }
    }
}

} // namespace

extern "C" __attribute__((visibility("default"))) jint JNI_OnLoad(JavaVM *vm, void *) {
    JNIEnv *env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        jclass cls = find_class(env, tables[i]->simple_name);
        jint rc = cls == nullptr ? JNI_ERR
                                 : env->RegisterNatives(cls, tables[i]->methods, tables[i]->count);
        if (cls != nullptr)
            env->DeleteLocalRef(cls);
        if (rc != JNI_OK) {
            // Keep the pending NoClassDefFoundError/NoSuchMethodError: it names the culprit.
            jthrowable pending = env->ExceptionOccurred();
            env->ExceptionClear();
            unregister(env, i);
            if (pending != nullptr)
                env->Throw(pending);
            return JNI_ERR;
        }
    }
    return JNI_VERSION_1_8;
}
