package io.l2echo.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.DpdkException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The main lcore's thread, without DPDK: calls come back, or fail by name when they hang. */
class MainLcoreThreadTest {

    @Test
    void aCallThatDoesNotReturnInTimeFailsNamingItselfAndTheThreadRunsOn() throws InterruptedException {
        MainLcoreThread main = new MainLcoreThread(Duration.ofMillis(200));
        CountDownLatch release = new CountDownLatch(1);
        try {
            DpdkException e = assertThrows(DpdkException.class, () -> main.run("start port 0", () -> {
                try {
                    release.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(e.getMessage().startsWith("start port 0 failed: it did not return within 0.2 s on thread "
                    + "dpdk-main-lcore, where it still runs"), e.getMessage());
            assertTrue(e.hint().orElseThrow().contains("jstack"), e.getMessage());

            // The next call waits behind the stuck one, and times out by its own name.
            DpdkException next = assertThrows(DpdkException.class, () -> main.call("create mbuf pool p", () -> 1));
            assertTrue(next.getMessage().startsWith("create mbuf pool p failed"), next.getMessage());

            release.countDown();
            assertEquals(42, main.call("read a value", () -> 42), "once it returns, calls run again");
        } finally {
            release.countDown();
            main.shutdown(1000);
        }
    }

    @Test
    void whatATaskThrowsComesBackUnwrapped() throws InterruptedException {
        MainLcoreThread main = new MainLcoreThread();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> main.call("configure", () -> {
                        throw new IllegalArgumentException("bad value");
                    }));
            assertEquals("bad value", e.getMessage());
        } finally {
            main.shutdown(1000);
        }
    }
}
