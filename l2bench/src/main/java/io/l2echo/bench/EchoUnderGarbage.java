package io.l2echo.bench;

import io.l2echo.dpdk.EchoService;
import io.l2echo.cli.EchoApp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * l2echo in a JVM that churns garbage beside it: threads on the control-plane CPUs allocate
 * and drop short- and medium-lived objects as fast as they can, so the collector runs all the
 * time. The benchmark compares its latency with the quiet l2echo's: the data path lives on an
 * EAL lcore that never enters the JVM, so safepoints and GC pauses cannot stop it. Arguments
 * and output as l2echo's.
 */
public final class EchoUnderGarbage {
    private static final int ALLOCATING_THREADS = 2;

    private EchoUnderGarbage() {
    }

    public static void main(String[] args) {
        EchoApp app = new EchoApp("echo-under-garbage", "l2echo, with " + ALLOCATING_THREADS
                + " threads of the same JVM allocating flat out beside it.", false, System.out, System.err);
        System.exit(app.alongside(EchoUnderGarbage::allocate).run(args));
    }

    private static AutoCloseable allocate(EchoService service) {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong allocatedBytes = new AtomicLong();
        List<Thread> churners = new ArrayList<>();
        for (int i = 0; i < ALLOCATING_THREADS; i++) {
            Thread churner = new Thread(() -> churn(service, running, allocatedBytes), "garbage-" + i);
            churner.setDaemon(true);
            churner.start();
            churners.add(churner);
        }
        return () -> {
            running.set(false);
            for (Thread churner : churners) {
                churner.join(1000);
            }
            System.out.printf("echo-under-garbage: allocated %,d MB%n", allocatedBytes.get() >> 20);
        };
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
