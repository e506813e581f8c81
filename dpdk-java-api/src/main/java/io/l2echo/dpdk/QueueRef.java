package io.l2echo.dpdk;

/** One Rx/Tx queue pair of a port: the echo receives and transmits on the same queue id. */
public record QueueRef(int port, int queue) {
    @Override
    public String toString() {
        return "port " + port + " queue " + queue;
    }
}
