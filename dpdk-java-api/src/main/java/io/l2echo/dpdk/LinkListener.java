package io.l2echo.dpdk;

/**
 * Told of every link change of the echo's ports, on the service's control-plane thread
 * ({@code dpdk-link-watch}), never on a polling lcore. A listener that blocks delays the events
 * after it; one that throws is logged and keeps receiving events.
 */
@FunctionalInterface
public interface LinkListener {
    /** Called once per change, in the order the changes were seen. */
    void linkChanged(LinkEvent event);
}
