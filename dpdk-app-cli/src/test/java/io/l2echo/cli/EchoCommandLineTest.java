package io.l2echo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.EchoConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class EchoCommandLineTest {
    @Test
    void ealArgumentsGoBeforeTheSeparatorUntouched() throws UsageException {
        EchoCommandLine line = EchoCommandLine.parse(new String[] {"-l", "0,1", "--no-pci",
            "--vdev=net_af_packet0,iface=dut0", "--", "--burst", "64"}, false);
        assertEquals(List.of("-l", "0,1", "--no-pci", "--vdev=net_af_packet0,iface=dut0"), line.config().ealArgs());
        assertEquals(64, line.config().burstSize());
    }

    @Test
    void defaults() throws UsageException {
        EchoCommandLine line = EchoCommandLine.parse(new String[] {"-l", "1"}, false);
        EchoConfig config = line.config();
        assertEquals(0, config.ports().get(0).portId());
        assertTrue(config.ports().get(0).portName().isEmpty());
        assertEquals(32, config.burstSize());
        assertEquals(1024, config.ports().get(0).rxDescriptors());
        assertEquals(1024, config.ports().get(0).txDescriptors());
        assertEquals(0, config.mbufs());
        assertEquals(256, config.mbufCacheSize());
        assertEquals(0, config.txRetries());
        assertTrue(config.ports().get(0).promiscuous());
        assertEquals(1000, line.statsIntervalMillis());
        assertEquals(0, line.durationSeconds());
        assertFalse(line.helpRequested());
    }

    @Test
    void everyOption() throws UsageException {
        EchoCommandLine line = EchoCommandLine.parse(new String[] {"--", "-p", "net_af_packet0", "--rx-desc", "512",
            "--tx-desc", "256", "--mbufs", "8191", "--mbuf-cache", "128", "--tx-retries", "3", "--no-promisc",
            "--stats-interval", "250", "--duration", "5"}, false);
        EchoConfig config = line.config();
        assertEquals("net_af_packet0", config.ports().get(0).portName().orElseThrow());
        assertEquals(512, config.ports().get(0).rxDescriptors());
        assertEquals(256, config.ports().get(0).txDescriptors());
        assertEquals(8191, config.mbufs());
        assertEquals(128, config.mbufCacheSize());
        assertEquals(3, config.txRetries());
        assertFalse(config.ports().get(0).promiscuous());
        assertEquals(250, line.statsIntervalMillis());
        assertEquals(5, line.durationSeconds());
    }

    @Test
    void aNumericPortIsAnId() throws UsageException {
        assertEquals(3, EchoCommandLine.parse(new String[] {"--", "--port", "3"}, false).config().ports().get(0).portId());
    }

    @Test
    void helpBeforeOrAfterTheSeparator() throws UsageException {
        assertTrue(EchoCommandLine.parse(new String[] {"--help"}, false).helpRequested());
        assertTrue(EchoCommandLine.parse(new String[] {"-l", "1", "--", "-h"}, false).helpRequested());
    }

    @Test
    void badValuesSayWhatIsWrong() {
        assertEquals("--burst takes a whole number, not 'lots'",
                assertThrows(UsageException.class, () -> parse("--burst", "lots")).getMessage());
        assertEquals("burst size must be in 1..512, not 1000",
                assertThrows(UsageException.class, () -> parse("--burst", "1000")).getMessage());
        assertTrue(assertThrows(UsageException.class, () -> parse("--frobnicate")).getMessage()
                .contains("frobnicate"));
        assertEquals("unexpected argument 'extra' after '--'",
                assertThrows(UsageException.class, () -> parse("extra")).getMessage());
        assertTrue(assertThrows(UsageException.class, () -> parse("--duration", "-1")).getMessage()
                .contains("must not be negative"));
    }

    @Test
    void multiQueueOptions() throws UsageException {
        EchoConfig defaults = EchoCommandLine.parse(new String[] {"-l", "0-2"}, true).config();
        assertEquals(EchoConfig.ONE_QUEUE_PER_LCORE, defaults.queues());
        assertEquals(List.of("ip", "tcp", "udp"), defaults.ports().get(0).rssHashTypes());
        assertFalse(defaults.ports().get(0).rssSymmetric());

        EchoConfig chosen = EchoCommandLine.parse(new String[] {"--", "--queues", "2", "--rss", "ipv4-udp, ipv6-udp",
            "--rss-symmetric"}, true).config();
        assertEquals(2, chosen.queues());
        assertEquals(List.of("ipv4-udp", "ipv6-udp"), chosen.ports().get(0).rssHashTypes());
        assertTrue(chosen.ports().get(0).rssSymmetric());

        assertEquals(List.of(), EchoCommandLine.parse(new String[] {"--", "--rss", "none"}, true).config()
                .ports().get(0).rssHashTypes());
    }

    @Test
    void theSingleQueueAppHasNoQueueOrRssOptions() {
        assertTrue(assertThrows(UsageException.class,
                () -> EchoCommandLine.parse(new String[] {"--", "--queues", "2"}, false)).getMessage()
                .contains("queues"));
        String usage = EchoCommandLine.usage("l2echo", "Echoes.", false);
        assertFalse(usage.contains("--rss"), usage);
        assertTrue(EchoCommandLine.usage("l2multi", "Echoes.", true).contains("--rss-symmetric"));
    }

    @Test
    void usageNamesTheConventionAndEveryOption() {
        String usage = EchoCommandLine.usage("l2echo", "Echoes.", false);
        assertTrue(usage.startsWith("usage: java -jar l2echo.jar [EAL options] -- [l2echo options]"), usage);
        for (String option : List.of("--port", "--burst", "--rx-desc", "--tx-desc", "--mbufs", "--mbuf-cache",
                "--tx-retries", "--no-promisc", "--stats-interval", "--duration", "--help")) {
            assertTrue(usage.contains(option), option);
        }
    }

    private static EchoCommandLine parse(String... appArgs) throws UsageException {
        String[] argv = new String[appArgs.length + 1];
        argv[0] = "--";
        System.arraycopy(appArgs, 0, argv, 1, appArgs.length);
        return EchoCommandLine.parse(argv, false);
    }

    @Test
    void aRepeatedPortEchoesOnEachWithTheSameSettings() throws UsageException {
        EchoConfig config = EchoCommandLine.parse(new String[] {"--", "-p", "0", "--port", "net_null1", "--rx-desc",
            "512", "--queues", "2"}, true).config();
        assertEquals(2, config.ports().size());
        assertEquals(0, config.ports().get(0).portId());
        assertEquals("net_null1", config.ports().get(1).portName().orElseThrow());
        assertEquals(512, config.ports().get(1).rxDescriptors());
        assertEquals(List.of("ip", "tcp", "udp"), config.ports().get(1).rssHashTypes());
        assertEquals(2, config.queues());
    }

    @Test
    void thePortTwiceIsAUsageError() {
        UsageException e = assertThrows(UsageException.class,
                () -> EchoCommandLine.parse(new String[] {"--", "-p", "1", "-p", "1"}, false));
        assertTrue(e.getMessage().contains("port 1 is given twice"), e.getMessage());
    }

    @Test
    void theSwapLevelAndReflectPolicyDefaultToMacAndUnicastAndTakeEachChoice() throws UsageException {
        assertEquals(io.l2echo.dpdk.SwapLevel.MAC, parse().config().swapLevel());
        assertEquals(io.l2echo.dpdk.ReflectPolicy.UNICAST, parse().config().reflectPolicy());
        for (io.l2echo.dpdk.SwapLevel level : io.l2echo.dpdk.SwapLevel.values()) {
            for (io.l2echo.dpdk.ReflectPolicy policy : io.l2echo.dpdk.ReflectPolicy.values()) {
                EchoConfig config = parse("--swap", level.optionName(), "--reflect", policy.optionName()).config();
                assertEquals(level, config.swapLevel());
                assertEquals(policy, config.reflectPolicy());
            }
        }
        assertEquals(io.l2echo.dpdk.SwapLevel.PORTS, parse("--swap", "ports", "--swap", "PORTS").config().swapLevel());
    }

    @Test
    void anUnknownLevelOrPolicyOrTwoDifferentOnesAreUsageErrorsListingTheChoices() {
        assertEquals("unknown swap level 'l4': one of mac, ip, ports",
                assertThrows(UsageException.class, () -> parse("--swap", "l4")).getMessage());
        assertEquals("unknown reflect policy 'all': one of unicast, group, everything",
                assertThrows(UsageException.class, () -> parse("--reflect", "all")).getMessage());
        assertEquals("--swap is given twice, as [mac, ip]: choose one",
                assertThrows(UsageException.class, () -> parse("--swap", "mac", "--swap", "ip")).getMessage());
        assertTrue(EchoCommandLine.usage("l2echo", "Echoes.", false).contains("--reflect <POLICY>"));
    }
}
