package io.l2echo.testkit;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up every DPDK integration test repeats, as a JUnit 5 extension: EAL file prefixes,
 * each with its {@link Leftovers} snapshot, and the beds and processes a test must close. After
 * each test it closes what was registered, last first (so an app stops before the bed it ran
 * on goes away), then fails the test if any prefix it handed out left anything behind; what
 * was left is removed, so the next test starts clean. A test that already failed keeps its own
 * failure, with the later ones added to it as suppressed.
 *
 * <pre>{@code
 * @RegisterExtension
 * final DpdkFixture dpdk = new DpdkFixture();
 *
 * @Test
 * void echoes() throws IOException {
 *     VethBed bed = dpdk.up(VethBed.builder().queues(2));
 *     EchoAppProcess echo = dpdk.closeAfter(EchoAppProcess.start(JAR, List.of("-l", "0,1", "--no-pci",
 *             "--vdev=" + bed.afPacketVdev(0), "--file-prefix=" + dpdk.filePrefix()), List.of()));
 *     echo.awaitEchoing();
 *     // ...
 * }
 * }</pre>
 *
 * <p>Register it on an instance field: it holds one test's state, and clears it after each test.
 */
public final class DpdkFixture implements AfterEachCallback {

    /* Per prefix handed out: its snapshot, and whether its process may leave its runtime directory. */
    private record Prefix(Leftovers snapshot, boolean keepsRuntimeDirectory) {
        void assertNoneLeft() throws IOException {
            if (keepsRuntimeDirectory) {
                snapshot.assertNoHugepageFilesLeft();
            } else {
                snapshot.assertNoneLeft();
            }
        }
    }

    private final Map<String, Prefix> prefixes = new LinkedHashMap<>();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    /**
     * A new {@code --file-prefix} for this test, no other DPDK process's, whose
     * {@linkplain Leftovers#snapshot snapshot} is taken now: call it before starting the process
     * that uses it. Each call gives another.
     */
    public String filePrefix() throws IOException {
        return newPrefix(false);
    }

    /**
     * A file prefix as {@link #filePrefix()}, for a process that leaves its runtime directory
     * by design: DPDK 22.11's own apps ({@code dpdk-testpmd}) do after a clean exit, and any
     * DPDK process killed with SIGKILL does. Only hugepage files it left fail the test; the
     * directory is removed all the same. Our apps remove theirs: give them {@link #filePrefix()}.
     */
    public String filePrefixKeepingRuntimeDirectory() throws IOException {
        return newPrefix(true);
    }

    private String newPrefix(boolean keepsRuntimeDirectory) throws IOException {
        String prefix = EchoAppProcess.uniqueFilePrefix();
        prefixes.put(prefix, new Prefix(Leftovers.snapshot(prefix), keepsRuntimeDirectory));
        return prefix;
    }

    /** Puts up the bed and takes it down after the test. */
    public VethBed up(VethBed.Builder bed) throws IOException {
        return closeAfter(bed.up());
    }

    /** Closes {@code resource} after the test, before whatever was registered earlier; returns it. */
    public <T extends AutoCloseable> T closeAfter(T resource) {
        toClose.push(Objects.requireNonNull(resource, "resource"));
        return resource;
    }

    /**
     * Fails now if the process using {@code filePrefix}, one this fixture handed out, left
     * anything behind (of a {@link #filePrefixKeepingRuntimeDirectory()}: any hugepage file),
     * removing it: for a test that checks one process while another still runs. After the
     * test it is checked again, with the others.
     */
    public void assertNoneLeft(String filePrefix) throws IOException {
        Prefix prefix = prefixes.get(filePrefix);
        if (prefix == null) {
            throw new IllegalArgumentException("file prefix '" + filePrefix + "' is not one of this fixture's");
        }
        prefix.assertNoneLeft();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Optional<Throwable> testFailure = context.getExecutionException();
        try {
            finish();
        } catch (Exception | AssertionError e) {
            if (testFailure.isEmpty()) {
                throw e;
            }
            testFailure.get().addSuppressed(e);
        }
    }

    /**
     * Closes everything registered, last first, then checks every prefix handed out; forgets all
     * of it either way. Throws the first failure, the others suppressed in it.
     */
    void finish() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception | AssertionError e) {
                failures.add(e);
            }
        }
        for (Prefix prefix : prefixes.values()) {
            try {
                prefix.assertNoneLeft();
            } catch (IOException | AssertionError e) {
                failures.add(e);
            }
        }
        prefixes.clear();
        if (failures.isEmpty()) {
            return;
        }
        Throwable first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        if (first instanceof Exception exception) {
            throw exception;
        }
        throw (AssertionError) first;
    }
}
