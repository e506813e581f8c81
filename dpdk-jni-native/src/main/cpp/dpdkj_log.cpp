/* DPDK's log, captured: EAL and PMD lines go to a buffer that a Java control-plane thread
 * drains into the service's logging, with DPDK's level, instead of raw stderr. */
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <string>

#include <rte_log.h>

#include "dpdkj.h"

namespace dpdkj {

namespace {

/* Lines not yet drained are bounded: a flood of log lines must not grow the heap without end. */
constexpr size_t MAX_PENDING_BYTES = 256 * 1024;

std::mutex pending_mutex;
std::string pending; // each line: its level as one digit, then the text, then '\n'
unsigned long long dropped_lines = 0;

/* stdio calls this with what DPDK wrote, line by line (the stream is line-buffered). */
ssize_t capture(void *, const char *data, size_t size) {
    const int level = static_cast<int>(rte_log_cur_msg_loglevel());
    // A panic or abort follows a critical line before any drain: it must be seen now.
    if (level <= static_cast<int>(RTE_LOG_CRIT))
        fwrite(data, 1, size, stderr);
    std::lock_guard<std::mutex> lock(pending_mutex);
    if (pending.size() + size + 2 > MAX_PENDING_BYTES) {
        dropped_lines++;
        return static_cast<ssize_t>(size);
    }
    pending.push_back(static_cast<char>('0' + (level >= 0 && level <= 9 ? level : 8)));
    pending.append(data, size);
    if (size == 0 || data[size - 1] != '\n')
        pending.push_back('\n');
    return static_cast<ssize_t>(size);
}

/* Before rte_eal_init, so that EAL's own start-up lines are captured too. */
jint capture_native(JNIEnv *, jclass) {
    clear_error();
    cookie_io_functions_t io{};
    io.write = capture;
    FILE *stream = fopencookie(nullptr, "w", io);
    if (stream == nullptr)
        return fail(-errno, "fopencookie for DPDK's log failed");
    setvbuf(stream, nullptr, _IOLBF, 0);
    int rc = rte_openlog_stream(stream);
    return rc < 0 ? fail(rc, "rte_openlog_stream failed") : 0;
}

/* The lines captured since the last drain, and a note of any dropped, as one string. */
jstring drain_native(JNIEnv *env, jclass) {
    std::string lines;
    unsigned long long dropped;
    {
        std::lock_guard<std::mutex> lock(pending_mutex);
        lines.swap(pending);
        dropped = dropped_lines;
        dropped_lines = 0;
    }
    if (dropped > 0)
        lines += "5" + std::to_string(dropped) + " DPDK log lines dropped: more than " +
                 std::to_string(MAX_PENDING_BYTES / 1024) + " KiB between two drains\n";
    return env->NewStringUTF(lines.c_str());
}

const JNINativeMethod methods[] = {
    DPDKJ_NATIVE("nativeCapture", "()I", capture_native),
    DPDKJ_NATIVE("nativeDrain", "()Ljava/lang/String;", drain_native),
};

} // namespace

const native_table log_natives = {"DpdkLog", methods, DPDKJ_COUNT_OF(methods)};

} // namespace dpdkj
