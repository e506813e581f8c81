package io.l2echo.dpdk;

/**
 * Which frames the native echo sends back, decided on their MAC addresses alone. Frames not
 * reflected are freed and counted by class ({@link QueueStats#rxGroupDst()},
 * {@link QueueStats#rxLinkLocal()}, {@link QueueStats#rxGroupSrc()}), never in
 * {@link QueueStats#rxPackets()}. Chosen once per loop, like the {@link SwapLevel}.
 */
public enum ReflectPolicy {
    /**
     * The safe default: only frames to a unicast destination go back. A frame to a group
     * (multicast or broadcast) address is not reflected, nor one to an IEEE 802.1 link-local
     * address (01:80:c2:00:00:00-0f: STP, PAUSE, LACP, LLDP), which would confuse the switch it
     * came from; a frame whose source is a group address, which no device may send, is dropped.
     */
    UNICAST,
    /**
     * As {@link #UNICAST}, but frames to a group address go back too, with the port's own MAC as
     * their source (never a group address), counted in {@link QueueStats#txOwnSource()}.
     * Link-local and group-source frames still do not.
     */
    GROUP,
    /**
     * Every frame goes back, swapped, whatever its addresses: what the echo did before the safe
     * default, and what testpmd does. A broadcast comes back from ff:ff:ff:ff:ff:ff; use it only
     * on a bed where nothing else listens.
     */
    EVERYTHING;

    /** The name options and telemetry use: {@code unicast}, {@code group}, {@code everything}. */
    public String optionName() {
        return OptionNames.of(this);
    }

    /** The policy an option names, case-insensitively; {@link IllegalArgumentException} listing the choices otherwise. */
    public static ReflectPolicy fromOption(String name) {
        return OptionNames.parse(ReflectPolicy.class, "reflect policy", name);
    }
}
