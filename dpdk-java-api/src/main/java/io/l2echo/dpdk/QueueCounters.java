package io.l2echo.dpdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Java's view of one queue's counter record, written by the thread that polls the queue (an echo
 * loop's lcore, or the Java thread of a {@link PacketQueue}) and read here with acquire loads
 * while it runs: no JNI call, no lock on the poller's side. The layout
 * is dpdkj_counters.h's; {@link #verifyLayout} checks it against the shim at load time.
 *
 * <pre>
 *   0 rx_packets   8 rx_bytes    16 tx_packets   24 tx_bytes
 *  32 tx_dropped  40 rx_bursts   48 empty_polls  56 tx_retries   64 rx_runts   72 busy_cycles
 *  80 rx_group_dst   88 rx_link_local   96 rx_group_src   104 tx_own_source   112..127 padding
 * </pre>
 *
 * The last four are the echo's reflect policy's ({@link ReflectPolicy}); a packet queue leaves them zero.
 */
public final class QueueCounters {
    static final int RECORD_SIZE = 128;
    static final int RX_PACKETS_OFFSET = 0;
    static final int RX_BYTES_OFFSET = 8;
    static final int TX_PACKETS_OFFSET = 16;
    static final int TX_BYTES_OFFSET = 24;
    static final int TX_DROPPED_OFFSET = 32;
    static final int RX_BURSTS_OFFSET = 40;
    static final int EMPTY_POLLS_OFFSET = 48;
    static final int TX_RETRIES_OFFSET = 56;
    static final int RX_RUNTS_OFFSET = 64;
    static final int BUSY_CYCLES_OFFSET = 72;
    static final int RX_GROUP_DST_OFFSET = 80;
    static final int RX_LINK_LOCAL_OFFSET = 88;
    static final int RX_GROUP_SRC_OFFSET = 96;
    static final int TX_OWN_SOURCE_OFFSET = 104;
    /** The shim's largest burst (DPDKJ MAX_BURST), also checked at load time. */
    public static final int MAX_BURST_SIZE = 512;

    private static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /* What keeps the record's native memory alive and knows which lcore writes it. */
    interface Owner {
        /** The lcore polling the queue; -1 while no thread with an lcore id polls it. */
        int lcore();

        /** {@link QueueCounters#readAcquire} while the record lives, the final figures after. */
        QueueStats snapshot(QueueCounters view);
    }

    private final Owner owner;
    private final ByteBuffer records;
    private final int base;
    private final QueueRef queue;

    QueueCounters(Owner owner, ByteBuffer records, int index, QueueRef queue) {
        this.owner = owner;
        this.records = records;
        this.base = index * RECORD_SIZE;
        this.queue = queue;
    }

    /** The queue these counters count. */
    public QueueRef queue() {
        return queue;
    }

    /** The lcore whose loop writes these counters. */
    public int lcore() {
        return owner.lcore();
    }

    /**
     * The counters now, each read with acquire semantics. While the loop runs, two fields may
     * come from different bursts (each is exact, the set is not atomic); after the worker or
     * packet queue is closed this is the final snapshot taken when it stopped, which is consistent.
     */
    public QueueStats snapshot() {
        return owner.snapshot(this);
    }

    /* Called by the owner under its lock, while the native record is still allocated. */
    QueueStats readAcquire() {
        return new QueueStats(owner.lcore(), queue, get(RX_PACKETS_OFFSET), get(RX_BYTES_OFFSET),
                get(TX_PACKETS_OFFSET), get(TX_BYTES_OFFSET), get(TX_DROPPED_OFFSET), get(RX_BURSTS_OFFSET),
                get(EMPTY_POLLS_OFFSET), get(TX_RETRIES_OFFSET), get(RX_RUNTS_OFFSET),
                get(BUSY_CYCLES_OFFSET), get(RX_GROUP_DST_OFFSET), get(RX_LINK_LOCAL_OFFSET),
                get(RX_GROUP_SRC_OFFSET), get(TX_OWN_SOURCE_OFFSET));
    }

    private long get(int offset) {
        return (long) LONGS.getAcquire(records, base + offset);
    }

    /** Fails loudly if this class and the shim disagree on where a counter lives. */
    static void verifyLayout(int[] nativeLayout) {
        int[] expected = {RECORD_SIZE, RX_PACKETS_OFFSET, RX_BYTES_OFFSET, TX_PACKETS_OFFSET, TX_BYTES_OFFSET,
            TX_DROPPED_OFFSET, RX_BURSTS_OFFSET, EMPTY_POLLS_OFFSET, TX_RETRIES_OFFSET, RX_RUNTS_OFFSET, BUSY_CYCLES_OFFSET,
            RX_GROUP_DST_OFFSET, RX_LINK_LOCAL_OFFSET, RX_GROUP_SRC_OFFSET, TX_OWN_SOURCE_OFFSET, MAX_BURST_SIZE};
        if (!Arrays.equals(expected, nativeLayout)) {
            throw new IllegalStateException("the shim's counter layout " + Arrays.toString(nativeLayout)
                    + " differs from QueueCounters' " + Arrays.toString(expected)
                    + ": the jar and libdpdkj.so come from different builds");
        }
    }
}
