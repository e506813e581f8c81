/**
 * Test support for the echo apps' integration tests: build UDP test frames
 * ({@link io.l2echo.testkit.UdpFrameTemplate}, {@link io.l2echo.testkit.Frames}), put up a veth
 * bed ({@link io.l2echo.testkit.VethBed}), send and receive whole frames in its namespace
 * ({@link io.l2echo.testkit.RawSocket}), check the echoes ({@link io.l2echo.testkit.EchoVerifier}),
 * run and stop the echo ({@link io.l2echo.testkit.ChildProcess}, {@link io.l2echo.testkit.Processes})
 * and check that it left nothing behind ({@link io.l2echo.testkit.Leftovers}). For DPDK-to-DPDK
 * runs, {@link io.l2echo.testkit.VhostPeer} is the far end: testpmd sending many flows over
 * vhost-user to an app attached as virtio_user; {@link io.l2echo.testkit.TestpmdTotals} reads the
 * final statistics of it or of any other {@code dpdk-testpmd}.
 *
 * <p>A JUnit 5 test gets all of that set-up from one {@link io.l2echo.testkit.DpdkFixture}
 * field: file prefixes with their leftovers snapshots, beds and processes closed after the test,
 * leftovers checked last.
 *
 * <p>Linux only; everything but the frame classes needs root. Nothing but the fixture needs a
 * test framework: failures are {@link java.io.IOException}s and {@link java.lang.AssertionError}s.
 */
package io.l2echo.testkit;
