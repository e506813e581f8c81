package io.l2echo.cli;

/** The command line is wrong; the message says what, and the app prints its usage after it. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    /** {@code message}: what is wrong with the command line, in words for the user. */
    public UsageException(String message) {
        super(message);
    }
}
