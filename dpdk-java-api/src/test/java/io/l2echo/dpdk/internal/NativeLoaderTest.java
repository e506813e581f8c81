package io.l2echo.dpdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NativeLoaderTest {
    @Test
    void x86JvmsShareOneFolder() {
        assertEquals("linux-x86_64", NativeLoader.platform("amd64"));
        assertEquals("linux-x86_64", NativeLoader.platform("x86_64"));
    }

    @Test
    void arm64JvmsFindTheCrossBuiltShim() {
        // What os.arch says on arm64 JVMs (OpenJDK, Temurin): the folder -Dnative.crossArm64 fills.
        assertEquals("linux-aarch64", NativeLoader.platform("aarch64"));
    }
}
