#!/usr/bin/env bash
# Loads the built jars in an arm64 JVM under qemu-user: the aarch64 shim from the native jar.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/arm64_load_check.sh [--help]    (after mvn package -Dnative.crossArm64)

Runs Debian's arm64 OpenJDK 17 (openjdk-17-jre-headless:arm64, 43 MB, fetched with apt-get
download and unpacked under dpdk-jni-native/target/aarch64, never installed) under qemu-aarch64,
with the project's dpdk-java-api classes and the dpdk-jni-native jar on its class path. A small
probe prints os.arch and the folder NativeLoader picks, loads the shim from the jar (JNI_OnLoad
registers every native), and checks the counter and frame-record layouts against Java's
(QueueCounters/PacketQueue.verifyLayout). The same probe then runs on the host's JVM, which
must pick linux-x86_64 from the same jar. No EAL is started: DPDK itself is not run.

Needs what scripts/install_deps.sh --cross-arm64 installs (qemu-user, the cross toolchain's
arm64 libc, apt's arm64 lists) and the arm64 libraries scripts/cross_build_arm64.sh unpacked.
USAGE
}

die() { echo "arm64_load_check: error: $*" >&2; exit 1; }
say() { echo "arm64_load_check: $*"; }

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) die "unknown option '$1' (see --help)" ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="$ROOT/dpdk-jni-native/target/aarch64"
LIBS="$WORK/root/usr/lib/aarch64-linux-gnu:$WORK/root/lib/aarch64-linux-gnu"
command -v qemu-aarch64 >/dev/null 2>&1 || die "no qemu-aarch64: scripts/install_deps.sh --cross-arm64 installs qemu-user"
[[ -d "$WORK/root/usr/lib/aarch64-linux-gnu" ]] || die "no arm64 libraries in $WORK/root: run scripts/cross_build_arm64.sh (or mvn package -Dnative.crossArm64) first"
JAR=$(ls "$ROOT"/dpdk-jni-native/target/dpdk-jni-native-*.jar 2>/dev/null | head -n1)
[[ -n "$JAR" ]] || die "no dpdk-jni-native jar: mvn package -Dnative.crossArm64 first"
unzip -l "$JAR" | grep -q 'META-INF/native/linux-aarch64/libdpdkj.so' \
  || die "$JAR has no linux-aarch64 shim: build it with mvn package -Dnative.crossArm64"
API="$ROOT/dpdk-java-api/target/classes"
[[ -f "$API/io/l2echo/dpdk/internal/NativeLoader.class" ]] || die "dpdk-java-api is not compiled: mvn package first"
# The API logs through SLF4J: its jar from the local Maven repository, at the version the build uses.
slf4j_version=$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' "$ROOT/pom.xml")
SLF4J="${MAVEN_REPO:-$HOME/.m2/repository}/org/slf4j/slf4j-api/$slf4j_version/slf4j-api-$slf4j_version.jar"
[[ -f "$SLF4J" ]] || die "no $SLF4J: build the project with Maven first (or set MAVEN_REPO to your local repository)"

JRE_DIR="$WORK/jre"
JAVA_ARM64="$JRE_DIR/usr/lib/jvm/java-17-openjdk-arm64/bin/java"
if [[ ! -x "$JAVA_ARM64" ]]; then
  say "fetching openjdk-17-jre-headless:arm64 (unpacked under $JRE_DIR, not installed)"
  mkdir -p "$WORK/debs"
  (cd "$WORK/debs" && apt-get download -q -o APT::Sandbox::User=root openjdk-17-jre-headless:arm64 >/dev/null) \
    || die "apt-get download openjdk-17-jre-headless:arm64 failed (apt's arm64 lists: install_deps.sh --cross-arm64)"
  rm -rf "$JRE_DIR"
  dpkg-deb -x "$(ls -t "$WORK"/debs/openjdk-17-jre-headless_*_arm64.deb | head -n1)" "$JRE_DIR"
fi

PROBE="$WORK/probe"
rm -rf "$PROBE"
mkdir -p "$PROBE/src/io/l2echo/dpdk"
cat > "$PROBE/src/io/l2echo/dpdk/ArchProbe.java" <<'EOF'
package io.l2echo.dpdk;

import io.l2echo.dpdk.internal.EchoWorkerNatives;
import io.l2echo.dpdk.internal.NativeLoader;
import io.l2echo.dpdk.internal.PacketQueueNatives;

public class ArchProbe {
    public static void main(String[] args) {
        System.out.println("os.arch " + System.getProperty("os.arch") + ": NativeLoader picks " + NativeLoader.platform());
        NativeLoader.load();
        QueueCounters.verifyLayout(EchoWorkerNatives.layout());
        PacketQueue.verifyLayout(PacketQueueNatives.layout());
        System.out.println("shim loaded from the jar, natives registered, layouts match Java's");
    }
}
EOF
javac -d "$PROBE/classes" -cp "$API" "$PROBE/src/io/l2echo/dpdk/ArchProbe.java"
CP="$PROBE/classes:$API:$JAR:$SLF4J"

say "arm64 JVM under qemu-aarch64:"
out=$(qemu-aarch64 -L /usr/aarch64-linux-gnu -E "LD_LIBRARY_PATH=$LIBS" "$JAVA_ARM64" -Xshare:off \
        -Dslf4j.internal.verbosity=ERROR -cp "$CP" io.l2echo.dpdk.ArchProbe 2>&1) \
  || { echo "$out" >&2; die "the arm64 JVM could not load the aarch64 shim"; }
echo "$out"
[[ "$out" == *"picks linux-aarch64"* ]] || die "the arm64 JVM did not pick linux-aarch64"
say "host JVM:"
out=$(java -Dslf4j.internal.verbosity=ERROR -cp "$CP" io.l2echo.dpdk.ArchProbe 2>&1) \
  || { echo "$out" >&2; die "the host JVM could not load its shim from the same jar"; }
echo "$out"
say "one jar, both machines: passed"
