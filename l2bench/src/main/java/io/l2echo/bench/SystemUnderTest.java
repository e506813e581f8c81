package io.l2echo.bench;

import io.l2echo.testkit.ProcThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** An echo the benchmark measures, and the command line that starts it on a given port. */
enum SystemUnderTest {
    TESTPMD("testpmd macswap", "DPDK's own C reference: dpdk-testpmd --forward-mode=macswap", "mac"),
    L2ECHO("l2echo", "our echo: java -jar l2echo.jar", "mac"),
    JAVA_HANDLER("l2echo, Java handler", "our API with the packet logic in Java (JavaHandlerEcho): a Java thread "
            + "polls the queue through PacketQueue's zero-copy bursts (one JNI call per poll, one per "
            + "burst sent; Java reads and writes the frames in their mbufs) and swaps the MACs in Java", "mac"),
    L2ECHO_UNDER_GARBAGE("l2echo + allocation load", "our echo embedded in a JVM whose other threads allocate "
            + "flat out (EchoUnderGarbage)", "mac"),
    KERNEL_ECHO("kernel socket echo", "a recv()/send() MAC-swap loop on an AF_PACKET socket (kernel_echo, C++), "
            + "the path the product exists to avoid", "mac"),
    TESTPMD_5TSWAP("testpmd 5tswap", "DPDK's own C reference for the deepest swap: dpdk-testpmd "
            + "--forward-mode=5tswap (MAC, IP addresses and UDP/TCP ports, up to the first layer that does not parse)",
            "ports"),
    L2ECHO_IP("l2echo --swap ip", "our echo swapping MAC and IP addresses", "ip"),
    L2ECHO_PORTS("l2echo --swap ports", "our echo swapping MAC and IP addresses and L4 ports, the level testpmd's "
            + "5tswap matches", "ports"),
    L2ECHO_CAPTURED("l2echo + dpdk-dumpcap", "our echo --capturable with dpdk-dumpcap attached for the whole run, "
            + "copying both directions into pcapng written to /dev/null; dumpcap is confined to the echo's CPU too, "
            + "where it takes lcore id 1, so this echo polls on lcore 2",
            "mac");

    /* Every collection the echo's JVM makes, on its output: none should come from the data path. */
    private static final String GC_LOG = "-Xlog:gc";

    private final String label;
    private final String description;
    private final String swapLevel;

    SystemUnderTest(String label, String description, String swapLevel) {
        this.label = label;
        this.description = description;
        this.swapLevel = swapLevel;
    }

    String label() {
        return label;
    }

    String description() {
        return description;
    }

    /** What the system swaps, as l2gen's {@code --swap} names it: what each echo is checked against. */
    String swapLevel() {
        return swapLevel;
    }

    /** testpmd, in whichever forward mode (it prints its own cycles figure). */
    boolean isTestpmd() {
        return this == TESTPMD || this == TESTPMD_5TSWAP;
    }

    /** Whether the system is one of our JVM echoes (which log their collections). */
    boolean runsInJvm() {
        return !isTestpmd() && this != KERNEL_ECHO;
    }

    /**
     * The lcore that polls the port: 1, or 2 when dpdk-dumpcap captures. The tool, confined to the
     * echo's CPU 1, takes lcore id 1 for itself (the first CPU it may run on), and two processes on
     * one lcore id share the capture pool's per-lcore mempool cache unguarded: copies came out
     * corrupted and the echo crashed.
     */
    int pollingLcore() {
        return this == L2ECHO_CAPTURED ? 2 : 1;
    }

    /** The thread that polls the port: the polling lcore's EAL thread, the Java handler's thread, or the kernel echo's only thread. */
    OptionalLong pollingThread(long pid) throws IOException {
        return switch (this) {
            case KERNEL_ECHO -> OptionalLong.of(pid);
            case JAVA_HANDLER -> ProcThreads.named(pid, List.of("packets-p0q0"));
            default -> ProcThreads.ealWorker(pid, pollingLcore());
        };
    }

    /** The command that echoes on the port the EAL arguments name, or on the kernel interface. */
    List<String> command(Path repo, Path java, List<String> eal, String kernelInterface) {
        List<String> command = new ArrayList<>();
        switch (this) {
            case TESTPMD, TESTPMD_5TSWAP -> {
                // stdbuf: testpmd's stdout is block-buffered on a pipe, and its stdin must stay open.
                command.addAll(List.of("stdbuf", "-oL", "dpdk-testpmd"));
                command.addAll(eal);
                command.addAll(List.of("--in-memory", "--", "--forward-mode=" + (this == TESTPMD ? "macswap" : "5tswap"),
                        "--auto-start", "--total-num-mbufs=16384", "--nb-cores=1", "--record-core-cycles"));
            }
            case L2ECHO, L2ECHO_IP, L2ECHO_PORTS, L2ECHO_CAPTURED -> {
                command.addAll(List.of(java.toString(), GC_LOG, "-jar",
                        repo.resolve("l2echo-app/target/l2echo.jar").toString()));
                command.addAll(eal);
                command.addAll(List.of("--", "--stats-interval", "0", "--swap", swapLevel));
                if (this == L2ECHO_CAPTURED) {
                    command.add("--capturable");
                }
            }
            case JAVA_HANDLER -> {
                command.addAll(List.of(java.toString(), GC_LOG, "-cp", repo.resolve("l2bench/target/l2bench.jar").toString(),
                        JavaHandlerEcho.class.getName()));
                command.addAll(eal);
                command.addAll(List.of("--", "--stats-interval", "0"));
            }
            case L2ECHO_UNDER_GARBAGE -> {
                command.addAll(List.of(java.toString(), GC_LOG, "-cp", repo.resolve("l2bench/target/l2bench.jar").toString(),
                        EchoUnderGarbage.class.getName()));
                command.addAll(eal);
                command.addAll(List.of("--", "--stats-interval", "0"));
            }
            case KERNEL_ECHO -> command.addAll(List.of(
                    repo.resolve("dpdk-jni-native/target/cmake/kernel_echo").toString(), kernelInterface));
            default -> throw new IllegalStateException(name());
        }
        return command;
    }
}
