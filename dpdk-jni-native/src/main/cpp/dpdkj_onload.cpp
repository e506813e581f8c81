/* Library entry (registers every concern's natives, or undoes what it registered) and the
 * small JNI conversions the concerns share. */
#include <cstdio>

#include "dpdkj.h"

namespace {

const dpdkj::native_table *const tables[] = {
    &dpdkj::errors_natives, &dpdkj::eal_natives,    &dpdkj::mempool_natives,
    &dpdkj::port_natives,   &dpdkj::worker_natives,  &dpdkj::generator_natives,
    &dpdkj::lcore_natives,  &dpdkj::log_natives,     &dpdkj::burst_natives,
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

namespace dpdkj {

jintArray new_int_array(JNIEnv *env, const jint *values, size_t count) {
    jintArray result = env->NewIntArray(static_cast<jsize>(count));
    if (result != nullptr)
        env->SetIntArrayRegion(result, 0, static_cast<jsize>(count), values);
    return result;
}

jobjectArray new_string_array(JNIEnv *env, const char *const *strings, size_t count) {
    jclass string_class = env->FindClass("java/lang/String");
    if (string_class == nullptr)
        return nullptr;
    jobjectArray result = env->NewObjectArray(static_cast<jsize>(count), string_class, nullptr);
    env->DeleteLocalRef(string_class);
    for (size_t i = 0; result != nullptr && i < count; i++) {
        jstring s = env->NewStringUTF(strings[i]);
        if (s == nullptr)
            return nullptr;
        env->SetObjectArrayElement(result, static_cast<jsize>(i), s);
        env->DeleteLocalRef(s);
    }
    return result;
}

} // namespace dpdkj

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
