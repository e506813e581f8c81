package io.l2echo.testkit;

/** RFC 1071 ones' complement sums, for the IPv4 header, UDP and ICMP checksums of test frames. */
public final class Checksums {

    private Checksums() {
    }

    /**
     * Adds {@code length} bytes as big-endian 16-bit words (an odd last byte padded with zero)
     * to {@code initial}. The result is unfolded: an int holds the carries of any frame up to
     * 64 KiB, so {@link #fold} runs once at the end.
     */
    public static int sum(byte[] data, int offset, int length, int initial) {
        int sum = initial;
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (data[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds the carries back in: the 16-bit ones' complement sum. */
    public static int fold(int sum) {
        int folded = sum;
        while ((folded >>> 16) != 0) {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return folded;
    }
}
