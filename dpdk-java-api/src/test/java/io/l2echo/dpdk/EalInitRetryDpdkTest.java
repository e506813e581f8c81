package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A service refused before DPDK was asked may fix the cause and initialise in the same JVM; once
 * rte_eal_init ran, a second initialisation is refused. Its own JVM (surefire forks one per
 * class here): EAL initialises once per process.
 */
@Tag("dpdk")
class EalInitRetryDpdkTest {

    @Test
    void aRefusalBeforeDpdkWasAskedMayBeRetriedAndARealSecondInitStillMayNot() throws IOException {
        String prefix = "--file-prefix=l2e-retry-" + ProcessHandle.current().pid();
        // A vhost-user socket path that exists with nothing listening: the environment check refuses it.
        Path stale = Files.createTempFile("l2e-stale-vhost", ".sock");
        try {
            DpdkException refused = assertThrows(DpdkException.class, () -> Eal.init(List.of("-l", "0", "--no-pci",
                    "--no-huge", "-m", "256", prefix, "--vdev=net_vhost0,iface=" + stale)));
            assertTrue(refused.getMessage().startsWith("check the environment for DPDK failed"), refused.getMessage());
            assertTrue(refused.getMessage().contains(stale + " exists and nothing listens on it"),
                    refused.getMessage());
        } finally {
            Files.deleteIfExists(stale);
        }

        try (Eal eal = Eal.init(List.of("-l", "0", "--no-pci", "--no-huge", "-m", "256", prefix,
                "--vdev=net_null0"))) {
            assertEquals(1, eal.portCount(), "the retry initialised EAL, with the fixed arguments");
            DpdkException second = assertThrows(DpdkException.class, () -> Eal.init(List.of("-l", "0", "--no-pci",
                    "--no-huge", "-m", "256", prefix + "-second", "--vdev=net_null0")));
            assertTrue(second.getMessage().contains("rte_eal_init already ran in this process"), second.getMessage());
        }
        DpdkException afterCleanup = assertThrows(DpdkException.class, () -> Eal.init(List.of("-l", "0", "--no-pci",
                "--no-huge", "-m", "256", prefix, "--vdev=net_null0")));
        assertTrue(afterCleanup.getMessage().contains("rte_eal_init already ran in this process"),
                afterCleanup.getMessage());
    }
}
