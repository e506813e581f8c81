package io.l2echo.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a DPDK process with a given {@code --file-prefix} leaves on the machine: hugepage files
 * named after the prefix on every hugetlbfs mount, and its runtime directory
 * ({@code /var/run/dpdk/PREFIX} for root). Take a {@link #snapshot} before the process starts;
 * after it exits, {@link #check()} lists what appeared since, and {@link #remove()} deletes it.
 *
 * <p>Without {@code --in-memory}, DPDK keeps its hugepage files after exit by design; the runtime
 * directory (telemetry socket, multi-process config) stays in DPDK 22.11 even with it.
 */
public final class Leftovers {

    /**
     * What appeared since the snapshot.
     *
     * @param runtimeDirectory present if it was created since the snapshot and still exists
     */
    public record Found(String filePrefix, List<Path> hugepageFiles, Optional<Path> runtimeDirectory) {

        public Found {
            hugepageFiles = List.copyOf(hugepageFiles);
        }

        public boolean isEmpty() {
            return hugepageFiles.isEmpty() && runtimeDirectory.isEmpty();
        }

        @Override
        public String toString() {
            if (isEmpty()) {
                return "nothing left by DPDK file prefix '" + filePrefix + "'";
            }
            List<String> parts = new ArrayList<>();
            if (!hugepageFiles.isEmpty()) {
                parts.add(hugepageFiles.size() + " hugepage file(s) " + hugepageFiles);
            }
            runtimeDirectory.ifPresent(dir -> parts.add("runtime directory " + dir));
            return "left by DPDK file prefix '" + filePrefix + "': " + String.join(", ", parts);
        }
    }

    private static final Path MOUNTS = Path.of("/proc/mounts");

    private final String filePrefix;
    private final Set<Path> hugepageFilesBefore;
    private final boolean runtimeDirectoryExisted;
    private final boolean dpdkDirectoryExisted;

    private Leftovers(String filePrefix, Set<Path> hugepageFilesBefore, boolean runtimeDirectoryExisted,
                      boolean dpdkDirectoryExisted) {
        this.filePrefix = filePrefix;
        this.hugepageFilesBefore = hugepageFilesBefore;
        this.runtimeDirectoryExisted = runtimeDirectoryExisted;
        this.dpdkDirectoryExisted = dpdkDirectoryExisted;
    }

    /** Records the present state; take it before starting the process that uses {@code filePrefix}. */
    public static Leftovers snapshot(String filePrefix) throws IOException {
        if (filePrefix.isEmpty() || filePrefix.contains("/")) {
            throw new IllegalArgumentException("bad DPDK file prefix '" + filePrefix + "'");
        }
        Path runtime = runtimeDirectory(filePrefix);
        return new Leftovers(filePrefix, new HashSet<>(hugepageFiles()), Files.exists(runtime, LinkOption.NOFOLLOW_LINKS),
                Files.exists(runtime.getParent(), LinkOption.NOFOLLOW_LINKS));
    }

    /** Where EAL puts the runtime directory: {@code /var/run} for root, else {@code $XDG_RUNTIME_DIR} or {@code /tmp}. */
    public static Path runtimeDirectory(String filePrefix) {
        String base = "/var/run";
        if (LibC.getuid() != 0) {
            String xdg = System.getenv("XDG_RUNTIME_DIR");
            base = xdg != null && !xdg.isEmpty() ? xdg : "/tmp";
        }
        return Path.of(base, "dpdk", filePrefix);
    }

    /** The mount points of every hugetlbfs file system, from {@code /proc/mounts}. */
    public static List<Path> hugepageMounts() throws IOException {
        List<Path> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTS, StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            if (fields.length > 2 && fields[2].equals("hugetlbfs")) {
                mounts.add(Path.of(unescapeMountPath(fields[1])));
            }
        }
        return mounts;
    }

    public String filePrefix() {
        return filePrefix;
    }

    /** The hugepage files named after the prefix and the runtime directory that appeared since the snapshot. */
    public Found check() throws IOException {
        List<Path> files = hugepageFiles().stream()
                .filter(file -> !hugepageFilesBefore.contains(file))
                .filter(file -> file.getFileName().toString().startsWith(filePrefix))
                .sorted()
                .collect(Collectors.toList());
        Path runtime = runtimeDirectory(filePrefix);
        boolean runtimeCreated = !runtimeDirectoryExisted && Files.exists(runtime, LinkOption.NOFOLLOW_LINKS);
        return new Found(filePrefix, files, runtimeCreated ? Optional.of(runtime) : Optional.empty());
    }

    /**
     * Fails when the process under test left anything behind, after removing it so that the
     * next test starts clean.
     */
    public void assertNoneLeft() throws IOException {
        Found found = check();
        if (!found.isEmpty()) {
            remove();
            throw new AssertionError("left behind (now removed): " + found);
        }
    }

    /**
     * Fails when the process under test left hugepage files, for a process that leaves its
     * runtime directory by design (DPDK 22.11's own apps, a killed process); removes whatever it
     * left, the runtime directory included, either way.
     */
    public void assertNoHugepageFilesLeft() throws IOException {
        Found found = remove();
        if (!found.hugepageFiles().isEmpty()) {
            throw new AssertionError("left behind (now removed): " + found);
        }
    }

    /**
     * Deletes what {@link #check()} finds, and the {@code dpdk} directory above the runtime
     * directory if the snapshot predates it and it is empty now. Call once the process has exited.
     *
     * @return what was deleted
     */
    public Found remove() throws IOException {
        Found found = check();
        for (Path file : found.hugepageFiles()) {
            Files.deleteIfExists(file);
        }
        if (found.runtimeDirectory().isPresent()) {
            deleteTree(found.runtimeDirectory().get());
        }
        Path dpdkDirectory = runtimeDirectory(filePrefix).getParent();
        if (!dpdkDirectoryExisted && Files.isDirectory(dpdkDirectory, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> entries = Files.list(dpdkDirectory)) {
                if (entries.findAny().isEmpty()) {
                    // Another DPDK process may create its directory here at any moment: then it stays.
                    Files.deleteIfExists(dpdkDirectory);
                }
            } catch (DirectoryNotEmptyException raced) {
                // As above: someone else's now.
            }
        }
        return found;
    }

    private static List<Path> hugepageFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path mount : hugepageMounts()) {
            if (Files.isDirectory(mount)) {
                try (Stream<Path> entries = Files.list(mount)) {
                    entries.forEach(files::add);
                }
            }
        }
        return files;
    }

    /** Deepest first; walk does not follow links, so nothing outside the directory is touched. */
    private static void deleteTree(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    /** /proc/mounts writes space, tab, newline and backslash in paths as octal escapes. */
    static String unescapeMountPath(String field) {
        StringBuilder path = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && isOctal(field, i + 1)) {
                path.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                path.append(c);
            }
        }
        return path.toString();
    }

    private static boolean isOctal(String s, int from) {
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
