package io.l2echo.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The API as a named module, the way a modular service uses it: its descriptor exports the API
 * and not the internals, and a JVM with the API on the module path loads the shim, echoes on a
 * net_null port and closes, while reflection into the internal package is refused.
 */
class ModulePathDpdkTest {
    private static final Path API_CLASSES = Path.of("target", "classes");
    private static final String NATIVE_RESOURCE = "META-INF/native/linux-x86_64/libdpdkj.so";

    @Test
    void theDescriptorExportsTheApiAndOpensTheInternalsOnlyToJna() {
        ModuleDescriptor api = ModuleFinder.of(API_CLASSES).find("io.l2echo.dpdk").orElseThrow().descriptor();
        assertEquals(Set.of("io.l2echo.dpdk", "io.l2echo.dpdk.metrics"),
                api.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(api.packages().contains("io.l2echo.dpdk.internal"), api.packages()::toString);
        assertEquals(Set.of("io.l2echo.dpdk.internal to [com.sun.jna]"), api.opens().stream()
                .map(o -> o.source() + " to " + o.targets()).collect(Collectors.toSet()));
    }

    @Tag("dpdk")
    @Test
    void aServiceOnTheModulePathEchoesAndCannotReachTheInternals() throws Exception {
        List<String> modulePath = new ArrayList<>(List.of(API_CLASSES.toString(), jarOf(Native.class),
                jarOf(LoggerFactory.class)));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=io.l2echo.dpdk,com.sun.jna"));
        URL shim = getClass().getClassLoader().getResource(NATIVE_RESOURCE);
        assertTrue(shim != null, NATIVE_RESOURCE + " is on the test class path");
        if (shim.getProtocol().equals("jar")) {
            modulePath.add(shim.getPath().substring("file:".length(), shim.getPath().indexOf("!/")));
        } else {
            command.add("-Ddpdkj.library=" + Path.of(shim.toURI())); // a reactor build before packaging
        }
        command.addAll(List.of("--module-path", String.join(File.pathSeparator, modulePath),
                "--add-modules", "ALL-MODULE-PATH", "-cp", Path.of("target", "test-classes").toString(),
                ModuleConsumer.class.getName(), "l2e-module-" + ProcessHandle.current().pid()));
        Path output = Files.createTempFile("module-consumer", ".log");
        try {
            Process consumer = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            boolean exited = consumer.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                consumer.destroyForcibly().waitFor();
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertTrue(exited && consumer.exitValue() == 0, "the consumer exited cleanly:\n" + printed);
            for (String fact : List.of("module io.l2echo.dpdk", "exports internal: false", "internal: refused",
                    "echoed: true", "closed")) {
                assertTrue(printed.lines().anyMatch(fact::equals), "'" + fact + "' in:\n" + printed);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String jarOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
