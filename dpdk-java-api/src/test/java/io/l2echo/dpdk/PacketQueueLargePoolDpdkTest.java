package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pool larger than a ByteBuffer can usefully address at int offsets: its memory is cut into
 * overlapping views of about 1 GiB, and a frame in the second view must read and write as well
 * as one in the first. Its own EAL and JVM (surefire forks one per class here), a
 * {@link NetRingFixture} with 2 GB of ordinary memory ({@code --no-huge}): the pool's ring hands
 * mbufs out in address order, so cycling bursts through the whole pool reaches every one.
 */
@Tag("dpdk")
class PacketQueueLargePoolDpdkTest {
    private static final int MBUFS = 480_000; // about 2.4 KB each with their headers: over 1.1 GB
    private static final int BURST = 256;

    @RegisterExtension
    static final NetRingFixture RING = NetRingFixture.named("pql").lcores("0").memoryMb(2048).pool(MBUFS, 0);

    @Test
    void framesBeyondTheFirstGibibyteOfThePoolAreReadAndWrittenInPlace() {
        Mempool pool = RING.pool();
        PacketQueue queue = RING.eal().openPacketQueue(new QueueRef(0, 0), pool, BURST, 0);
        PacketBurst burst = queue.burst();
        assertTrue(burst.viewCount() >= 2, burst.viewCount() + " views of a pool of over 1.1 GB");
        long framesPastTheFirstView = 0;
        byte[] frame = new byte[64];
        for (int round = 0; round <= MBUFS / BURST; round++) {
            assertEquals(0, burst.allocate(BURST));
            for (int i = 0; i < BURST; i++) {
                fill(frame, round, i);
                burst.put(i, frame);
                burst.send(i);
            }
            assertEquals(BURST, queue.transmit());
            assertEquals(BURST, queue.receive());
            for (int i = 0; i < BURST; i++) {
                fill(frame, round, i);
                assertArrayEquals(frame, burst.copy(i), "round " + round + " frame " + i + ", view "
                        + burst.viewOf(i));
                if (burst.viewOf(i) > 0) {
                    framesPastTheFirstView++;
                }
            }
            queue.transmit(); // all dropped: back to the ring's tail
        }
        assertTrue(framesPastTheFirstView > 0, "no frame came from past the first view");
        queue.close();
        assertEquals(0, pool.inUse());
    }

    private static void fill(byte[] frame, int round, int slot) {
        for (int b = 0; b < frame.length; b++) {
            frame[b] = (byte) (round * 31 + slot * 7 + b);
        }
    }
}
