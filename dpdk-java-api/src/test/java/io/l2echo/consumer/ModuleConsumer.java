package io.l2echo.consumer;

import io.l2echo.dpdk.EalOptions;
import io.l2echo.dpdk.EchoConfig;
import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.PortConfig;
import io.l2echo.dpdk.QueueStats;
import java.time.Duration;

/**
 * A service that uses the API as a named module: run by {@code ModulePathDpdkTest} from the
 * class path, with {@code io.l2echo.dpdk} and its dependencies on the module path. Prints what
 * it could reach and what the echo did, one fact a line.
 */
public final class ModuleConsumer {
    private ModuleConsumer() {
    }

    public static void main(String[] args) throws Exception {
        Module api = EchoService.class.getModule();
        System.out.println("module " + api.getName());
        System.out.println("exports internal: " + api.isExported("io.l2echo.dpdk.internal"));
        try {
            Class.forName("io.l2echo.dpdk.internal.NativeLoader").getMethod("load").invoke(null);
            System.out.println("internal: reachable");
        } catch (IllegalAccessException expected) {
            System.out.println("internal: refused");
        }
        EalOptions eal = EalOptions.builder().lcores(0, 1).vdev("net_null0").memoryMb(128).filePrefix(args[0])
                .arg("--no-huge", "--log-level=lib.eal:warning").build();
        try (EchoService service = EchoService.start(EchoConfig.builder().eal(eal)
                .port(PortConfig.builder().portName("net_null0").build()).build())) {
            Thread.sleep(Duration.ofMillis(200).toMillis());
            long echoed = service.stats().queues().stream().mapToLong(QueueStats::txPackets).sum();
            System.out.println("echoed: " + (echoed > 0));
        }
        System.out.println("closed");
    }
}
