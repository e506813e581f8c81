package io.l2echo.dpdk.internal;

import io.l2echo.dpdk.EalArguments;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The hugetlbfs files a shared-memory primary leaves after {@code rte_eal_cleanup} (EAL keeps
 * them for secondaries that may still map them): {@code PREFIXmap_N} in {@code --huge-dir}, or
 * in every hugetlbfs mount when none is given. The prefix's primary lock was ours, so every
 * such file is this process's, or a crashed run's of the same prefix.
 */
public final class HugepageFiles {
    private HugepageFiles() {
    }

    /** Removes them; returns what could not be removed, with why. */
    public static List<String> remove(List<String> ealArgs, Path procMounts) {
        List<String> prefixes = EalArguments.optionValues(ealArgs, "--file-prefix", null);
        String prefix = prefixes.isEmpty() ? "rte" : prefixes.get(prefixes.size() - 1);
        List<String> hugeDirs = EalArguments.optionValues(ealArgs, "--huge-dir", null);
        List<Path> directories = hugeDirs.isEmpty() ? hugetlbfsMounts(procMounts)
                : List.of(Path.of(hugeDirs.get(hugeDirs.size() - 1)));
        List<String> failures = new ArrayList<>();
        for (Path directory : directories) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, prefix + "map_*")) {
                for (Path file : files) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        failures.add(file + ": " + e);
                    }
                }
            } catch (IOException e) {
                failures.add(directory + ": " + e);
            }
        }
        return failures;
    }

    private static List<Path> hugetlbfsMounts(Path procMounts) {
        List<Path> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procMounts)) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("hugetlbfs")) {
                    mounts.add(Path.of(fields[1].replace("\\040", " ")));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return mounts;
    }
}
