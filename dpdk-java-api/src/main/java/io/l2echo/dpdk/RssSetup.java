package io.l2echo.dpdk;

import java.util.List;
import java.util.function.LongFunction;

/**
 * How a port spreads received frames over its queues: the hash types asked for, those the
 * device applies (the request masked by {@code flow_type_rss_offloads}), those it lacks, and
 * whether the key makes the hash symmetric. The redirection table stays the device's default.
 */
public record RssSetup(List<String> requested, long appliedBits, List<String> applied, List<String> unsupported,
        boolean symmetric) {

    /** No RSS: one Rx queue, or nothing asked for. */
    public static final RssSetup NONE = new RssSetup(List.of(), 0, List.of(), List.of(), false);

    /**
     * Masks the request to what the device offers.
     *
     * @param namer turns hash-type bits into DPDK's names (the shim's table)
     */
    static RssSetup mask(List<String> requested, long requestedBits, long deviceBits, boolean symmetric,
            LongFunction<List<String>> namer) {
        long applied = requestedBits & deviceBits;
        long unsupported = requestedBits & ~deviceBits;
        return new RssSetup(List.copyOf(requested), applied, namer.apply(applied), namer.apply(unsupported),
                symmetric && applied != 0);
    }

    /** Whether RSS is on: the device hashes on at least one of the requested types. */
    public boolean enabled() {
        return appliedBits != 0;
    }

    /**
     * The Toeplitz key 0x6d5a repeated: with it the hash of (src, dst) equals that of
     * (dst, src), so both directions of a flow land on one queue.
     */
    static byte[] symmetricKey(int length) {
        byte[] key = new byte[length];
        for (int i = 0; i < length; i++) {
            key[i] = (byte) (i % 2 == 0 ? 0x6d : 0x5a);
        }
        return key;
    }

    /** One line for a start-up banner. */
    public String summary() {
        if (!enabled()) {
            return requested.isEmpty() ? "off" : "off: the device hashes none of " + requested;
        }
        return String.join(",", applied) + (symmetric ? " (symmetric key)" : "")
                + (unsupported.isEmpty() ? "" : "; the device lacks " + String.join(",", unsupported));
    }
}
