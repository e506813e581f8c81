package io.l2echo.bench;

import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.EchoStats;
import io.l2echo.dpdk.cli.EchoCommandLine;
import io.l2echo.dpdk.cli.ShutdownSignal;
import io.l2echo.dpdk.cli.StatsReporter;
import io.l2echo.dpdk.cli.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JVM service that embeds the echo and churns garbage beside it: threads on the control-plane
 * CPUs allocate and drop short- and medium-lived objects as fast as they can, so the collector
 * runs all the time. The benchmark compares its latency with the quiet l2echo's: the data path
 * lives on an EAL lcore that never enters the JVM, so safepoints and GC pauses cannot stop it.
 * Arguments as l2echo's: [EAL options] -- [l2echo options].
 */
public final class EchoUnderGarbage {
    private static final int ALLOCATING_THREADS = 2;

    private EchoUnderGarbage() {
    }

    public static void main(String[] args) throws InterruptedException {
        EchoCommandLine commandLine;
        try {
            commandLine = EchoCommandLine.parse(args, false);
        } catch (UsageException e) {
            System.err.println("echo-under-garbage: " + e.getMessage());
            System.exit(2);
            return;
        }
        ShutdownSignal shutdown = ShutdownSignal.register(System.out);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong allocatedBytes = new AtomicLong();
        try (EchoService service = EchoService.start(commandLine.config())) {
            List<Thread> churners = new ArrayList<>();
            for (int i = 0; i < ALLOCATING_THREADS; i++) {
                Thread churner = new Thread(() -> churn(service, running, allocatedBytes), "garbage-" + i);
                churner.setDaemon(true);
                churner.start();
                churners.add(churner);
            }
            EchoStats first = service.stats();
            System.out.println("echo-under-garbage: echoing; " + ALLOCATING_THREADS + " threads allocating");
            shutdown.await(commandLine.durationSeconds() * 1000);
            running.set(false);
            for (Thread churner : churners) {
                churner.join(1000);
            }
            service.stopWorkers();
            EchoStats last = service.stats();
            System.out.print(StatsReporter.formatTotals(first, last));
            System.out.printf("echo-under-garbage: %,d JNI calls into the shim in the whole run, for %,d frames "
                    + "echoed%n", service.eal().jniCalls(), last.txPackets());
            System.out.printf("echo-under-garbage: allocated %,d MB%n", allocatedBytes.get() >> 20);
        }
    }

    /* Keeps a sliding window of live objects so some survive young collections: old-gen work too. */
    private static void churn(EchoService service, AtomicBoolean running, AtomicLong allocatedBytes) {
        service.eal().pinToControlPlane();
        Object[] window = new Object[4096];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long bytes = 0;
        while (running.get()) {
            int size = 64 + random.nextInt(16 * 1024);
            window[random.nextInt(window.length)] = new byte[size];
            bytes += size;
            if ((bytes & 0xFFFFF) < size) {
                allocatedBytes.addAndGet(bytes);
                bytes = 0;
            }
        }
    }
}
