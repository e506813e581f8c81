package io.l2echo.dpdk;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every port's link from a control-plane thread of its own and tells the listeners what
 * changed. Polled rather than taken from DPDK's link-state interrupt: that callback runs on EAL's
 * interrupt thread, which would have to attach to the JVM, and not every driver raises it
 * (net_af_packet's link is the kernel interface's operstate). A read every interval costs the
 * data path nothing.
 */
final class LinkWatcher implements AutoCloseable {
    static final String THREAD_NAME = "dpdk-link-watch";
    private static final Logger LOG = LoggerFactory.getLogger(LinkWatcher.class);

    private final Map<Integer, Supplier<LinkStatus>> links;
    private final long intervalMillis;
    private final Runnable threadSetup;
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Integer, LinkStatus> lastSeen = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param links       each port's link reader, by port id, in the order events are checked
     * @param threadSetup runs first on the watcher's thread (to pin it off the polling CPUs)
     */
    LinkWatcher(Map<Integer, Supplier<LinkStatus>> links, Duration interval, Runnable threadSetup) {
        this.links = new LinkedHashMap<>(links);
        this.intervalMillis = Math.max(1, interval.toMillis());
        this.threadSetup = threadSetup;
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
    }

    void addListener(LinkListener listener) {
        listeners.add(listener);
    }

    /** Takes every port's link as the baseline, on the caller's thread, then watches from its own. */
    synchronized void start() {
        poll(System.nanoTime());
        thread.start();
    }

    private void run() {
        threadSetup.run();
        while (running) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (running) {
                try {
                    poll(System.nanoTime());
                } catch (IllegalStateException portClosed) {
                    return;
                }
            }
        }
    }

    /** One round: reads each link and reports those that differ from the last read. */
    synchronized void poll(long nanoTime) {
        for (Map.Entry<Integer, Supplier<LinkStatus>> port : links.entrySet()) {
            LinkStatus current = port.getValue().get();
            LinkStatus previous = lastSeen.put(port.getKey(), current);
            if (previous != null && !previous.equals(current)) {
                report(new LinkEvent(port.getKey(), previous, current, nanoTime));
            }
        }
    }

    private void report(LinkEvent event) {
        if (event.current().up()) {
            LOG.info("port {}: link {}", event.portId(), event.current());
        } else {
            LOG.warn("port {}: link down: frames sent to it are lost until it comes back", event.portId());
        }
        for (LinkListener listener : listeners) {
            try {
                listener.linkChanged(event);
            } catch (RuntimeException e) {
                LOG.warn("link listener {} failed on {}", listener, event, e);
            }
        }
    }

    /** Stops the thread and waits for it, so no event arrives after. Idempotent. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(intervalMillis + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
