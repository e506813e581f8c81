package io.l2echo.dpdk;

import java.util.List;

/**
 * What a port's device offers ({@code rte_eth_dev_info} and its MAC), read before it is
 * configured so that requests beyond its limits fail with our message, not DPDK's -EINVAL.
 * {@code scatter}: a frame may span several mbufs (Rx scatter and Tx multi-segment offloads).
 */
public record DeviceInfo(
        int portId,
        String name,
        String driver,
        String macAddress,
        int maxRxQueues,
        int maxTxQueues,
        long rssOffloads,
        List<String> rssHashTypes,
        boolean scatter,
        int socketId,
        int minMtu,
        int maxMtu,
        int maxRxPacketLength,
        int rxDescriptorsMin,
        int rxDescriptorsMax,
        int txDescriptorsMin,
        int txDescriptorsMax,
        int retaSize,
        int hashKeySize,
        int ifIndex) {

    /* Indexes of the shim's info array (dpdkj_port.cpp, enum info_field). */
    static final int MAX_RX_QUEUES = 0;
    static final int MAX_TX_QUEUES = 1;
    static final int RSS_OFFLOADS = 2;
    static final int SCATTER = 3;
    static final int SOCKET_ID = 4;
    static final int MAC = 5;
    static final int MIN_MTU = 6;
    static final int MAX_MTU = 7;
    static final int MAX_RX_PKTLEN = 8;
    static final int RX_DESC_MIN = 9;
    static final int RX_DESC_MAX = 10;
    static final int TX_DESC_MIN = 11;
    static final int TX_DESC_MAX = 12;
    static final int RETA_SIZE = 13;
    static final int HASH_KEY_SIZE = 14;
    static final int IF_INDEX = 15;
    static final int FIELD_COUNT = 16;

    static DeviceInfo of(int portId, String name, String driver, long[] f, List<String> rssHashTypes) {
        return new DeviceInfo(portId, name, driver, formatMac(f[MAC]), (int) f[MAX_RX_QUEUES],
                (int) f[MAX_TX_QUEUES], f[RSS_OFFLOADS], rssHashTypes, f[SCATTER] != 0, (int) f[SOCKET_ID],
                (int) f[MIN_MTU],
                (int) f[MAX_MTU], (int) f[MAX_RX_PKTLEN], (int) f[RX_DESC_MIN], (int) f[RX_DESC_MAX],
                (int) f[TX_DESC_MIN], (int) f[TX_DESC_MAX], (int) f[RETA_SIZE], (int) f[HASH_KEY_SIZE],
                (int) f[IF_INDEX]);
    }

    static String formatMac(long bits) {
        StringBuilder mac = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (mac.length() > 0) {
                mac.append(':');
            }
            mac.append(String.format("%02x", (bits >>> shift) & 0xff));
        }
        return mac.toString();
    }

    /**
     * The MAC address in the low 48 bits, its first octet highest: what a frame writer puts
     * in a header with {@code putShort(i, at, (short) (bits >>> 32))} and {@code putInt(i, at + 2, (int) bits)}.
     */
    public long macAddressBits() {
        return Long.parseLong(macAddress.replace(":", ""), 16);
    }

    /** One line for a start-up banner. */
    public String summary() {
        return String.format("port %d: %s (%s) mac %s, max %d rxq / %d txq, socket %d, rss %s", portId, name,
                driver, macAddress, maxRxQueues, maxTxQueues, socketId,
                rssHashTypes.isEmpty() ? "none" : String.join(",", rssHashTypes));
    }
}
