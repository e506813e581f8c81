package io.l2echo.dpdk;

/**
 * Java packet logic run by a {@link PacketLoop}, once per non-empty burst, on the loop's
 * thread. The burst's frames are the received mbufs themselves ({@link PacketBurst}): read and
 * rewrite them in place, give each a verdict ({@link PacketBurst#send}, or leave it dropped),
 * change a length within the frame's room, add frames with {@link PacketBurst#allocate}. When it
 * returns, the loop transmits: the sent frames go out, the rest are freed, and the burst is no
 * longer the handler's: keep no reference to its frames, copy what must outlive it. It should
 * not block: the queue is not polled meanwhile, and frames the port receives then wait in its
 * Rx ring or are lost.
 *
 * <p>Anything it throws stops the loop, after the burst is freed unsent;
 * {@link PacketLoop#close()} throws it.
 */
@FunctionalInterface
public interface PacketHandler {
    /**
     * Decides the fate of every frame of the burst.
     *
     * @param burst the queue's burst, {@link PacketBurst#size()} frames (at least 1), every one
     *     dropped unless sent; the handler's until it returns
     */
    void onBurst(PacketBurst burst) throws Exception;
}
