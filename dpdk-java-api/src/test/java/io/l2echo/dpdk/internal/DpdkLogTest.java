package io.l2echo.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** DPDK's levels and log types, as SLF4J levels and logger names (seen here through slf4j-jdk14). */
class DpdkLogTest {
    @Test
    void dpdkLevelsMapToSlf4jLevels() {
        assertEquals(List.of(Level.ERROR, Level.ERROR, Level.ERROR, Level.ERROR, Level.WARN, Level.INFO, Level.INFO,
                Level.DEBUG), List.of(1, 2, 3, 4, 5, 6, 7, 8).stream().map(DpdkLog::level).toList());
    }

    @Test
    void eachLineGoesToTheLoggerOfItsLogType() {
        List<String> seen = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(record.getLoggerName() + " " + record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger dpdk = Logger.getLogger("dpdk");
        dpdk.addHandler(handler);
        try {
            DpdkLog.log(7, "EAL: Detected CPU lcores: 2");
            DpdkLog.log(5, "VHOST_CONFIG: (/tmp/vh.sock) vhost-user server: socket created");
            DpdkLog.log(4, "a line without a type");
        } finally {
            dpdk.removeHandler(handler);
        }
        assertEquals(List.of("dpdk.eal INFO EAL: Detected CPU lcores: 2",
                "dpdk.vhost_config WARNING VHOST_CONFIG: (/tmp/vh.sock) vhost-user server: socket created",
                "dpdk SEVERE a line without a type"), seen);
    }
}
