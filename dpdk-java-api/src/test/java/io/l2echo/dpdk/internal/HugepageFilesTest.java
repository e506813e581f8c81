package io.l2echo.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HugepageFilesTest {
    @TempDir
    Path dir;

    @Test
    void removesThePrefixsFilesInEveryHugetlbfsMountAndNothingElse() throws IOException {
        Path pages2m = Files.createDirectories(dir.resolve("hugepages"));
        Path pages1g = Files.createDirectories(dir.resolve("huge 1G"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path mounts = Files.writeString(dir.resolve("mounts"), String.join("\n",
                "proc /proc proc rw 0 0",
                "hugetlbfs " + pages2m + " hugetlbfs rw,relatime,pagesize=2M 0 0",
                "hugetlbfs " + pages1g.toString().replace(" ", "\\040") + " hugetlbfs rw,pagesize=1024M 0 0",
                "tmpfs " + tmp + " tmpfs rw 0 0"));
        for (Path directory : List.of(pages2m, pages1g, tmp)) {
            for (String name : List.of("l2emap_0", "l2emap_17", "l2e2map_0", "rtemap_0")) {
                Files.createFile(directory.resolve(name));
            }
        }
        assertEquals(List.of(), HugepageFiles.remove(List.of("-l", "0", "--file-prefix=l2e"), mounts));
        for (Path directory : List.of(pages2m, pages1g)) {
            assertFalse(Files.exists(directory.resolve("l2emap_0")));
            assertFalse(Files.exists(directory.resolve("l2emap_17")));
            assertTrue(Files.exists(directory.resolve("l2e2map_0")), "another prefix's");
            assertTrue(Files.exists(directory.resolve("rtemap_0")), "another prefix's");
        }
        assertTrue(Files.exists(tmp.resolve("l2emap_0")), "not a hugetlbfs mount");
    }

    @Test
    void aHugeDirIsTheOnlyPlaceLookedIn() throws IOException {
        Path mounted = Files.createDirectories(dir.resolve("mounted"));
        Path chosen = Files.createDirectories(dir.resolve("chosen"));
        Path mounts = Files.writeString(dir.resolve("mounts"), "hugetlbfs " + mounted + " hugetlbfs rw 0 0\n");
        Files.createFile(mounted.resolve("rtemap_0"));
        Files.createFile(chosen.resolve("rtemap_0"));
        assertEquals(List.of(), HugepageFiles.remove(List.of("--huge-dir", chosen.toString()), mounts));
        assertFalse(Files.exists(chosen.resolve("rtemap_0")), "the default prefix is rte");
        assertTrue(Files.exists(mounted.resolve("rtemap_0")));
    }
}
