package io.l2echo.dpdk;

import java.util.ArrayList;
import java.util.List;

/**
 * The argument vector handed to rte_eal_init. Without a memory-mode option of the user's,
 * {@code --in-memory} is added: DPDK otherwise leaves its hugepage files behind at exit,
 * and a multi-process setup is something a user asks for explicitly.
 */
public final class EalArguments {
    /** Options that say how hugepage memory is kept; any of them leaves the choice to the user. */
    private static final List<String> MEMORY_MODE_OPTIONS =
            List.of("--in-memory", "--no-huge", "--huge-unlink", "--legacy-mem", "--proc-type", "--no-shconf");

    private EalArguments() {
    }

    public static List<String> withDefaults(List<String> ealArgs) {
        for (String arg : ealArgs) {
            for (String option : MEMORY_MODE_OPTIONS) {
                if (arg.equals(option) || arg.startsWith(option + "=")) {
                    return List.copyOf(ealArgs);
                }
            }
        }
        List<String> args = new ArrayList<>(ealArgs);
        args.add("--in-memory");
        return List.copyOf(args);
    }
}
