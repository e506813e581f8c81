package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MempoolSizingTest {
    private static final LcorePlan ONE_QUEUE = LcorePlan.spread(0, List.of(1), List.of(0), 1);

    @Test
    void requiredSizeCoversRingsBurstsAndCaches() {
        assertEquals(2 * (1024 + 512 + 32) + 2 * 384, Mempool.requiredSize(2, 1024, 512, 32, 2, 256));
    }

    @Test
    void recommendedSizeIsAPowerOfTwoMinusOneAndAtLeast4095() {
        assertEquals(4095, Mempool.recommendedSize(100));
        assertEquals(4095, Mempool.recommendedSize(4095));
        assertEquals(8191, Mempool.recommendedSize(4096));
        assertEquals(16383, Mempool.recommendedSize(9000));
    }

    @Test
    void automaticSizing() {
        EchoConfig config = EchoConfig.builder().build();
        assertEquals(4095, EchoService.poolSize(config, config.ports().get(0), ONE_QUEUE, 0));
    }

    @Test
    void aPoolTooSmallForTheDescriptorsIsRefusedBeforeDpdkIsAsked() {
        EchoConfig config = EchoConfig.builder().mbufs(2047)
                .port(PortConfig.builder().descriptors(2048, 2048).build()).build();
        DpdkException e = assertThrows(DpdkException.class,
                () -> EchoService.poolSize(config, config.ports().get(0), ONE_QUEUE, 0));
        assertTrue(e.getMessage().contains("2047 mbufs are fewer than the 4512"), e.getMessage());
        assertTrue(e.hint().orElseThrow().contains("--mbufs to at least 4512"), e.getMessage());
        assertEquals(0, e.errno());
    }

    @Test
    void anExplicitSizeThatFitsIsKept() {
        EchoConfig config = EchoConfig.builder().mbufs(5000).build();
        assertEquals(5000, EchoService.poolSize(config, config.ports().get(0), ONE_QUEUE, 0));
    }
}
