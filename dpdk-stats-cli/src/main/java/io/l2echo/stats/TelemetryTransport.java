package io.l2echo.stats;

/** One connection to a telemetry server: its greeting, then request and reply. */
interface TelemetryTransport extends AutoCloseable {
    /** The JSON the server sent on connect. */
    String greeting();

    /** Sends one command such as {@code /ethdev/stats,0} and returns the raw JSON reply. */
    String request(String command) throws TelemetryException;

    @Override
    void close();
}
