package io.l2echo.bench;

import io.l2echo.dpdk.IdleStrategy;
import io.l2echo.dpdk.PacketBurst;
import io.l2echo.dpdk.PacketQueue;
import io.l2echo.cli.EchoApp;

/**
 * The echo with its packet logic in Java: l2multi's command line, ports, pools and plan, but
 * each queue is polled by a Java thread pinned to its lcore's CPUs, through {@link PacketQueue}'s
 * zero-copy burst receive and transmit, and the MACs are swapped in Java, in the received
 * mbufs. With one worker lcore it is l2echo (one queue, no RSS), what the benchmark sets beside
 * l2echo to price a Java handler per packet; with N, N Java loops share nothing, each on its own
 * queue of the RSS spread, as l2multi's native workers do. Arguments and output as l2multi's.
 */
public final class JavaHandlerEcho {
    static final String NAME = "java-handler-echo";

    private JavaHandlerEcho() {
    }

    public static void main(String[] args) {
        EchoApp app = new EchoApp(NAME, "l2multi's MAC-swap echo, the swap done by Java handlers on Java threads "
                + "through zero-copy burst receive and transmit (PacketQueue): one queue and one Java loop per worker "
                + "lcore, RSS spreading flows over the queues; with one worker lcore, l2echo.", true, System.out,
                System.err)
                .configuring(config -> config.toBuilder()
                        .packetHandlers((queue, device) -> JavaHandlerEcho::swapMacs, IdleStrategy.busySpin()).build());
        System.exit(app.run(args));
    }

    /* The handler: every frame back out of the queue it came in on, MACs swapped in place, lengths as received. */
    static void swapMacs(PacketBurst burst) {
        for (int i = 0; i < burst.size(); i++) {
            burst.swapMacs(i);
            burst.send(i);
        }
    }
}
