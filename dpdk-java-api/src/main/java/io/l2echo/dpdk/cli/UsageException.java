package io.l2echo.dpdk.cli;

/** The command line is wrong; the message says what, and the app prints its usage after it. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
