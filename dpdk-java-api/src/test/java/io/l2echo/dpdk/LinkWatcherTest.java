package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The watch's rules, on links whose state the test sets. */
class LinkWatcherTest {
    private static final LinkStatus UP = new LinkStatus(true, 10_000, true, true);
    private static final LinkStatus DOWN = new LinkStatus(false, 0, false, false);

    private final AtomicReference<LinkStatus> port0 = new AtomicReference<>(UP);
    private final AtomicReference<LinkStatus> port3 = new AtomicReference<>(UP);
    private final List<LinkEvent> events = new ArrayList<>();

    private LinkWatcher watcher() {
        Map<Integer, Supplier<LinkStatus>> links = new LinkedHashMap<>();
        links.put(0, port0::get);
        links.put(3, port3::get);
        LinkWatcher watcher = new LinkWatcher(links, Duration.ofHours(1), () -> { });
        watcher.addListener(events::add);
        return watcher;
    }

    @Test
    void theFirstReadIsTheBaselineAndOnlyChangesAreEvents() {
        LinkWatcher watcher = watcher();
        watcher.poll(1);
        watcher.poll(2);
        assertEquals(List.of(), events);
        port3.set(DOWN);
        watcher.poll(3);
        watcher.poll(4);
        assertEquals(List.of(new LinkEvent(3, UP, DOWN, 3)), events);
        assertTrue(events.get(0).wentDown());
        assertFalse(events.get(0).cameUp());
    }

    @Test
    void aSpeedChangeIsAnEventToo() {
        LinkWatcher watcher = watcher();
        watcher.poll(1);
        port0.set(new LinkStatus(true, 1_000, true, true));
        watcher.poll(2);
        assertEquals(1, events.size());
        assertFalse(events.get(0).wentDown() || events.get(0).cameUp(), "up both times");
    }

    @Test
    void aFailingListenerNeitherStopsTheOthersNorTheWatch() {
        LinkWatcher watcher = watcher();
        List<LinkEvent> second = new ArrayList<>();
        watcher.addListener(event -> {
            throw new IllegalStateException("a listener's bug");
        });
        watcher.addListener(second::add);
        watcher.poll(1);
        port0.set(DOWN);
        watcher.poll(2);
        port0.set(UP);
        watcher.poll(3);
        assertEquals(2, events.size());
        assertEquals(events, second);
        assertTrue(second.get(1).cameUp());
    }

    @Test
    void theThreadWatchesAfterStartAndStopsAtClose() throws InterruptedException {
        Map<Integer, Supplier<LinkStatus>> links = Map.of(0, port0::get);
        BlockingQueue<String> seenOn = new LinkedBlockingQueue<>();
        LinkWatcher watcher = new LinkWatcher(links, Duration.ofMillis(5), () -> seenOn.add("setup"));
        watcher.addListener(event -> seenOn.add(Thread.currentThread().getName()));
        watcher.start();
        assertEquals("setup", seenOn.poll(5, TimeUnit.SECONDS), "the thread set itself up first");
        port0.set(DOWN);
        String thread = seenOn.poll(5, TimeUnit.SECONDS);
        assertNotNull(thread, "the change was seen");
        assertEquals(LinkWatcher.THREAD_NAME, thread);
        watcher.close();
        port0.set(UP);
        assertEquals(null, seenOn.poll(100, TimeUnit.MILLISECONDS), "no event after close");
    }
}
