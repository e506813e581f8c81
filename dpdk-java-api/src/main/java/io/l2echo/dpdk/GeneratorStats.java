package io.l2echo.dpdk;

/** The generator's counters at one instant, as its lcore last published them. */
public record GeneratorStats(
        long txPackets,
        long txFailed,
        long rxPackets,
        long rxEchoes,
        long rxDuplicates,
        long rxReordered,
        long rxForeign,
        boolean done,
        long sendNanos) {
}
