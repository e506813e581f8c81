package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fixture's bookkeeping, without DPDK: plays the process's part with a runtime directory (and
 * once a hugepage file) of its own making.
 */
class DpdkFixtureTest {

    private final DpdkFixture dpdk = new DpdkFixture();

    @Test
    void closesLastRegisteredFirstAndOnlyOnce() throws Exception {
        List<String> closed = new ArrayList<>();
        AutoCloseable bed = () -> closed.add("bed");
        AutoCloseable app = () -> closed.add("app");
        assertSame(bed, dpdk.closeAfter(bed));
        assertSame(app, dpdk.closeAfter(app));

        dpdk.finish();
        assertEquals(List.of("app", "bed"), closed);
        dpdk.finish();
        assertEquals(List.of("app", "bed"), closed, "forgotten once closed");
    }

    @Test
    void aFailingCloseStillClosesTheRestAndTheFirstFailureCarriesTheOthers() {
        List<String> closed = new ArrayList<>();
        dpdk.closeAfter(() -> closed.add("bed"));
        dpdk.closeAfter(() -> {
            throw new IOException("second app");
        });
        dpdk.closeAfter(() -> {
            throw new IOException("first app");
        });

        IOException thrown = assertThrows(IOException.class, dpdk::finish);
        assertEquals("first app", thrown.getMessage());
        assertEquals(1, thrown.getSuppressed().length);
        assertEquals("second app", thrown.getSuppressed()[0].getMessage());
        assertEquals(List.of("bed"), closed);
    }

    @Test
    void everyPrefixIsNewAndCleanPrefixesPass() throws Exception {
        String first = dpdk.filePrefix();
        String second = dpdk.filePrefix();
        assertNotEquals(first, second);
        assertDoesNotThrow(() -> dpdk.assertNoneLeft(first));
        assertDoesNotThrow(dpdk::finish);
        assertThrows(IllegalArgumentException.class, () -> dpdk.assertNoneLeft("l2e-not-handed-out"));
    }

    @Test
    void whatAPrefixLeftFailsAfterItsProcessIsClosedAndIsRemoved() throws Exception {
        String prefix = dpdk.filePrefix();
        Path runtime = Leftovers.runtimeDirectory(prefix);
        List<Boolean> existedWhenClosed = new ArrayList<>();
        dpdk.closeAfter(() -> existedWhenClosed.add(Files.exists(runtime)));
        Files.createDirectories(runtime);
        try {
            AssertionError thrown = assertThrows(AssertionError.class, dpdk::finish);
            assertEquals(List.of(true), existedWhenClosed, "closed before the check");
            assertEquals("left behind (now removed): left by DPDK file prefix '" + prefix + "': runtime directory "
                    + runtime, thrown.getMessage());
            assertFalse(Files.exists(runtime));
        } finally {
            Files.deleteIfExists(runtime);
        }
    }

    @Test
    void aRuntimeDirectoryLeftUnderAPrefixKeepingItPassesAndIsRemoved() throws Exception {
        String prefix = dpdk.filePrefixKeepingRuntimeDirectory();
        Path runtime = Leftovers.runtimeDirectory(prefix);
        try {
            Files.createDirectories(runtime);
            assertDoesNotThrow(() -> dpdk.assertNoneLeft(prefix));
            assertFalse(Files.exists(runtime), "removed when checked during the test");
            Files.createDirectories(runtime);
            assertDoesNotThrow(dpdk::finish);
            assertFalse(Files.exists(runtime), "and after it");
        } finally {
            Files.deleteIfExists(runtime);
        }
    }

    /* Plays DPDK's part with an empty file (no hugepage is allocated before mmap): needs root and a hugetlbfs mount. */
    @Test
    @Tag("dpdk")
    void aHugepageFileLeftUnderAPrefixKeepingItsRuntimeDirectoryFailsAndIsRemoved() throws Exception {
        List<Path> mounts = Leftovers.hugepageMounts();
        assertFalse(mounts.isEmpty(), "no hugetlbfs mount in /proc/mounts: see LAB-NOTES.md, Hugepages");
        String prefix = dpdk.filePrefixKeepingRuntimeDirectory();
        Path runtime = Leftovers.runtimeDirectory(prefix);
        Path hugepage = mounts.get(0).resolve(prefix + "map_0");
        try {
            Files.createDirectories(runtime);
            Files.createFile(hugepage);
            AssertionError thrown = assertThrows(AssertionError.class, dpdk::finish);
            assertEquals("left behind (now removed): left by DPDK file prefix '" + prefix + "': 1 hugepage file(s) ["
                    + hugepage + "], runtime directory " + runtime, thrown.getMessage());
            assertFalse(Files.exists(hugepage));
            assertFalse(Files.exists(runtime));
        } finally {
            Files.deleteIfExists(hugepage);
            Files.deleteIfExists(runtime);
        }
    }

    @Test
    void afterAPassingTestItsFailureIsTheTestsFailure() throws IOException {
        String prefix = dpdk.filePrefix();
        Path runtime = Files.createDirectories(Leftovers.runtimeDirectory(prefix));
        try {
            AssertionError thrown = assertThrows(AssertionError.class, () -> dpdk.afterEach(context(null)));
            assertTrue(thrown.getMessage().startsWith("left behind (now removed)"), thrown.getMessage());
        } finally {
            Files.deleteIfExists(runtime);
        }
    }

    @Test
    void afterAFailedTestItsFailureIsAddedToTheTestsNotInItsPlace() throws IOException {
        String prefix = dpdk.filePrefix();
        Path runtime = Files.createDirectories(Leftovers.runtimeDirectory(prefix));
        IOException closing = new IOException("app would not stop");
        dpdk.closeAfter(() -> {
            throw closing;
        });
        AssertionError testFailure = new AssertionError("the test's own");
        try {
            assertDoesNotThrow(() -> dpdk.afterEach(context(testFailure)));
            Throwable[] suppressed = testFailure.getSuppressed();
            assertEquals(1, suppressed.length);
            assertSame(closing, suppressed[0]);
            assertEquals(1, closing.getSuppressed().length, "the leftovers, after the close");
            assertTrue(closing.getSuppressed()[0].getMessage().startsWith("left behind (now removed)"));
        } finally {
            Files.deleteIfExists(runtime);
        }
    }

    /* Only getExecutionException is asked for. */
    private static ExtensionContext context(Throwable testFailure) {
        return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getExecutionException")) {
                        return Optional.ofNullable(testFailure);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
