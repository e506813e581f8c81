package io.l2echo.dpdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The frames of one burst of a {@link PacketQueue}: {@link #capacity()} slots of
 * {@link #slotBytes()} bytes each in one direct buffer, and each slot's frame length in another.
 * {@link PacketQueue#receive()} fills slots {@code 0..n-1} and their lengths; the handler reads
 * them, rewrites them in place or writes new frames, sets their lengths, and
 * {@link PacketQueue#transmit(int)} sends slots {@code 0..n-1}. Both buffers live outside the
 * heap and the shim copies frames between them and DPDK's mbufs, so a burst costs one JNI call
 * each way and no allocation.
 *
 * <p>Not thread-safe: only the queue's polling thread touches it. Frame bytes are in network
 * order ({@link ByteOrder#BIG_ENDIAN}), as {@link #frames()} reads them. The accessors taking a
 * slot index read and write absolute positions and allocate nothing; {@link #frame(int)}
 * allocates a view per call, for code that prefers a buffer of its own.
 */
public final class PacketBurst {
    private final ByteBuffer frames;
    private final ByteBuffer lengths;
    private final int capacity;
    private final int slotBytes;

    PacketBurst(ByteBuffer frames, ByteBuffer lengths, int capacity, int slotBytes) {
        this.frames = frames;
        this.lengths = lengths;
        this.capacity = capacity;
        this.slotBytes = slotBytes;
    }

    /** Allocates the two buffers, each aligned to a cache line. */
    static PacketBurst allocate(int capacity, int slotBytes) {
        ByteBuffer frames = ByteBuffer.allocateDirect(capacity * slotBytes + 63).alignedSlice(64)
                .order(ByteOrder.BIG_ENDIAN);
        ByteBuffer lengths = ByteBuffer.allocateDirect(capacity * Integer.BYTES + 63).alignedSlice(64)
                .order(ByteOrder.nativeOrder());
        return new PacketBurst(frames, lengths, capacity, slotBytes);
    }

    /** How many frames one burst holds. */
    public int capacity() {
        return capacity;
    }

    /** The most bytes one frame may have: the size of a slot. */
    public int slotBytes() {
        return slotBytes;
    }

    /** Every slot, back to back: slot {@code i} starts at {@link #offset(int)}. Absolute gets and puts only. */
    public ByteBuffer frames() {
        return frames;
    }

    /** Where slot {@code i} starts in {@link #frames()}. */
    public int offset(int slot) {
        return checkSlot(slot) * slotBytes;
    }

    /** The length in bytes of the frame in slot {@code i}: as received, or as set. */
    public int length(int slot) {
        return lengths.getInt(checkSlot(slot) * Integer.BYTES);
    }

    /**
     * Sets how many bytes of slot {@code i} the next {@link PacketQueue#transmit(int)} sends.
     * Lengths outside 14 (an Ethernet header) to {@link #slotBytes()} are refused by transmit,
     * which then sends nothing.
     */
    public void setLength(int slot, int length) {
        lengths.putInt(checkSlot(slot) * Integer.BYTES, length);
    }

    /** A view of slot {@code i}'s frame, position 0 and limit its length; allocates the view. */
    public ByteBuffer frame(int slot) {
        return frames.slice(offset(slot), length(slot)).order(ByteOrder.BIG_ENDIAN);
    }

    /** Copies {@code frame} into slot {@code i} and sets its length. */
    public void put(int slot, byte[] frame) {
        if (frame.length > slotBytes) {
            throw new IllegalArgumentException(frame.length + " bytes do not fit a " + slotBytes + "-byte slot");
        }
        frames.put(offset(slot), frame);
        setLength(slot, frame.length);
    }

    /** A copy of slot {@code i}'s frame. */
    public byte[] get(int slot) {
        byte[] frame = new byte[length(slot)];
        frames.get(offset(slot), frame);
        return frame;
    }

    /** Swaps slot {@code i}'s destination and source MAC addresses in place: the echo's rewrite, in Java. */
    public void swapMacs(int slot) {
        int at = offset(slot);
        int destinationHigh = frames.getInt(at);
        short destinationLow = frames.getShort(at + 4);
        frames.putInt(at, frames.getInt(at + 6));
        frames.putShort(at + 4, frames.getShort(at + 10));
        frames.putInt(at + 6, destinationHigh);
        frames.putShort(at + 10, destinationLow);
    }

    /* The buffers' own bounds checks do not catch an index past capacity within the last slot. */
    private int checkSlot(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IndexOutOfBoundsException("slot " + slot + " of a burst of " + capacity);
        }
        return slot;
    }

    ByteBuffer lengthBuffer() {
        return lengths;
    }
}
