package io.l2echo.dpdk;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The frames of a {@link PacketQueue}'s current burst, read and written where DMA put them: no
 * copy. One instance per queue, made when the queue opens (a flyweight: no object per frame or
 * per burst); frames are addressed by slot, {@code 0..size()-1}, and bytes by their index in
 * the frame, in network order.
 *
 * <p>Ownership. Between {@link PacketQueue#receive()} (or {@link #allocate(int)}) and
 * {@link PacketQueue#transmit()} the burst's mbufs belong to the queue and the polling thread
 * may read and rewrite them; each frame gets a verdict: {@link #send(int)} it, at its
 * {@link #length(int)} (change it with {@link #setLength(int, int)}, up to its
 * {@link #room(int)}), or {@link #drop(int)} it (the default). Transmit hands the sent frames
 * to the Tx queue, frees the others, and ends the burst: from then on no slot is yours, and
 * what you need later must be copied out ({@link #copy(int)}, {@link #getBytes}) before.
 *
 * <p>Checked mode. With {@code -Dio.l2echo.dpdk.checkedBursts=true} every accessor first checks
 * that a burst is held, that it runs on the polling thread, that the slot exists and that the
 * bytes lie within the frame's room, and throws an exception naming the mistake; off (the
 * default) they cost nothing, and a write past a frame's room lands in the next mbuf of the
 * pool. Use it in tests. {@link #setLength(int, int)} is always checked, and transmit checks
 * every sent length again natively.
 *
 * <p>Not thread-safe: only the queue's polling thread touches it.
 */
public final class PacketBurst {
    /** The system property that turns checked mode on, read once when this class loads. */
    public static final String CHECKED_PROPERTY = "io.l2echo.dpdk.checkedBursts";
    private static final boolean CHECKED = Boolean.getBoolean(CHECKED_PROPERTY);
    /* dpdkj_burst.cpp's frame_record: {view, offset, length, room}, int32 each, native order. */
    static final int RECORD_BYTES = 16;
    private static final int VIEW = 0;
    private static final int OFFSET = 4;
    private static final int LENGTH = 8;
    private static final int ROOM = 12;
    private static final byte SEND = 1;
    private static final byte DROP = 0;
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final PacketQueue queue;
    private final ByteBuffer[] views;
    private final ByteBuffer records;
    private final int capacity;
    private final int verdicts;
    /* Frames held: received, then allocated. Zero when no burst is held. */
    private int size;
    private int received;
    private boolean held;

    PacketBurst(PacketQueue queue, ByteBuffer[] views, ByteBuffer records, int capacity) {
        this.queue = queue;
        this.views = views;
        this.records = records;
        this.capacity = capacity;
        this.verdicts = capacity * RECORD_BYTES;
    }

    /** Whether checked mode is on in this JVM ({@value #CHECKED_PROPERTY}). */
    public static boolean checked() {
        return CHECKED;
    }

    /** How many frames one burst holds at most, received and allocated together. */
    public int capacity() {
        return capacity;
    }

    /** Frames in the burst now, slots {@code 0..size()-1}; 0 when none is held. */
    public int size() {
        return size;
    }

    /** How many of them were received (slots {@code 0..received()-1}); the rest were allocated. */
    public int received() {
        return received;
    }

    /** Whether a burst is held: between a receive that returned frames (or an allocate) and transmit. */
    public boolean isHeld() {
        return held;
    }

    /** The frame's length in bytes: as received, 0 when allocated, or as set. */
    public int length(int slot) {
        return records.getInt(record(slot) + LENGTH);
    }

    /** The most bytes the frame can have: its mbuf's buffer after the data offset. */
    public int room(int slot) {
        return records.getInt(record(slot) + ROOM);
    }

    /**
     * Sets how many bytes of the frame transmit sends. Checked in every mode: a length beyond
     * the mbuf's room would send bytes that are not the frame's.
     *
     * @throws IllegalArgumentException if {@code length} is negative or beyond {@link #room(int)}
     */
    public void setLength(int slot, int length) {
        int at = record(slot);
        int room = records.getInt(at + ROOM);
        if (length < 0 || length > room) {
            throw new IllegalArgumentException("length " + length + " for frame " + slot + " is beyond its mbuf's room"
                    + " of " + room + " bytes: a frame grows only within its own buffer");
        }
        records.putInt(at + LENGTH, length);
    }

    /** Sends the frame at transmit, at its {@link #length(int)} (14 bytes at least). */
    public void send(int slot) {
        records.put(verdicts + verdictSlot(slot), SEND);
    }

    /** Frees the frame at transmit instead of sending it: every frame's verdict until {@link #send}. */
    public void drop(int slot) {
        records.put(verdicts + verdictSlot(slot), DROP);
    }

    /** Whether the frame will be sent at transmit. */
    public boolean isSent(int slot) {
        return records.get(verdicts + verdictSlot(slot)) == SEND;
    }

    /**
     * Adds {@code count} new frames from the queue's pool, at slots {@code size()..size()+count-1},
     * each of length 0 and verdict drop: write them, {@link #setLength} and {@link #send}. One
     * JNI call: ask for all a burst needs at once. Works without a received burst too (a sender).
     *
     * @return the first new slot, or -1 when the pool has not {@code count} mbufs free (none taken)
     * @throws DpdkException (EINVAL) if the burst has no room for {@code count} more
     */
    public int allocate(int count) {
        int first = queue.allocate(count);
        if (first >= 0) {
            size = first + count;
            held = true;
        }
        return first;
    }

    /** One byte of the frame. */
    public byte getByte(int slot, int index) {
        int at = record(slot, index, 1);
        return view(at).get(records.getInt(at + OFFSET) + index);
    }

    /** Writes one byte of the frame. */
    public void putByte(int slot, int index, byte value) {
        int at = record(slot, index, 1);
        view(at).put(records.getInt(at + OFFSET) + index, value);
    }

    /** Two bytes of the frame, big-endian. */
    public short getShort(int slot, int index) {
        int at = record(slot, index, 2);
        return view(at).getShort(records.getInt(at + OFFSET) + index);
    }

    /** Writes two bytes of the frame, big-endian. */
    public void putShort(int slot, int index, short value) {
        int at = record(slot, index, 2);
        view(at).putShort(records.getInt(at + OFFSET) + index, value);
    }

    /** Four bytes of the frame, big-endian. */
    public int getInt(int slot, int index) {
        int at = record(slot, index, 4);
        return view(at).getInt(records.getInt(at + OFFSET) + index);
    }

    /** Writes four bytes of the frame, big-endian. */
    public void putInt(int slot, int index, int value) {
        int at = record(slot, index, 4);
        view(at).putInt(records.getInt(at + OFFSET) + index, value);
    }

    /** Eight bytes of the frame, big-endian. */
    public long getLong(int slot, int index) {
        int at = record(slot, index, 8);
        return view(at).getLong(records.getInt(at + OFFSET) + index);
    }

    /** Writes eight bytes of the frame, big-endian. */
    public void putLong(int slot, int index, long value) {
        int at = record(slot, index, 8);
        view(at).putLong(records.getInt(at + OFFSET) + index, value);
    }

    /** Copies {@code length} bytes of the frame from {@code index} into {@code destination}. */
    public void getBytes(int slot, int index, byte[] destination, int offset, int length) {
        int at = record(slot, index, length);
        view(at).get(records.getInt(at + OFFSET) + index, destination, offset, length);
    }

    /** Writes {@code length} bytes of {@code source} into the frame from {@code index}; the length is not changed. */
    public void putBytes(int slot, int index, byte[] source, int offset, int length) {
        int at = record(slot, index, length);
        view(at).put(records.getInt(at + OFFSET) + index, source, offset, length);
    }

    /** Writes {@code frame} at the start of the frame and sets its length: for allocated frames. */
    public void put(int slot, byte[] frame) {
        setLength(slot, frame.length); // checks the room first
        putBytes(slot, 0, frame, 0, frame.length);
    }

    /** A copy of the frame's {@link #length(int)} bytes, to keep beyond the burst; allocates. */
    public byte[] copy(int slot) {
        byte[] frame = new byte[length(slot)];
        getBytes(slot, 0, frame, 0, frame.length);
        return frame;
    }

    /**
     * Swaps the frame's destination and source MAC addresses in place: the echo's rewrite, in
     * Java. Two loads and two stores for the twelve bytes, where six-byte halves would take eight.
     */
    public void swapMacs(int slot) {
        int at = record(slot, 0, 12);
        ByteBuffer view = view(at);
        int offset = records.getInt(at + OFFSET);
        long first = view.getLong(offset);     // destination (6 bytes), then the source's first 2
        int last = view.getInt(offset + 8);    // the source's last 4
        view.putLong(offset, (first & 0xffffL) << 48 | (last & 0xffff_ffffL) << 16 | first >>> 48);
        view.putInt(offset + 8, (int) (first >>> 16));
    }

    /* The queue's side of the life cycle, on the polling thread. */
    void begin(int frames) {
        size = frames;
        received = frames;
        held = frames > 0;
    }

    void end() {
        size = 0;
        received = 0;
        held = false;
    }

    /*
     * At close, before the pool may be freed: every view becomes empty, so an unchecked access
     * kept past close fails with an IndexOutOfBoundsException instead of touching freed memory.
     */
    void release() {
        Arrays.fill(views, EMPTY);
    }

    /* Every frame's verdict back to drop: what a failed handler leaves is freed, not sent half-done. */
    void dropAll() {
        for (int slot = 0; slot < size; slot++) {
            records.put(verdicts + slot, DROP);
        }
    }

    /* How many views of the pool's memory the queue made; which one a frame lies in (tests only). */
    int viewCount() {
        return views.length;
    }

    int viewOf(int slot) {
        return records.getInt(record(slot) + VIEW);
    }

    /* After the queue chained the last frame onto another (tests only). */
    void shrink() {
        size--;
    }

    private ByteBuffer view(int record) {
        return views[records.getInt(record + VIEW)];
    }

    private int record(int slot) {
        if (CHECKED) {
            checkSlot(slot);
        }
        return slot * RECORD_BYTES;
    }

    private int record(int slot, int index, int width) {
        if (CHECKED) {
            checkBytes(slot, index, width);
        }
        return slot * RECORD_BYTES;
    }

    private int verdictSlot(int slot) {
        if (CHECKED) {
            checkSlot(slot);
        } else if (slot < 0 || slot >= capacity) { // the verdict bytes are not the last thing in the buffer
            throw new IndexOutOfBoundsException("slot " + slot + " of a burst of at most " + capacity);
        }
        return slot;
    }

    /* Checked mode: the three mistakes a handler can make with someone else's memory. */
    private void checkSlot(int slot) {
        if (queue.isClosed()) {
            throw new IllegalStateException(queue + " is closed: its frames went back to the pool");
        }
        if (!held) {
            throw new IllegalStateException("no burst is held on " + queue + ": a frame belongs to the handler "
                    + "from receive() (or allocate()) until transmit(), and this view was used after that "
                    + "(after the handler returned?); copy what you need to keep inside the handler");
        }
        Thread poller = queue.poller();
        if (poller != Thread.currentThread()) {
            throw new IllegalStateException("the burst of " + queue + " was used from thread "
                    + Thread.currentThread().getName() + ", and belongs to its polling thread "
                    + (poller == null ? "(none)" : poller.getName()) + ": frames never leave the polling thread");
        }
        if (slot < 0 || slot >= size) {
            throw new IndexOutOfBoundsException("slot " + slot + " does not exist: the burst on " + queue + " holds "
                    + size + " frames (slots 0.." + (size - 1) + ")");
        }
    }

    private void checkBytes(int slot, int index, int width) {
        checkSlot(slot);
        int room = records.getInt(slot * RECORD_BYTES + ROOM);
        if (index < 0 || width < 0 || index > room - width) {
            throw new IndexOutOfBoundsException("bytes " + index + ".." + (index + width - 1) + " of frame " + slot
                    + " are beyond its mbuf's room of " + room + " bytes: they would be another mbuf's");
        }
    }
}
