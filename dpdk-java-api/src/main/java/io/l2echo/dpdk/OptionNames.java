package io.l2echo.dpdk;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/* The lower-case names SwapLevel and ReflectPolicy take in options and telemetry, and their parsing. */
final class OptionNames {
    private OptionNames() {
    }

    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /* The constant {@code name} names, case-insensitively; IllegalArgumentException listing the choices otherwise. */
    static <E extends Enum<E>> E parse(Class<E> type, String what, String name) {
        for (E constant : type.getEnumConstants()) {
            if (of(constant).equalsIgnoreCase(name)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "': one of "
                + Arrays.stream(type.getEnumConstants()).map(OptionNames::of).collect(Collectors.joining(", ")));
    }
}
