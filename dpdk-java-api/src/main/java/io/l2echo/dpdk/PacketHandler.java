package io.l2echo.dpdk;

/**
 * Java packet logic run by a {@link PacketLoop}, once per non-empty burst, on the loop's
 * thread. It reads the {@code received} frames in slots {@code 0..received-1} of the burst,
 * rewrites them in place or writes new frames (setting their lengths), and returns how many
 * slots, from 0, to transmit. It should not block: the queue is not polled meanwhile, and
 * frames the port receives then wait in its Rx ring or are lost.
 *
 * <p>Anything it throws stops the loop; {@link PacketLoop#close()} throws it.
 */
@FunctionalInterface
public interface PacketHandler {
    /**
     * @param burst    the queue's slots; valid until this method returns
     * @param received frames received into slots {@code 0..received-1}, at least 1
     * @return frames to send from slots {@code 0..n-1}, 0 for none; more than the burst holds,
     *     or a negative count, fails the transmit and stops the loop
     */
    int onBurst(PacketBurst burst, int received) throws Exception;
}
