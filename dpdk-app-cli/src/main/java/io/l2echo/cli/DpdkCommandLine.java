package io.l2echo.cli;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;

/**
 * What every app's command line shares, DPDK's convention {@code [EAL options] -- [app
 * options]}: the split, help asked for on either side, whole-number options, a port named
 * by id or device name, and log records on one line each as DPDK prints its own.
 */
public record DpdkCommandLine(List<String> ealArgs, List<String> appArgs) {

    /** Everything before the first {@code --} is EAL's; everything after it, the app's. */
    public static DpdkCommandLine split(String[] argv) {
        List<String> all = Arrays.asList(argv);
        int separator = all.indexOf("--");
        return separator < 0 ? new DpdkCommandLine(List.copyOf(all), List.of())
                : new DpdkCommandLine(List.copyOf(all.subList(0, separator)),
                        List.copyOf(all.subList(separator + 1, all.size())));
    }

    /** -h or --help among the EAL options: EAL would print its own usage and exit the JVM. */
    public boolean helpBeforeSeparator() {
        return ealArgs.contains("-h") || ealArgs.contains("--help");
    }

    /** A whole-number option, or {@code defaultValue} when absent. */
    public static long wholeNumber(CommandLine line, String name, long defaultValue) {
        String value = line.getOptionValue(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " takes a whole number, not '" + value + "'");
        }
    }

    /** One line per log record ("WARNING: ..."), set before the first logger is made. */
    public static void logOneLinePerRecord() {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
    }
}
