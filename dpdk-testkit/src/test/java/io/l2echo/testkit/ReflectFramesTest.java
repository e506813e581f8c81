package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReflectFramesTest {
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
    private static final byte[] V4_A = {(byte) 198, 18, 0, 1};
    private static final byte[] V4_B = {(byte) 198, 18, 0, 2};

    @Test
    void builtFramesHaveValidChecksumsAndEachLevelSwapsOnlyItsFields() {
        for (int proto : new int[] {ReflectFrames.PROTO_UDP, ReflectFrames.PROTO_TCP, ReflectFrames.PROTO_SCTP}) {
            for (int[] tags : new int[][] {{}, {ReflectFrames.TPID_8021Q}, {ReflectFrames.TPID_8021AD, 0x8100}}) {
                byte[] frame = ReflectFrames.build(A, B, tags, V4_A, V4_B, proto, 1111, 2222, 7, 40);
                assertNull(ReflectFrames.checksumProblem(frame, frame.length));
                assertTrue(ReflectFrames.isOurs(frame, frame.length));
                int ip = 14 + 4 * tags.length;
                byte[] mac = ReflectFrames.expected(frame, "mac");
                assertEquals(B, MacAddress.of(mac, 6));
                assertArrayEquals(java.util.Arrays.copyOfRange(frame, 12, frame.length),
                        java.util.Arrays.copyOfRange(mac, 12, mac.length));
                byte[] ports = ReflectFrames.expected(frame, "ports");
                assertEquals(2, ports[ip + 15]);
                assertEquals(1, ports[ip + 19]);
                assertEquals(2222, ((ports[ip + 20] & 0xff) << 8) | (ports[ip + 21] & 0xff));
                assertNull(ReflectFrames.checksumProblem(ports, ports.length), "a swap keeps the sums");
                byte[] broken = frame.clone();
                broken[broken.length - 1] ^= 1;
                assertEquals(proto == ReflectFrames.PROTO_TCP ? "TCP checksum"
                        : proto == ReflectFrames.PROTO_SCTP ? "SCTP CRC32c" : "UDP checksum",
                        ReflectFrames.checksumProblem(broken, broken.length));
            }
        }
    }
}
