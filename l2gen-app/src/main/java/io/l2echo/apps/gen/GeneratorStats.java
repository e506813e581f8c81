package io.l2echo.apps.gen;

/**
 * The generator's counters at one instant, as its lcore last published them. {@code rxCorrupted}:
 * echoes (counted in {@code rxEchoes}) that differ from the frame sent in more than its MACs.
 */
public record GeneratorStats(
        long txPackets,
        long txFailed,
        long rxPackets,
        long rxEchoes,
        long rxDuplicates,
        long rxReordered,
        long rxForeign,
        boolean done,
        long sendNanos,
        long rxCorrupted) {
}
