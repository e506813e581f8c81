package io.l2echo.dpdk;

/**
 * A port's link changed: it went down, came back, or renegotiated its speed or duplex.
 *
 * @param portId   the port
 * @param previous the link as last seen before the change
 * @param current  the link now
 * @param nanoTime {@link System#nanoTime()} when the change was seen
 */
public record LinkEvent(int portId, LinkStatus previous, LinkStatus current, long nanoTime) {

    /** Whether the link went from up to down. */
    public boolean wentDown() {
        return previous.up() && !current.up();
    }

    /** Whether the link went from down to up. */
    public boolean cameUp() {
        return !previous.up() && current.up();
    }

    @Override
    public String toString() {
        return "port " + portId + " link " + current + " (was " + previous + ")";
    }
}
