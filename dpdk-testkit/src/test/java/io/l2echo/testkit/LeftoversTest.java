package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class LeftoversTest {

    @Test
    void mountPathsAreUnescaped() {
        assertEquals("/mnt/huge pages", Leftovers.unescapeMountPath("/mnt/huge\\040pages"));
        assertEquals("/dev/hugepages", Leftovers.unescapeMountPath("/dev/hugepages"));
        assertEquals("/odd\\09", Leftovers.unescapeMountPath("/odd\\09"));
    }

    @Test
    void foundDescribesWhatIsLeft() {
        Leftovers.Found nothing = new Leftovers.Found("p1", List.of(), Optional.empty());
        assertTrue(nothing.isEmpty());
        assertEquals("nothing left by DPDK file prefix 'p1'", nothing.toString());
        Leftovers.Found some = new Leftovers.Found("p1", List.of(Path.of("/dev/hugepages/p1map_0")),
                Optional.of(Path.of("/var/run/dpdk/p1")));
        assertEquals("left by DPDK file prefix 'p1': 1 hugepage file(s) [/dev/hugepages/p1map_0], "
                + "runtime directory /var/run/dpdk/p1", some.toString());
    }

    /** Plays DPDK's part with empty files (no hugepage is allocated before mmap): needs root and a hugetlbfs mount. */
    @Test
    @Tag("dpdk")
    void findsAndRemovesOnlyWhatAppearedUnderThePrefix() throws IOException {
        List<Path> mounts = Leftovers.hugepageMounts();
        assertFalse(mounts.isEmpty(), "no hugetlbfs mount in /proc/mounts: see LAB-NOTES.md, Hugepages");
        String prefix = "l2e-tk-leftovers-" + ProcessHandle.current().pid();
        Path runtime = Leftovers.runtimeDirectory(prefix);
        boolean dpdkDirectoryExisted = Files.exists(runtime.getParent());
        Path otherPrefix = mounts.get(0).resolve("l2e-tk-other-" + ProcessHandle.current().pid() + "map_0");

        Leftovers leftovers = Leftovers.snapshot(prefix);
        assertTrue(leftovers.check().isEmpty(), leftovers.check().toString());
        Path hugepage = Files.createFile(mounts.get(0).resolve(prefix + "map_0"));
        Files.createFile(otherPrefix);
        try {
            Files.createDirectories(runtime);
            Files.writeString(runtime.resolve("config"), "x");

            Leftovers.Found found = leftovers.check();
            assertEquals(List.of(hugepage), found.hugepageFiles(), "the other prefix's file is not ours");
            assertEquals(Optional.of(runtime), found.runtimeDirectory());
            assertEquals(found, leftovers.remove());

            assertTrue(leftovers.check().isEmpty(), leftovers.check().toString());
            assertFalse(Files.exists(hugepage));
            assertFalse(Files.exists(runtime));
            assertEquals(dpdkDirectoryExisted, Files.exists(runtime.getParent()), "dpdk directory as before");
            assertTrue(Files.exists(otherPrefix), "left alone");
        } finally {
            Files.deleteIfExists(otherPrefix);
            leftovers.remove();
        }
    }
}
