package io.l2echo.dpdk.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * DPDK's own log lines, routed into SLF4J: EAL and the PMDs write into a buffer in the shim
 * (never into Java from their threads), and a control-plane thread, {@value #THREAD_NAME},
 * drains it into loggers named after DPDK's log type ({@code dpdk.eal}, {@code dpdk.vhost_config},
 * {@code dpdk} for lines without one), DPDK's levels mapped to SLF4J's. Critical lines also reach
 * stderr at once: a panic may end the process before the next drain.
 */
public final class DpdkLog {
    public static final String THREAD_NAME = "dpdk-log";
    /* DPDK says little once running; its start-up and shutdown lines are drained synchronously. */
    private static final long DRAIN_INTERVAL_MILLIS = 1000;
    private static final Pattern TYPE = Pattern.compile("^([A-Z][A-Z0-9_]*): ");

    /* RTE_LOG_EMERG..RTE_LOG_DEBUG are 1..8. */
    private static final int RTE_LOG_ERR = 4;
    private static final int RTE_LOG_WARNING = 5;
    private static final int RTE_LOG_INFO = 7;

    private static Thread drainer;

    private DpdkLog() {
    }

    /** From now on DPDK logs into the shim's buffer, drained every second. Before rte_eal_init; idempotent. */
    public static synchronized void capture() {
        if (drainer != null) {
            return;
        }
        NativeErrors.check(nativeCapture(), "capture DPDK's log", (String) null);
        drainer = new Thread(DpdkLog::drainUntilInterrupted, THREAD_NAME);
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Logs what DPDK wrote since the last drain; the caller's lines then follow DPDK's in order. */
    public static synchronized void drain() {
        if (drainer == null) {
            return;
        }
        String lines = nativeDrain();
        int start = 0;
        while (start < lines.length()) {
            int end = lines.indexOf('\n', start);
            if (end < 0) {
                end = lines.length();
            }
            if (end > start + 1) {
                log(lines.charAt(start) - '0', lines.substring(start + 1, end));
            }
            start = end + 1;
        }
    }

    private static void drainUntilInterrupted() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(DRAIN_INTERVAL_MILLIS);
                drain();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void log(int dpdkLevel, String text) {
        Matcher type = TYPE.matcher(text);
        Logger logger = LoggerFactory.getLogger(type.find() ? "dpdk." + type.group(1).toLowerCase(Locale.ROOT) : "dpdk");
        logger.atLevel(level(dpdkLevel)).log(text);
    }

    public static Level level(int dpdkLevel) {
        if (dpdkLevel <= RTE_LOG_ERR) {
            return Level.ERROR;
        }
        if (dpdkLevel == RTE_LOG_WARNING) {
            return Level.WARN;
        }
        return dpdkLevel <= RTE_LOG_INFO ? Level.INFO : Level.DEBUG;
    }

    private static native int nativeCapture();

    private static native String nativeDrain();
}
