package io.l2echo.bench;

import io.l2echo.dpdk.IdleStrategy;
import io.l2echo.dpdk.PacketBurst;
import io.l2echo.dpdk.PacketQueue;
import io.l2echo.dpdk.cli.EchoApp;

/**
 * l2echo with its packet logic in Java: the same command line, ports, pools and plan, but each
 * queue is polled by a Java thread pinned to its lcore's CPUs, through {@link PacketQueue}'s
 * zero-copy burst receive and transmit, and the MACs are swapped in Java, in the received
 * mbufs. What the benchmark sets beside l2echo to price a Java handler per packet. Arguments
 * and output as l2echo's.
 */
public final class JavaHandlerEcho {
    static final String NAME = "java-handler-echo";

    private JavaHandlerEcho() {
    }

    public static void main(String[] args) {
        EchoApp app = new EchoApp(NAME, "l2echo's MAC-swap echo, the swap done by a Java handler on a Java thread "
                + "through zero-copy burst receive and transmit (PacketQueue).", false, System.out, System.err)
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
