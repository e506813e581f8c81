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

    /*
     * A secondary maps the primary's memory at the primary's addresses. In a JVM, EAL's default
     * hint (4 GiB) lies under the Java heap, so EAL takes whatever the kernel offers near the
     * libraries, where a tool's own randomised libraries may already sit: the attach then fails
     * at random. 32 TiB is free in both.
     */
    private static final String CAPTURE_BASE_VIRTADDR = "0x200000000000";
    /* Memory modes no secondary process can attach to. */
    private static final List<String> CAPTURE_EXCLUDES = List.of("--in-memory", "--no-shconf", "--no-huge",
            "--huge-unlink");

    private EalArguments() {
    }

    /**
     * The values an EAL option is given, in order, in each of getopt's forms: {@code --name=V},
     * {@code --name V}, and for a short name {@code -n V} and {@code -nV}.
     */
    public static List<String> optionValues(List<String> ealArgs, String longName, String shortName) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < ealArgs.size(); i++) {
            String arg = ealArgs.get(i);
            boolean separate = arg.equals(longName) || (shortName != null && arg.equals(shortName));
            if (separate && i + 1 < ealArgs.size()) {
                values.add(ealArgs.get(++i));
            } else if (arg.startsWith(longName + "=")) {
                values.add(arg.substring(longName.length() + 1));
            } else if (shortName != null && arg.startsWith(shortName) && arg.length() > shortName.length()
                    && !arg.startsWith("--")) {
                values.add(arg.substring(shortName.length()));
            }
        }
        return values;
    }

    /**
     * {@code ealArgs} for {@link Capture#DPDK_TOOLS}: memory shared with secondary processes,
     * found by the {@code --file-prefix} they must give, with {@code --proc-type=primary} added,
     * and a {@code --base-virtaddr} the tools can map it at unless one is given.
     *
     * @throws IllegalArgumentException naming what to change: no {@code --file-prefix}, or an
     *     option that keeps secondaries out ({@code --in-memory}, {@code --no-shconf},
     *     {@code --no-huge}, {@code --huge-unlink}) or makes this process one
     */
    public static List<String> forCapture(List<String> ealArgs) {
        List<String> prefixes = optionValues(ealArgs, "--file-prefix", null);
        if (prefixes.isEmpty() || prefixes.get(prefixes.size() - 1).isBlank()) {
            throw new IllegalArgumentException("capture needs --file-prefix=NAME among the EAL options: the capture "
                    + "tools attach by it (dpdk-dumpcap --file-prefix=NAME)");
        }
        for (String arg : ealArgs) {
            for (String option : CAPTURE_EXCLUDES) {
                if (arg.equals(option) || arg.startsWith(option + "=")) {
                    throw new IllegalArgumentException("capture needs hugepage memory that other processes can map, "
                            + "and " + option + " keeps them out: leave it out (capture removes its hugepage files "
                            + "at exit as --in-memory does)");
                }
            }
        }
        List<String> types = optionValues(ealArgs, "--proc-type", null);
        if (types.stream().anyMatch(type -> !type.equals("primary"))) {
            throw new IllegalArgumentException("capture makes this process DPDK's primary, which the tools attach to; "
                    + "--proc-type=" + types.get(types.size() - 1) + " says otherwise: leave it out");
        }
        List<String> args = new ArrayList<>(ealArgs);
        if (types.isEmpty()) {
            args.add("--proc-type=primary");
        }
        if (optionValues(ealArgs, "--base-virtaddr", null).isEmpty()) {
            args.add("--base-virtaddr=" + CAPTURE_BASE_VIRTADDR);
        }
        return List.copyOf(args);
    }

    /** {@code ealArgs} with {@code --in-memory} added, unless one of them already says how hugepage memory is kept. */
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
