package io.l2echo.dpdk;

/**
 * How much of each reflected frame the native echo swaps. Every level parses through up to two
 * VLAN tags (802.1Q, 802.1ad, 0x9100) and stops at the first layer that is not there or not
 * whole in the frame, leaving it and what follows as received. Checksums stay valid: the IPv4,
 * UDP and TCP sums only see their words permuted, and SCTP's CRC32c is corrected in place.
 * Chosen once per loop: the loop is built for its level, with no per-packet branch on it.
 */
public enum SwapLevel {
    /** Destination and source MAC only: testpmd's {@code macswap}, the echo's default. */
    MAC,
    /**
     * MAC, then the IPv4 or IPv6 source and destination addresses; a frame to a group IP
     * address (IPv4 224.0.0.0 and above, IPv6 ff00::/8) keeps its IP addresses.
     */
    IP,
    /**
     * MAC, IP, then the UDP, TCP or SCTP source and destination ports (testpmd's {@code 5tswap},
     * plus SCTP), when the L4 header follows the IP header directly and is whole: IPv4 fragments
     * and IPv6 extension headers keep their ports.
     */
    PORTS;

    /** The name options and telemetry use: {@code mac}, {@code ip}, {@code ports}. */
    public String optionName() {
        return OptionNames.of(this);
    }

    /** The level an option names, case-insensitively; {@link IllegalArgumentException} listing the choices otherwise. */
    public static SwapLevel fromOption(String name) {
        return OptionNames.parse(SwapLevel.class, "swap level", name);
    }
}
