package io.l2echo.example.responder;

import io.l2echo.dpdk.PacketBurst;
import io.l2echo.dpdk.PacketHandler;

/**
 * Answers ARP requests and ICMP echo requests (ping) for one IPv4 address, as a host's stack
 * would, and drops every other frame. Each request is rewritten into its reply in the mbuf it
 * arrived in, through the burst's accessors (big-endian, index 0 the frame's first byte): no
 * copy, no allocation per frame or per burst.
 *
 * <p>Counters are plain fields written by the loop's thread only: read them after the loop
 * stopped ({@code EchoService.stopWorkers()} joins that thread, which makes every write visible).
 */
public final class ArpIcmpResponder implements PacketHandler {
    /* Ethernet II, no VLAN tag. */
    private static final int ETHER_DESTINATION = 0;
    private static final int ETHER_SOURCE = 6;
    private static final int ETHER_TYPE = 12;
    private static final int ETHER_HEADER_BYTES = 14;
    private static final short ETHER_TYPE_ARP = 0x0806;
    private static final short ETHER_TYPE_IPV4 = 0x0800;

    /* ARP for IPv4 over Ethernet (RFC 826), offsets in the frame. */
    private static final int ARP_HARDWARE_TYPE = 14;
    private static final int ARP_PROTOCOL_TYPE = 16;
    private static final int ARP_HARDWARE_LENGTH = 18;
    private static final int ARP_PROTOCOL_LENGTH = 19;
    private static final int ARP_OPERATION = 20;
    private static final int ARP_SENDER_MAC = 22;
    private static final int ARP_SENDER_IP = 28;
    private static final int ARP_TARGET_MAC = 32;
    private static final int ARP_TARGET_IP = 38;
    private static final int ARP_FRAME_BYTES = 42;
    private static final short ARP_HARDWARE_ETHERNET = 1;
    private static final short ARP_REQUEST = 1;
    private static final short ARP_REPLY = 2;

    /* IPv4 (RFC 791), offsets in the frame. */
    private static final int IP_VERSION_IHL = 14;
    private static final int IP_TOTAL_LENGTH = 16;
    private static final int IP_FLAGS_FRAGMENT = 20;
    private static final int IP_TTL = 22;
    private static final int IP_PROTOCOL = 23;
    private static final int IP_CHECKSUM = 24;
    private static final int IP_SOURCE = 26;
    private static final int IP_DESTINATION = 30;
    private static final int IP_MIN_HEADER_BYTES = 20;
    private static final int IP_MORE_FRAGMENTS_AND_OFFSET = 0x3fff;
    private static final byte IP_PROTOCOL_ICMP = 1;
    private static final byte REPLY_TTL = 64;

    /* ICMP (RFC 792), offsets in the ICMP message. */
    private static final int ICMP_TYPE_CODE = 0;
    private static final int ICMP_CHECKSUM = 2;
    private static final int ICMP_HEADER_BYTES = 8;
    private static final short ICMP_ECHO_REQUEST = 0x0800; // type 8, code 0
    private static final short ICMP_ECHO_REPLY = 0x0000;   // type 0, code 0

    private final int ip;
    private final long mac;
    private long arpRequestsAnswered;
    private long echoRequestsAnswered;
    private long droppedNotForUs;
    private long droppedMalformed;

    /**
     * @param ip  the IPv4 address answered for, as an int in network order (10.99.0.2 is 0x0a630002)
     * @param mac the port's MAC address in its low 48 bits (02:00:00:00:00:09 is 0x020000000009L)
     */
    public ArpIcmpResponder(int ip, long mac) {
        this.ip = ip;
        this.mac = mac;
    }

    @Override
    public void onBurst(PacketBurst burst) {
        for (int slot = 0; slot < burst.size(); slot++) {
            switch (burst.getShort(slot, ETHER_TYPE)) {
                case ETHER_TYPE_ARP -> answerArp(burst, slot);
                case ETHER_TYPE_IPV4 -> answerPing(burst, slot);
                default -> droppedNotForUs++; // IPv6, VLAN-tagged, LLDP...: the verdict stays drop
            }
        }
    }

    /** ARP requests answered: replies sent. */
    public long arpRequestsAnswered() {
        return arpRequestsAnswered;
    }

    /** ICMP echo requests answered: echo replies sent. */
    public long echoRequestsAnswered() {
        return echoRequestsAnswered;
    }

    /**
     * Frames dropped as not for us: other protocols, other addresses, ARP replies, ICMP other than
     * echo requests, and fragments (nothing here reassembles).
     */
    public long droppedNotForUs() {
        return droppedNotForUs;
    }

    /** Frames dropped as malformed: an ARP or IPv4 header that is cut short or does not hold together. */
    public long droppedMalformed() {
        return droppedMalformed;
    }

    private void answerArp(PacketBurst burst, int slot) {
        if (burst.length(slot) < ARP_FRAME_BYTES) {
            droppedMalformed++;
            return;
        }
        if (burst.getShort(slot, ARP_HARDWARE_TYPE) != ARP_HARDWARE_ETHERNET
                || burst.getShort(slot, ARP_PROTOCOL_TYPE) != ETHER_TYPE_IPV4) {
            droppedNotForUs++; // ARP for another pair of protocols
            return;
        }
        if (burst.getByte(slot, ARP_HARDWARE_LENGTH) != 6 || burst.getByte(slot, ARP_PROTOCOL_LENGTH) != 4) {
            droppedMalformed++; // Ethernet/IPv4 with other address sizes
            return;
        }
        if (burst.getShort(slot, ARP_OPERATION) != ARP_REQUEST || burst.getInt(slot, ARP_TARGET_IP) != ip) {
            droppedNotForUs++;
            return;
        }
        // The requester, read before the reply overwrites the sender fields: primitives, no byte[] per frame.
        int requesterMacHigh = burst.getInt(slot, ARP_SENDER_MAC);
        short requesterMacLow = burst.getShort(slot, ARP_SENDER_MAC + 4);
        int requesterIp = burst.getInt(slot, ARP_SENDER_IP);

        burst.putShort(slot, ARP_OPERATION, ARP_REPLY);
        putMac(burst, slot, ARP_SENDER_MAC, mac);
        burst.putInt(slot, ARP_SENDER_IP, ip);
        burst.putInt(slot, ARP_TARGET_MAC, requesterMacHigh);
        burst.putShort(slot, ARP_TARGET_MAC + 4, requesterMacLow);
        burst.putInt(slot, ARP_TARGET_IP, requesterIp);
        // Requests are broadcast: the reply goes to the requester alone.
        burst.putInt(slot, ETHER_DESTINATION, requesterMacHigh);
        burst.putShort(slot, ETHER_DESTINATION + 4, requesterMacLow);
        putMac(burst, slot, ETHER_SOURCE, mac);
        burst.setLength(slot, ARP_FRAME_BYTES); // whatever padding the request carried is not ours to send back
        burst.send(slot);
        arpRequestsAnswered++;
    }

    private void answerPing(PacketBurst burst, int slot) {
        int frameLength = burst.length(slot);
        if (frameLength < ETHER_HEADER_BYTES + IP_MIN_HEADER_BYTES) {
            droppedMalformed++;
            return;
        }
        int versionIhl = burst.getByte(slot, IP_VERSION_IHL) & 0xff;
        int headerBytes = (versionIhl & 0x0f) * 4; // options, if any, lie between the fixed header and ICMP
        int totalLength = burst.getShort(slot, IP_TOTAL_LENGTH) & 0xffff;
        // The IP datagram must fit in the frame; what follows it is Ethernet padding.
        if (versionIhl >> 4 != 4 || headerBytes < IP_MIN_HEADER_BYTES || totalLength < headerBytes
                || totalLength > frameLength - ETHER_HEADER_BYTES
                || onesComplementSum(burst, slot, IP_VERSION_IHL, headerBytes) != 0xffff) {
            droppedMalformed++;
            return;
        }
        if (burst.getInt(slot, IP_DESTINATION) != ip || burst.getByte(slot, IP_PROTOCOL) != IP_PROTOCOL_ICMP
                || (burst.getShort(slot, IP_FLAGS_FRAGMENT) & IP_MORE_FRAGMENTS_AND_OFFSET) != 0) {
            droppedNotForUs++;
            return;
        }
        int icmp = ETHER_HEADER_BYTES + headerBytes;
        if (totalLength < headerBytes + ICMP_HEADER_BYTES) {
            droppedMalformed++;
            return;
        }
        if (burst.getShort(slot, icmp + ICMP_TYPE_CODE) != ICMP_ECHO_REQUEST) {
            droppedNotForUs++;
            return;
        }

        // ICMP: the type becomes "echo reply"; identifier, sequence and data go back as they came.
        // RFC 1624's incremental update, HC' = ~(~HC + ~m + m'), touches only the word that changed
        // instead of summing the whole message; a request whose checksum was wrong stays wrong.
        burst.putShort(slot, icmp + ICMP_TYPE_CODE, ICMP_ECHO_REPLY);
        int checksum = ~burst.getShort(slot, icmp + ICMP_CHECKSUM) & 0xffff;
        checksum += ~ICMP_ECHO_REQUEST & 0xffff;
        checksum += ICMP_ECHO_REPLY & 0xffff;
        burst.putShort(slot, icmp + ICMP_CHECKSUM, (short) ~fold(checksum));

        // IPv4: back to the sender, from us, with a fresh TTL, so the header checksum is summed anew.
        burst.putInt(slot, IP_DESTINATION, burst.getInt(slot, IP_SOURCE));
        burst.putInt(slot, IP_SOURCE, ip);
        burst.putByte(slot, IP_TTL, REPLY_TTL);
        burst.putShort(slot, IP_CHECKSUM, (short) 0);
        burst.putShort(slot, IP_CHECKSUM, (short) ~onesComplementSum(burst, slot, IP_VERSION_IHL, headerBytes));

        // Ethernet: back to the sender, from our MAC whatever MAC the request was sent to (the port is promiscuous).
        burst.swapMacs(slot);
        putMac(burst, slot, ETHER_SOURCE, mac);
        burst.setLength(slot, ETHER_HEADER_BYTES + totalLength); // the reply is as long as the datagram: no padding
        burst.send(slot);
        echoRequestsAnswered++;
    }

    /* A MAC held in the low 48 bits of a long, written big-endian as 2 + 4 bytes. */
    private static void putMac(PacketBurst burst, int slot, int index, long mac) {
        burst.putShort(slot, index, (short) (mac >>> 32));
        burst.putInt(slot, index + 2, (int) mac);
    }

    /* The Internet checksum's folded 16-bit one's-complement sum of {@code bytes} (even) bytes from {@code index}. */
    private static int onesComplementSum(PacketBurst burst, int slot, int index, int bytes) {
        int sum = 0;
        for (int i = 0; i < bytes; i += 2) {
            sum += burst.getShort(slot, index + i) & 0xffff;
        }
        return fold(sum);
    }

    private static int fold(int sum) {
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }
}
