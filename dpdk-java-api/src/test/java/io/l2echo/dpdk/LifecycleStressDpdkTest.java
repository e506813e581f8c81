package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.metrics.EchoMBeans;
import io.l2echo.dpdk.metrics.EchoMeterBinder;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Readers on threads of their own against a close on another, as a JVM service meets them
 * (metrics scrapes, JMX, link listeners, a shutdown hook): every read either returns a figure or
 * fails with {@link IllegalStateException} because the handle is closed; none reaches DPDK after
 * the free (which would surface as a DPDK error, garbage, or a crash of the JVM). Its own EAL
 * and JVM (surefire forks one per class here); pools are made and freed many times in it, the
 * echo once.
 */
@Tag("dpdk")
class LifecycleStressDpdkTest {
    private static final int POOL_ROUNDS = 200;
    private static final int READERS = 3;

    @Test
    void poolsReadWhileTheyAreFreedAndAnEchoReadWhileItCloses() throws Exception {
        EalOptions options = EalOptions.builder().lcores(0, 1).vdev("net_null0").memoryMb(256)
                .filePrefix("l2e-stress-" + ProcessHandle.current().pid())
                .arg("--no-huge", "--log-level=lib.eal:warning").build();
        EchoService service = EchoService.start(EchoConfig.builder().eal(options).burstSize(32)
                .port(PortConfig.builder().portName("net_null0").build())
                .linkPollInterval(Duration.ofMillis(5)).build());
        try {
            Map<String, Long> outcomes = new ConcurrentHashMap<>();
            for (int round = 0; round < POOL_ROUNDS; round++) {
                Mempool pool = service.eal().createMempool("stress_" + round, 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE,
                        0);
                hammer(outcomes, () -> {
                    int inUse = pool.inUse();
                    int available = pool.available();
                    assertTrue(inUse >= 0 && inUse <= 1023 && available >= 0 && available <= 1023,
                            inUse + " in use, " + available + " free of a pool of 1023");
                }, pool::close);
            }
            assertTrue(outcomes.getOrDefault("closed", 0L) > 0 && outcomes.getOrDefault("read", 0L) > 0,
                    "the readers met the pools both open and closed: " + outcomes);

            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new EchoMeterBinder(service).bindTo(registry);
            ObjectName portBean = new ObjectName("io.l2echo:type=Port,port=0");
            Map<String, Long> echoOutcomes = new ConcurrentHashMap<>();
            try (EchoMBeans beans = EchoMBeans.register(service)) {
                Port port = service.ports().get(0);
                Mempool pool = service.pools().get(0);
                hammer(echoOutcomes, () -> {
                    EchoStats stats = service.stats();
                    assertEquals(1, stats.ports().size());
                    port.link();
                    port.stats();
                    port.extendedStats();
                    pool.inUse();
                    server.getAttribute(portBean, "RxPackets");
                    server.getAttribute(portBean, "MbufsInUse");
                    for (Meter meter : registry.getMeters()) {
                        meter.measure().forEach(measurement -> measurement.getValue());
                    }
                }, service::close);
            }
            assertTrue(echoOutcomes.getOrDefault("read", 0L) > 0, "the readers read the running echo: " + echoOutcomes);
            assertTrue(service.eal().isClosed());
        } finally {
            service.close(); // idempotent: what a failed round left open goes too
        }
    }

    /* Readers loop over `read` until `close` ran on the test's thread and they saw it; any other failure is kept. */
    private static void hammer(Map<String, Long> outcomes, ThrowingRunnable read, Runnable close) throws Exception {
        CountDownLatch started = new CountDownLatch(READERS);
        List<Throwable> failures = new ArrayList<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            Thread reader = new Thread(() -> {
                started.countDown();
                while (true) {
                    try {
                        read.run();
                        reads.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        if (closed.getMessage() == null || !closed.getMessage().contains(" is closed")) {
                            synchronized (failures) {
                                failures.add(closed);
                            }
                        }
                        outcomes.merge("closed", 1L, Long::sum);
                        return;
                    } catch (Throwable t) {
                        if (isClosedHandle(t)) {
                            outcomes.merge("closed", 1L, Long::sum);
                            return;
                        }
                        synchronized (failures) {
                            failures.add(t);
                        }
                        return;
                    }
                }
            }, "stress-reader-" + i);
            readers.add(reader);
            reader.start();
        }
        started.await();
        while (reads.get() < READERS) {
            Thread.onSpinWait(); // close while they read, not before
        }
        close.run();
        for (Thread reader : readers) {
            reader.join(10_000);
            assertFalse(reader.isAlive(), reader.getName() + " still reads after the close");
        }
        outcomes.merge("read", reads.get(), Long::sum);
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("a read failed otherwise than on a closed handle");
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    /* JMX wraps what the MBean threw; Micrometer's functions see the closed handle inside. */
    private static boolean isClosedHandle(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalStateException && cause.getMessage() != null
                    && cause.getMessage().contains(" is closed")) {
                return true;
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
