# Cross-compiles the shim for arm64 Linux on an x86-64 Debian/Ubuntu host:
#   cmake -S dpdk-jni-native -B build-arm64 \
#     -DCMAKE_TOOLCHAIN_FILE=dpdk-jni-native/cmake/aarch64-linux-gnu.cmake -DDPDKJ_ARM64_ROOT=<root>
# The compiler, libc and libstdc++ are the distribution's cross toolchain (g++-aarch64-linux-gnu).
# DPDK and the libraries it needs come from <root>: arm64 packages unpacked with dpkg-deb -x
# (scripts/cross_build_arm64.sh makes it), never installed into the host. JNI's headers are the
# host JDK's: jni.h is the same everywhere and jni_md.h is the same for every Linux architecture.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

set(DPDKJ_ARM64_ROOT "" CACHE PATH "Folder holding arm64 DPDK and its dependencies, unpacked from .debs")
# try_compile projects read this file again: hand them the folder too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES DPDKJ_ARM64_ROOT)
if(NOT IS_DIRECTORY "${DPDKJ_ARM64_ROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "DPDKJ_ARM64_ROOT ('${DPDKJ_ARM64_ROOT}') holds no usr/lib/aarch64-linux-gnu: "
    "make it with scripts/cross_build_arm64.sh, or unpack libdpdk-dev:arm64 and its dependencies there")
endif()

# pkg-config reads the arm64 .pc files only, and prefixes the folder to every -I and -L they
# give (-I/usr/include too, where libbsd's headers are: not the host's, so it must stay).
set(ENV{PKG_CONFIG_LIBDIR}
  "${DPDKJ_ARM64_ROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${DPDKJ_ARM64_ROOT}/usr/lib/pkgconfig:${DPDKJ_ARM64_ROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${DPDKJ_ARM64_ROOT}")
set(ENV{PKG_CONFIG_ALLOW_SYSTEM_CFLAGS} 1)
set(ENV{PKG_CONFIG_ALLOW_SYSTEM_LIBS} 1)

# DPDK's libraries need others (libnuma, libbsd, libjansson, ...): let the linker find them there.
set(_dpdkj_rpath_link
  "-Wl,-rpath-link,${DPDKJ_ARM64_ROOT}/usr/lib/aarch64-linux-gnu:${DPDKJ_ARM64_ROOT}/lib/aarch64-linux-gnu")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_dpdkj_rpath_link}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_dpdkj_rpath_link}")
# No RUNPATH into that folder in what we build: the shim finds DPDK where the arm64 machine has it.
set(CMAKE_SKIP_RPATH ON CACHE BOOL "No run path into the unpacked arm64 folder")

# With qemu-user on the host (Debian's qemu-user), CTest runs the arm64 test programs under it:
# libc and libstdc++ from the cross toolchain's folder, DPDK's libraries from the unpacked one.
find_program(DPDKJ_QEMU_AARCH64 qemu-aarch64)
if(DPDKJ_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${DPDKJ_QEMU_AARCH64};-L;/usr/aarch64-linux-gnu;-E;LD_LIBRARY_PATH=${DPDKJ_ARM64_ROOT}/usr/lib/aarch64-linux-gnu:${DPDKJ_ARM64_ROOT}/lib/aarch64-linux-gnu")
endif()
