package io.l2echo.dpdk;

/**
 * Makes the {@link PacketHandler} of one queue, once per queue, before its loop starts, on the
 * thread that starts the service. Handlers made for different queues share nothing unless the
 * factory makes them.
 */
@FunctionalInterface
public interface PacketHandlerFactory {
    /**
     * @param queue the queue the handler will serve
     * @param device the queue's port: its MAC address (what a responder answers for), its limits
     * @return the queue's handler, never null
     */
    PacketHandler create(QueueRef queue, DeviceInfo device);
}
