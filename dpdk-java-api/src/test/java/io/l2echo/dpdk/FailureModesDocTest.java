package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/failure-modes.md: every row of its tables names a test as `Class#method`, and each one
 * must exist, or the table lies.
 */
class FailureModesDocTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern REFERENCE = Pattern.compile("`([A-Z]\\w+)(?:#(\\w+))?`");

    @Test
    void everyTestTheTableNamesExists() throws IOException {
        String table = Files.readString(REPO.resolve("docs/failure-modes.md"));
        List<String> missing = new ArrayList<>();
        int references = 0;
        Matcher m = REFERENCE.matcher(table);
        while (m.find()) {
            String className = m.group(1);
            if (!className.endsWith("Test") && !className.endsWith("IT")) {
                continue; // `Leftovers`, `Eal`: not tests
            }
            references++;
            String source = sourceOf(className);
            if (source == null) {
                missing.add(className);
            } else if (m.group(2) != null && !source.contains("void " + m.group(2) + "(")) {
                missing.add(className + "#" + m.group(2));
            }
        }
        assertTrue(references > 20, "the table names its tests: " + references);
        assertEquals(List.of(), missing, "tests named in docs/failure-modes.md that do not exist");
    }

    @Test
    void everyRowNamesATest() throws IOException {
        List<String> untested = Files.readAllLines(REPO.resolve("docs/failure-modes.md")).stream()
                .filter(line -> line.startsWith("| ") && !line.startsWith("| ---") && !line.startsWith("| what")
                        && !line.startsWith("| frame ") && !line.startsWith("| misuse "))
                .filter(line -> !Pattern.compile("`[A-Z]\\w+(IT|Test)#\\w+`|test_macswap|test_reflect").matcher(line).find())
                .toList();
        assertEquals(List.of(), untested, "rows of docs/failure-modes.md without a test (known limits go below them)");
    }

    private static String sourceOf(String className) throws IOException {
        try (Stream<Path> files = Files.walk(REPO, 12)) {
            Path file = files.filter(p -> p.getFileName().toString().equals(className + ".java"))
                    .filter(p -> p.toString().contains("/src/test/")).findFirst().orElse(null);
            return file == null ? null : Files.readString(file);
        }
    }
}
