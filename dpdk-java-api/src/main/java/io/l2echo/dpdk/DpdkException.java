package io.l2echo.dpdk;

import java.util.Optional;

/**
 * A DPDK operation failed. Carries what was attempted, DPDK's errno with its name and text,
 * and what the user can do about it, so the message alone is enough to act on.
 */
public class DpdkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;
    private final String errnoName;
    private final String errnoText;
    private final String hint;

    /**
     * A failure a DPDK call returned: the positive {@code errno}, its name and text where known;
     * {@code detail} and {@code hint} may be null.
     */
    public DpdkException(String operation, String detail, int errno, String errnoName, String errnoText,
            String hint) {
        super(format(operation, detail, errno, errnoName, errnoText, hint));
        this.operation = operation;
        this.errno = errno;
        this.errnoName = errnoName;
        this.errnoText = errnoText;
        this.hint = hint;
    }

    /** A failure found before DPDK was asked: no errno. */
    public DpdkException(String operation, String detail, String hint) {
        this(operation, detail, 0, null, null, hint);
    }

    private static String format(String operation, String detail, int errno, String errnoName,
            String errnoText, String hint) {
        StringBuilder message = new StringBuilder(operation).append(" failed");
        if (detail != null && !detail.isEmpty()) {
            message.append(": ").append(detail);
        }
        if (errno != 0) {
            message.append(" (errno ").append(errno);
            if (errnoName != null) {
                message.append(' ').append(errnoName);
            }
            if (errnoText != null) {
                message.append(": ").append(errnoText);
            }
            message.append(')');
        }
        if (hint != null && !hint.isEmpty()) {
            message.append(". ").append(hint);
        }
        return message.toString();
    }

    /** What was attempted, such as "configure port 0". */
    public String operation() {
        return operation;
    }

    /** The positive errno DPDK returned, or 0 where the failure was found before calling it. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, such as {@code EINVAL}. */
    public Optional<String> errnoName() {
        return Optional.ofNullable(errnoName);
    }

    /** DPDK's text for the errno ({@code rte_strerror}). */
    public Optional<String> errnoText() {
        return Optional.ofNullable(errnoText);
    }

    /** What the user can do about it. */
    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }
}
