package io.l2echo.stats;

/** Talking to a DPDK process failed; the message says what happened and what to do. */
final class TelemetryException extends Exception {
    private static final long serialVersionUID = 1L;

    TelemetryException(String cause, String fix) {
        super(fix == null ? cause : cause + ". " + Character.toUpperCase(fix.charAt(0)) + fix.substring(1));
    }
}
