package io.l2echo.testkit;

/**
 * An Ethernet MAC address held in the low 48 bits of a {@code long}, so that equality,
 * hashing and map keys work as for any value (a {@code byte[]} would compare by identity).
 *
 * @param value the address, most significant byte first: {@code 02:00:00:00:00:01} is {@code 0x020000000001L}
 */
public record MacAddress(long value) {

    public static final int LENGTH = 6;

    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    public MacAddress {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits, got 0x" + Long.toHexString(value));
        }
    }

    /** Parses the colon form {@code 02:00:5e:10:00:01} as Linux prints it; dashes are accepted too. */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]", -1);
        if (parts.length != LENGTH) {
            throw new IllegalArgumentException("not a MAC address (six hex bytes separated by ':'): '" + text + "'");
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2) {
                throw new IllegalArgumentException("not a MAC address (six hex bytes separated by ':'): '" + text + "'");
            }
            try {
                value = (value << 8) | Integer.parseInt(part, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address (six hex bytes separated by ':'): '" + text + "'", e);
            }
        }
        return new MacAddress(value);
    }

    /** Reads six bytes at {@code offset}, e.g. a frame's destination (0) or source (6) address. */
    public static MacAddress of(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < LENGTH; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return new MacAddress(value);
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        return of(bytes, 0);
    }

    public byte[] toBytes() {
        byte[] bytes = new byte[LENGTH];
        writeTo(bytes, 0);
        return bytes;
    }

    public void writeTo(byte[] target, int offset) {
        for (int i = 0; i < LENGTH; i++) {
            target[offset + i] = (byte) (value >>> (8 * (LENGTH - 1 - i)));
        }
    }

    /** Group bit: set for multicast and broadcast; such an address must never be a source. */
    public boolean isMulticast() {
        return (value & 0x0100_0000_0000L) != 0;
    }

    /** Lower-case colon form, as {@code /sys/class/net/IF/address} and {@code ip link} print it. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (int i = LENGTH - 1; i >= 0; i--) {
            int b = (int) (value >>> (8 * i)) & 0xFF;
            text.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            if (i > 0) {
                text.append(':');
            }
        }
        return text.toString();
    }
}
