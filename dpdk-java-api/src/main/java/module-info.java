/**
 * The embeddable API: a Java service owns a NIC through DPDK. {@code io.l2echo.dpdk} is the API
 * (EAL, ports, pools, echo workers, packet queues, stats), {@code io.l2echo.dpdk.metrics} its JMX
 * and Micrometer views. The natives, the loader and the main lcore's thread live in
 * {@code io.l2echo.dpdk.internal}, which no other module can read.
 *
 * <p>The shim comes from the dpdk-jni-native jar (module {@code io.l2echo.dpdk.natives}) on the
 * module path, or from {@code -Ddpdkj.library=/path/libdpdkj.so}; it is not required, so a
 * service that points at its own build needs no jar.
 */
// JNA and Micrometer ship no descriptor of their own: their manifests name them.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.l2echo.dpdk {
    requires com.sun.jna;
    requires transitive java.management;
    /* PacketLoop reads a thread's allocated bytes (com.sun.management.ThreadMXBean). */
    requires jdk.management;
    requires org.slf4j;
    /* Only EchoMeterBinder uses it; a service that binds the meters brings its own Micrometer. */
    requires static transitive micrometer.core;

    exports io.l2echo.dpdk;
    exports io.l2echo.dpdk.metrics;

    /* JNA implements the Libc interface with a reflective proxy. */
    opens io.l2echo.dpdk.internal to com.sun.jna;
}
