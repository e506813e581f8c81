package io.l2echo.example.responder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.NetRingFixture;
import io.l2echo.dpdk.PacketBurst;
import io.l2echo.dpdk.PacketQueue;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.testkit.Checksums;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The handler on real mbufs, in this JVM: a {@code net_ring} port ({@link NetRingFixture}), whose
 * Tx queue feeds its own Rx queue, carries requests built here to the handler and its replies
 * back to the test, which compares them byte for byte with replies it builds on its own
 * (checksums summed in full, where the handler updates the ICMP one incrementally). Checked bursts on (this module's surefire
 * configuration).
 */
@Tag("dpdk")
class ArpIcmpResponderDpdkTest {
    private static final int OUR_IP = 0x0a090909;                       // 10.9.9.9
    private static final long OUR_MAC = 0x020000000009L;
    private static final String OUR_MAC_HEX = "020000000009";
    private static final String PEER_MAC_HEX = "020000000001";
    private static final String PEER_IP_HEX = "0a090901";               // 10.9.9.1
    private static final HexFormat HEX = HexFormat.of();

    @RegisterExtension
    static final NetRingFixture RING = NetRingFixture.named("resp");

    @Test
    void checkedModeIsOn() {
        assertTrue(PacketBurst.checked(), "surefire sets -D" + PacketBurst.CHECKED_PROPERTY + "=true for this module");
    }

    @Test
    void anArpRequestForUsBecomesItsReplyWithoutThePadding() {
        byte[] request = Arrays.copyOf(HEX.parseHex("ffffffffffff" + PEER_MAC_HEX + "0806" + "0001080006040001"
                + PEER_MAC_HEX + PEER_IP_HEX + "000000000000" + "0a090909"), 60);
        byte[] reply = HEX.parseHex(PEER_MAC_HEX + OUR_MAC_HEX + "0806" + "0001080006040002"
                + OUR_MAC_HEX + "0a090909" + PEER_MAC_HEX + PEER_IP_HEX);
        ArpIcmpResponder responder = new ArpIcmpResponder(OUR_IP, OUR_MAC);
        assertEquals(List.of(HEX.formatHex(reply)), toList(answer(responder, List.of(request))));
        assertEquals(1, responder.arpRequestsAnswered());
    }

    /* Many payloads and identifiers: the incremental ICMP checksum meets every kind of carry. */
    @Test
    void echoRequestsOfEverySizeAndShapeGetTheirRepliesByteForByte() {
        SplittableRandom random = new SplittableRandom(0x1624);
        ArpIcmpResponder responder = new ArpIcmpResponder(OUR_IP, OUR_MAC);
        int sent = 0;
        for (int round = 0; round < 20; round++) {
            List<byte[]> requests = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int optionBytes = 4 * random.nextInt(11);              // IHL 5..15
                int payloadBytes = random.nextInt(1400);
                int padTo = random.nextBoolean() ? 60 : 0;             // Ethernet's minimum, or none (veth)
                requests.add(echoRequest(optionBytes, payloadBytes, padTo, random));
            }
            List<byte[]> replies = answer(responder, requests);
            assertEquals(requests.size(), replies.size(), "one reply per request");
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(HEX.formatHex(expectedEchoReply(requests.get(i))), HEX.formatHex(replies.get(i)),
                        "reply to request " + (sent + i));
            }
            sent += requests.size();
        }
        assertEquals(sent, responder.echoRequestsAnswered());
        assertEquals(0, responder.droppedMalformed() + responder.droppedNotForUs());
    }

    @Test
    void everythingElseIsDroppedAndCountedByWhy() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] echo = echoRequest(0, 56, 0, random);
        List<byte[]> notForUs = List.of(
                withIpHeaderChecksum(withInt(echo, 30, 0x0a090908)),              // another destination
                withIpHeaderChecksum(withShort(echo, 20, (short) 0x2000)),        // a first fragment (MF)
                withIpHeaderChecksum(withShort(echo, 20, (short) 0x0010)),        // a later fragment (offset)
                withIpHeaderChecksum(withByte(echo, 23, (byte) 17)),              // UDP, not ICMP
                withShort(echo, 34, (short) 0x0000),                             // an echo reply, not a request
                withShort(echo, 12, (short) 0x86dd),                             // IPv6
                withShort(echo, 12, (short) 0x8100),                             // VLAN-tagged
                HEX.parseHex("ffffffffffff" + PEER_MAC_HEX + "0806" + "0001080006040002"   // an ARP reply
                        + PEER_MAC_HEX + PEER_IP_HEX + "000000000000" + "0a090909"),
                HEX.parseHex("ffffffffffff" + PEER_MAC_HEX + "0806" + "0001080006040001"   // who has 10.9.9.8?
                        + PEER_MAC_HEX + PEER_IP_HEX + "000000000000" + "0a090908"));
        List<byte[]> malformed = List.of(
                withShort(echo, 24, (short) (ByteBuffer.wrap(echo).getShort(24) + 1)),   // IP header checksum wrong
                withIpHeaderChecksum(withByte(echo, 14, (byte) 0x65)),            // version 6 in an IPv4 frame
                withIpHeaderChecksum(withByte(echo, 14, (byte) 0x44)),            // IHL 4
                withIpHeaderChecksum(withShort(echo, 16, (short) (echo.length - 14 + 1))),  // longer than the frame
                withIpHeaderChecksum(withShort(echo, 16, (short) 27)),            // no room for ICMP's header
                Arrays.copyOf(echo, 33),                                          // cut inside the IP header
                HEX.parseHex("ffffffffffff" + PEER_MAC_HEX + "0806" + "000108000604"),       // cut ARP
                HEX.parseHex("ffffffffffff" + PEER_MAC_HEX + "0806" + "0001080010040001"     // 16-byte MACs
                        + PEER_MAC_HEX + PEER_IP_HEX + "000000000000" + "0a090909"));
        List<byte[]> frames = new ArrayList<>(notForUs);
        frames.addAll(malformed);
        ArpIcmpResponder responder = new ArpIcmpResponder(OUR_IP, OUR_MAC);

        assertEquals(List.of(), answer(responder, frames), "nothing answered");
        assertEquals(notForUs.size(), responder.droppedNotForUs());
        assertEquals(malformed.size(), responder.droppedMalformed());
        assertEquals(0, responder.arpRequestsAnswered() + responder.echoRequestsAnswered());
    }

    /* Sends the frames through the ring, runs the handler on the burst that arrives, returns what it sent. */
    private static List<byte[]> answer(ArpIcmpResponder responder, List<byte[]> frames) {
        try (PacketQueue queue = RING.eal().openPacketQueue(new QueueRef(0, 0), RING.pool(), 32, 0)) {
            PacketBurst burst = queue.burst();
            int first = burst.allocate(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                burst.put(first + i, frames.get(i));
                burst.send(first + i);
            }
            assertEquals(frames.size(), queue.transmit(), "the ring takes the whole burst");
            assertEquals(frames.size(), queue.receive(), "and gives it back");
            responder.onBurst(burst);
            int answered = queue.transmit();
            List<byte[]> replies = new ArrayList<>();
            if (answered > 0) {
                assertEquals(answered, queue.receive(), "every reply back from the ring");
                for (int i = 0; i < answered; i++) {
                    replies.add(burst.copy(i));
                }
                queue.transmit(); // every verdict drop: the copies are the test's, the mbufs go back
            }
            return replies;
        }
    }

    /* An echo request from the peer to us: IP options of NOPs, a random payload, padded to padTo. */
    private static byte[] echoRequest(int optionBytes, int payloadBytes, int padTo, SplittableRandom random) {
        int ipHeaderBytes = 20 + optionBytes;
        int totalLength = ipHeaderBytes + 8 + payloadBytes;
        ByteBuffer frame = ByteBuffer.allocate(Math.max(14 + totalLength, padTo));
        frame.put(HEX.parseHex(OUR_MAC_HEX + PEER_MAC_HEX + "0800"));
        frame.put((byte) (0x40 | ipHeaderBytes / 4)).put((byte) 0).putShort((short) totalLength)
                .putShort((short) random.nextInt(0x10000)).putShort((short) 0x4000)            // DF, as ping sets it
                .put((byte) 63).put((byte) 1).putShort((short) 0)
                .put(HEX.parseHex(PEER_IP_HEX)).putInt(OUR_IP);
        for (int i = 0; i < optionBytes; i++) {
            frame.put((byte) 1); // NOP
        }
        int icmp = frame.position();
        frame.put((byte) 8).put((byte) 0).putShort((short) 0)
                .putShort((short) random.nextInt(0x10000)).putShort((short) random.nextInt(0x10000));
        byte[] payload = new byte[payloadBytes];
        random.nextBytes(payload);
        frame.put(payload);
        byte[] bytes = frame.array();
        putChecksum(bytes, icmp + 2, icmp, 8 + payloadBytes);
        return withIpHeaderChecksum(bytes);
    }

    /* The reply a host sends: MACs and IPs swapped, TTL 64, type 0, both checksums summed anew, no padding. */
    private static byte[] expectedEchoReply(byte[] request) {
        ByteBuffer in = ByteBuffer.wrap(request);
        int ipHeaderBytes = (request[14] & 0x0f) * 4;
        byte[] reply = Arrays.copyOf(request, 14 + (in.getShort(16) & 0xffff));
        ByteBuffer out = ByteBuffer.wrap(reply);
        out.put(0, request, 6, 6).put(6, HEX.parseHex(OUR_MAC_HEX));
        out.putInt(26, OUR_IP).putInt(30, in.getInt(26)).put(22, (byte) 64);
        int icmp = 14 + ipHeaderBytes;
        out.put(icmp, (byte) 0).putShort(icmp + 2, (short) 0);
        putChecksum(reply, icmp + 2, icmp, reply.length - icmp);
        return withIpHeaderChecksum(reply);
    }

    private static byte[] withIpHeaderChecksum(byte[] frame) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putShort(24, (short) 0);
        putChecksum(copy, 24, 14, (copy[14] & 0x0f) * 4);
        return copy;
    }

    private static void putChecksum(byte[] frame, int at, int from, int length) {
        ByteBuffer.wrap(frame).putShort(at, (short) ~Checksums.fold(Checksums.sum(frame, from, length, 0)));
    }

    private static byte[] withByte(byte[] frame, int index, byte value) {
        byte[] copy = frame.clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] withShort(byte[] frame, int index, short value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putShort(index, value);
        return copy;
    }

    private static byte[] withInt(byte[] frame, int index, int value) {
        byte[] copy = frame.clone();
        ByteBuffer.wrap(copy).putInt(index, value);
        return copy;
    }

    private static List<String> toList(List<byte[]> frames) {
        return frames.stream().map(HEX::formatHex).toList();
    }
}
