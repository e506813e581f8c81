package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l2echo.dpdk.internal.ThreadAffinity;
import io.l2echo.dpdk.metrics.EchoMBeans;
import io.l2echo.dpdk.metrics.EchoMeterBinder;
import io.l2echo.testkit.ProcThreads;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The API on real DPDK, in this JVM: EAL, two ports with a pool each, and a worker lcore polling
 * both: echoing what {@code net_null} generates on port 0, and {@code net_ring} on port 1, whose
 * link the tests take down and up. One EAL per process, so this is the module's only class that
 * initialises one; the tests run in order against the same service. Frames on a real wire are
 * l2echo-app's integration tests.
 */
@Tag("dpdk")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EchoServiceDpdkTest {
    private static EchoService service;

    @BeforeAll
    static void start() {
        EalOptions eal = EalOptions.builder().lcores(0, 1).vdev("net_null0").vdev("net_ring0").memoryMb(128)
                .filePrefix("l2e-api-" + ProcessHandle.current().pid())
                .arg("--no-huge", "--log-level=lib.eal:warning").build();
        service = EchoService.start(EchoConfig.builder().eal(eal).burstSize(32)
                .port(PortConfig.builder().portName("net_null0").build())
                .port(PortConfig.builder().portName("net_ring0").build())
                .linkPollInterval(Duration.ofMillis(20)).build());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void thePlanPutsBothPortsQueuesOnTheWorkerAndTheDevicesAreDescribed() {
        assertEquals(List.of(new LcorePlan.Assignment(1, List.of(new QueueRef(0, 0), new QueueRef(1, 0)))),
                service.plan().assignments());
        DeviceInfo info = service.ports().get(0).info();
        assertEquals("net_null0", info.name());
        assertEquals("net_null", info.driver());
        assertTrue(info.maxRxQueues() >= 1, info.summary());
        assertEquals("net_ring0", service.ports().get(1).info().name());
        assertEquals(List.of("echo_pool_p0", "echo_pool_p1"), service.pools().stream().map(Mempool::name).toList());
        assertEquals(List.of(0, 1), service.stats().ports().stream().map(PortSnapshot::portId).toList());
        assertTrue(service.eal().dpdkVersion().startsWith("DPDK "), service.eal().dpdkVersion());
    }

    @Test
    @Order(2)
    void countersMoveWhileTheLoopRuns() throws InterruptedException {
        EchoStats before = service.stats();
        Thread.sleep(200);
        EchoStats after = service.stats();
        assertTrue(after.rxPackets() > before.rxPackets(), "net_null delivers frames continuously");
        QueueStats queue = after.queue(1, new QueueRef(0, 0)).orElseThrow();
        assertTrue(queue.rxBursts() > 0);
        QueueStats ring = after.queue(1, new QueueRef(1, 0)).orElseThrow();
        assertEquals(0, ring.rxPackets(), "nothing arrives on the ring");
        assertEquals(0, ring.busyCycles(), "its polls are all empty, and empty polls cost no busy cycles");
        long busy = queue.busyCycles() - before.queue(1, new QueueRef(0, 0)).orElseThrow().busyCycles();
        double tscInInterval = (after.nanoTime() - before.nanoTime()) * (service.eal().tscHz() / 1e9);
        assertTrue(busy > 0 && busy <= tscInInterval * 1.01, () -> busy + " busy cycles in an interval of "
                + tscInInterval + " TSC cycles: the loop cannot be busier than the clock");
        assertTrue(queue.averageBurst() > 0 && queue.averageBurst() <= 32, String.valueOf(queue.averageBurst()));
    }

    /*
     * The polling lcore is an EAL pthread the JVM never hears of: were it ever attached to
     * call back into Java, the JVM's thread dump would list its native id (and it would stop
     * at safepoints).
     */
    @Test
    @Order(3)
    void thePollingLcoreRunsOutsideTheJvm() throws Exception {
        long pid = ProcessHandle.current().pid();
        long worker = ProcThreads.ealWorker(pid, 1).orElseThrow(() -> new AssertionError("no EAL thread for lcore 1"));
        String dump = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Set<Long> javaThreads = Pattern.compile("nid=0x([0-9a-f]+)").matcher(dump).results()
                .map(m -> Long.parseLong(m.group(1), 16)).collect(Collectors.toSet());
        assertTrue(ProcThreads.all(pid).containsAll(javaThreads) && javaThreads.size() > 5,
                "the dump's native ids are this process's thread ids: " + javaThreads);
        assertFalse(javaThreads.contains(worker), "lcore 1's thread " + worker + " is not one of the JVM's:\n" + dump);
    }

    @Test
    @Order(3)
    void aPortThatDoesNotExistFailsWithTheShimsErrnoAndThePortsThatDo() {
        DpdkException e = assertThrows(DpdkException.class, () -> service.eal().deviceInfo(7));
        assertEquals(Optional.of("ENODEV"), e.errnoName(), e.getMessage());
        assertTrue(e.getMessage().startsWith("open port 7 failed: there is no port 7; EAL probed port(s) 0 (net_null0, "
                + "net_null), 1 (net_ring0, net_ring) (errno 19 ENODEV"), e.getMessage());
        assertFalse(service.ports().get(0).extendedStats().isEmpty(), "xstat names come back through the same convention");
    }

    @Test
    @Order(3)
    void aSecondEalInitIsAClearError() {
        DpdkException e = assertThrows(DpdkException.class, () -> Eal.init(List.of("--no-huge")));
        assertTrue(e.getMessage().contains("rte_eal_init already ran in this process"), e.getMessage());
        assertTrue(e.hint().orElseThrow().contains("one EAL per process"), e.getMessage());
    }

    @Test
    @Order(3)
    void linkChangesReachListenersOnAControlPlaneThreadOffThePollingCpu() throws Exception {
        BlockingQueue<LinkEvent> events = new LinkedBlockingQueue<>();
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        service.addLinkListener(event -> {
            threads.add(Thread.currentThread().getName() + " on CPUs " + ThreadAffinity.currentThreadCpus());
            events.add(event);
        });
        Port ring = service.ports().get(1);
        ring.setLink(false);
        LinkEvent down = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(down, "a link-down event within 5 s");
        assertEquals(1, down.portId());
        assertTrue(down.wentDown(), down::toString);
        assertFalse(service.stats().port(1).orElseThrow().link().up());
        ring.setLink(true);
        LinkEvent up = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(up, "a link-up event within 5 s");
        assertTrue(up.cameUp(), up::toString);
        assertTrue(up.nanoTime() > down.nanoTime());
        Set<Integer> controlPlane = service.eal().controlPlaneCpus();
        String expected = "dpdk-link-watch on CPUs " + (controlPlane.isEmpty() ? ThreadAffinity.currentThreadCpus()
                : controlPlane);
        assertEquals(expected, threads.take());
        assertEquals(List.of(), List.copyOf(events), "one event per change, none for port 0 whose link held");
    }

    @Test
    @Order(3)
    void aPoolCannotBeFreedUnderItsPort() {
        Mempool pool = service.pools().get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::close);
        assertEquals("mbuf pool echo_pool_p0 is in use by port 0 (net_null0): close it first", e.getMessage());
        // Still open: it reads. How many are out at this instant may be 0 (net_null frees each burst at once).
        int inUse = assertDoesNotThrow(pool::inUse, "the pool is still there");
        assertTrue(inUse >= 0 && inUse <= pool.size(), inUse + " of " + pool.size() + " in use");
    }

    @Test
    @Order(3)
    void jmxAndMicrometerShowTheRunningEchosCounters() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new EchoMeterBinder(service).bindTo(registry);
        ObjectName port = new ObjectName("io.l2echo:type=Port,port=0");
        ObjectName queue = new ObjectName("io.l2echo:type=Queue,lcore=1,port=0,queue=0");
        try (EchoMBeans beans = EchoMBeans.register(service)) {
            assertEquals(List.of(port, new ObjectName("io.l2echo:type=Port,port=1"), queue,
                    new ObjectName("io.l2echo:type=Queue,lcore=1,port=1,queue=0")), beans.names());
            long before = (long) server.getAttribute(queue, "RxPackets");
            Thread.sleep(300);
            long after = (long) server.getAttribute(queue, "RxPackets");
            assertTrue(after > before, "the JMX counter moves as net_null delivers: " + before + " -> " + after);
            assertTrue((long) server.getAttribute(port, "RxPackets") > 0);
            assertEquals(true, server.getAttribute(port, "LinkUp"));
            // Once each view's cached snapshot is older than 100 ms, a read takes a fresh one: between two of ours.
            Thread.sleep(150);
            long low = service.stats().rxPackets();
            long jmx = (long) server.getAttribute(queue, "RxPackets");
            double meter = registry.get("dpdk.queue.rx.packets").tags("lcore", "1", "port", "0").functionCounter()
                    .count();
            long high = service.stats().rxPackets();
            assertTrue(low <= jmx && jmx <= meter && meter <= high, "JMX and Micrometer read the lcore's own rx "
                    + "counter: " + low + " <= " + jmx + " <= " + meter + " <= " + high);
        }
        assertFalse(server.isRegistered(port), "closing the beans unregisters them");
        assertFalse(server.isRegistered(queue));
    }

    @Test
    @Order(4)
    void afterStoppingTheCountersAgreeWithThePortAndEveryMbufIsBack() throws InterruptedException {
        // From a thread other than the one that started it, as a management thread would.
        Thread stopper = new Thread(service::stopWorkers, "stopper");
        stopper.start();
        stopper.join(10_000);
        assertFalse(stopper.isAlive(), "stopWorkers returned");
        EchoStats last = service.stats();
        QueueStats queue = last.queue(1, new QueueRef(0, 0)).orElseThrow();
        PortStats port = last.port(0).orElseThrow().counters();
        assertEquals(port.rxPackets(), queue.rxPackets(), "the port counted what the loop received");
        assertEquals(port.txPackets(), queue.txPackets(), "the port counted what the loop sent");
        assertEquals(queue.rxPackets(), queue.txPackets() + queue.txDropped(), "every frame sent or dropped");
        assertEquals(queue.rxPackets() * 64, queue.rxBytes(), "net_null frames are 64 bytes");
        assertEquals(queue.rxBytes(), queue.txBytes() + 64 * queue.txDropped());
        assertEquals(0, last.port(0).orElseThrow().mbufsInUse(), "no mbuf leaked");
        List<ExtendedStat> xstats = service.ports().get(0).extendedStats();
        assertTrue(xstats.contains(new ExtendedStat("rx_good_packets", port.rxPackets())), xstats::toString);
        assertTrue(xstats.contains(new ExtendedStat("tx_good_packets", port.txPackets())), xstats::toString);
        assertEquals(last, service.stats().withNanoTime(last.nanoTime()), "stopped counters stay still");
        assertDoesNotThrow(service::stopWorkers, "stopping twice is harmless");
    }

    @Test
    @Order(5)
    void afterCloseEverythingFailsClearlyAndCloseIsIdempotent() {
        service.close();
        assertDoesNotThrow(service::close);
        assertTrue(service.eal().isClosed());
        assertFalse(Files.exists(service.eal().runtimeDir()), "EAL's runtime directory is removed");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> service.ports().get(0).stats());
        assertEquals("port 0 is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> service.eal().portCount());
        assertThrows(IllegalStateException.class, () -> service.pools().get(0).inUse());
        // The final counters outlive the native memory they were read from.
        assertTrue(service.workers().get(0).counters().get(0).snapshot().rxPackets() > 0);
    }
}
