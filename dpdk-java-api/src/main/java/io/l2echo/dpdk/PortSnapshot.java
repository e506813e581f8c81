package io.l2echo.dpdk;

/**
 * One port of the echo at one instant: its driver's counters, its link, and how many mbufs of
 * its pool are out (in descriptor rings, lcore caches or in flight).
 */
public record PortSnapshot(int portId, PortStats counters, LinkStatus link, int mbufsInUse) {
}
