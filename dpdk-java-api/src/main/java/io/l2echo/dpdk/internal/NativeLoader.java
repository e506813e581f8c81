package io.l2echo.dpdk.internal;

import io.l2echo.dpdk.DpdkException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the shim once per process: from {@code -Ddpdkj.library=/path/libdpdkj.so} if given,
 * else unpacked from {@code META-INF/native/linux-<arch>/} of the dpdk-jni-native jar. When
 * loading fails it says why in terms a user can act on (DPDK missing, noexec temp dir).
 */
public final class NativeLoader {
    public static final String LIBRARY_PROPERTY = "dpdkj.library";
    private static final String LIBRARY_FILE = "libdpdkj.so";
    private static final String OPERATION = "load the DPDK shim (" + LIBRARY_FILE + ")";

    private static boolean loaded;

    private NativeLoader() {
    }

    public static synchronized void load() {
        if (loaded) {
            return;
        }
        String explicit = System.getProperty(LIBRARY_PROPERTY);
        if (explicit != null) {
            loadFile(Path.of(explicit));
        } else {
            loadFromClasspath();
        }
        loaded = true;
    }

    private static void loadFromClasspath() {
        String resource = "META-INF/native/" + platform() + "/" + LIBRARY_FILE;
        try (InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new DpdkException(OPERATION, resource + " is not on the classpath",
                        "build with 'mvn package' on a machine with DPDK's development files "
                                + "(scripts/install_deps.sh), without -DskipNative (linux-aarch64 from an "
                                + "x86-64 host: -Dnative.crossArm64), or point -D" + LIBRARY_PROPERTY
                                + " at a built " + LIBRARY_FILE);
            }
            Path file = Files.createTempFile("libdpdkj-", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                loadFile(file);
            } finally {
                // The mapping outlives the file: nothing is left in the temp directory.
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new DpdkException(OPERATION, "cannot unpack it to " + System.getProperty("java.io.tmpdir")
                    + ": " + e.getMessage(), "point -Djava.io.tmpdir at a writable directory");
        }
    }

    private static void loadFile(Path file) {
        try {
            System.load(file.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new DpdkException(OPERATION, e.getMessage(), hintFor(e.getMessage()));
        }
    }

    public static String hintFor(String linkError) {
        String message = linkError == null ? "" : linkError;
        if (message.contains("librte_")) {
            return "DPDK's runtime libraries are missing or of another version than the shim was "
                    + "built against: install DPDK (scripts/install_deps.sh), or put your own "
                    + "build's lib directory on LD_LIBRARY_PATH and rebuild against it";
        }
        if (message.contains("failed to map segment") || message.contains("Operation not permitted")) {
            return "the temp directory is probably mounted noexec: point -Djava.io.tmpdir at an "
                    + "executable directory";
        }
        return "check that the shim matches this machine (" + platform() + ") and its DPDK";
    }

    public static String platform() {
        return platform(System.getProperty("os.arch"));
    }

    /** The jar's folder for a JVM's {@code os.arch}: x86-64 JVMs say amd64, arm64 ones aarch64. */
    static String platform(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            arch = "x86_64";
        }
        return "linux-" + arch;
    }
}
