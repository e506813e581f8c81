package io.l2echo.dpdk.metrics;

import io.l2echo.dpdk.EchoService;
import io.l2echo.dpdk.LinkStatus;
import io.l2echo.dpdk.PortSnapshot;
import io.l2echo.dpdk.QueueRef;
import io.l2echo.dpdk.QueueStats;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The echo's ports and queues as JMX MXBeans, for JConsole, VisualVM or a JMX exporter:
 * {@code io.l2echo:type=Port,port=N} ({@link PortMXBean}) and one
 * {@code io.l2echo:type=Queue,lcore=L,port=N,queue=Q} per polling lcore's queue
 * ({@link QueueMXBean}). Attribute reads share one snapshot per {@link StatsSnapshots#DEFAULT_MAX_AGE}.
 * Closing unregisters them; register after the service started and close before it closes.
 */
public final class EchoMBeans implements AutoCloseable {
    /** The JMX domain every bean here is registered under. */
    public static final String DOMAIN = "io.l2echo";

    private final MBeanServer server;
    private final List<ObjectName> names;

    private EchoMBeans(MBeanServer server, List<ObjectName> names) {
        this.server = server;
        this.names = names;
    }

    /** Registers {@code service}'s ports and queues on the platform MBean server. */
    public static EchoMBeans register(EchoService service) {
        return register(ManagementFactory.getPlatformMBeanServer(),
                new StatsSnapshots(service::stats, StatsSnapshots.DEFAULT_MAX_AGE));
    }

    /**
     * Registers an MXBean per port and per queue the current snapshot holds. Throws
     * {@link IllegalStateException} if a bean of that name exists (a second registration of the
     * same echo): nothing is left registered then.
     */
    public static EchoMBeans register(MBeanServer server, StatsSnapshots snapshots) {
        List<ObjectName> registered = new ArrayList<>();
        EchoMBeans beans = new EchoMBeans(server, registered);
        try {
            for (PortSnapshot port : snapshots.get().ports()) {
                registered.add(server.registerMBean(new PortBean(port.portId(), snapshots),
                        name("type=Port,port=" + port.portId())).getObjectName());
            }
            for (QueueStats queue : snapshots.get().queues()) {
                registered.add(server.registerMBean(new QueueBean(queue.lcore(), queue.queue(), snapshots),
                        name("type=Queue,lcore=" + queue.lcore() + ",port=" + queue.queue().port() + ",queue="
                                + queue.queue().queue())).getObjectName());
            }
            return beans;
        } catch (InstanceAlreadyExistsException e) {
            beans.close();
            throw new IllegalStateException("the echo's MBeans are already registered (" + e.getMessage()
                    + "): close the other EchoMBeans first", e);
        } catch (JMException e) {
            beans.close();
            throw new IllegalStateException("cannot register the echo's MBeans: " + e, e);
        }
    }

    /** The names registered, ports first. */
    public List<ObjectName> names() {
        return List.copyOf(names);
    }

    /** Unregisters every bean. Idempotent. */
    @Override
    public synchronized void close() {
        for (ObjectName name : names) {
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException alreadyGone) {
                // Someone unregistered it by name: the end state is the same.
            } catch (JMException e) {
                throw new IllegalStateException("cannot unregister " + name + ": " + e, e);
            }
        }
        names.clear();
    }

    private static ObjectName name(String properties) throws JMException {
        return new ObjectName(DOMAIN + ":" + properties);
    }

    private record PortBean(int portId, StatsSnapshots snapshots) implements PortMXBean {
        private PortSnapshot now() {
            return snapshots.get().port(portId).orElseThrow(
                    () -> new IllegalStateException("port " + portId + " is not in the echo's stats"));
        }

        @Override
        public int getPortId() {
            return portId;
        }

        @Override
        public long getRxPackets() {
            return now().counters().rxPackets();
        }

        @Override
        public long getTxPackets() {
            return now().counters().txPackets();
        }

        @Override
        public long getRxBytes() {
            return now().counters().rxBytes();
        }

        @Override
        public long getTxBytes() {
            return now().counters().txBytes();
        }

        @Override
        public long getRxMissed() {
            return now().counters().rxMissed();
        }

        @Override
        public long getRxErrors() {
            return now().counters().rxErrors();
        }

        @Override
        public long getTxErrors() {
            return now().counters().txErrors();
        }

        @Override
        public long getRxNoMbuf() {
            return now().counters().rxNoMbuf();
        }

        @Override
        public boolean isLinkUp() {
            return now().link().up();
        }

        @Override
        public long getLinkSpeedMbps() {
            long speed = now().link().speedMbps();
            return speed == LinkStatus.SPEED_UNKNOWN ? 0 : speed;
        }

        @Override
        public int getMbufsInUse() {
            return now().mbufsInUse();
        }
    }

    private record QueueBean(int lcore, QueueRef queue, StatsSnapshots snapshots) implements QueueMXBean {
        /* A queue the snapshot no longer lists (its loop stopped) reads 0. */
        private long counter(ToLongFunction<QueueStats> field) {
            return snapshots.get().queue(lcore, queue).map(field::applyAsLong).orElse(0L);
        }

        @Override
        public int getLcore() {
            return lcore;
        }

        @Override
        public int getPortId() {
            return queue.port();
        }

        @Override
        public int getQueueId() {
            return queue.queue();
        }

        @Override
        public long getRxPackets() {
            return counter(QueueStats::rxPackets);
        }

        @Override
        public long getRxBytes() {
            return counter(QueueStats::rxBytes);
        }

        @Override
        public long getTxPackets() {
            return counter(QueueStats::txPackets);
        }

        @Override
        public long getTxBytes() {
            return counter(QueueStats::txBytes);
        }

        @Override
        public long getTxDropped() {
            return counter(QueueStats::txDropped);
        }

        @Override
        public long getTxRetries() {
            return counter(QueueStats::txRetries);
        }

        @Override
        public long getRxRunts() {
            return counter(QueueStats::rxRunts);
        }

        @Override
        public long getRxGroupDst() {
            return counter(QueueStats::rxGroupDst);
        }

        @Override
        public long getRxLinkLocal() {
            return counter(QueueStats::rxLinkLocal);
        }

        @Override
        public long getRxGroupSrc() {
            return counter(QueueStats::rxGroupSrc);
        }

        @Override
        public long getTxOwnSource() {
            return counter(QueueStats::txOwnSource);
        }

        @Override
        public long getRxBursts() {
            return counter(QueueStats::rxBursts);
        }

        @Override
        public long getEmptyPolls() {
            return counter(QueueStats::emptyPolls);
        }

        @Override
        public long getBusyCycles() {
            return counter(QueueStats::busyCycles);
        }

        @Override
        public double getCyclesPerFrame() {
            return snapshots.get().queue(lcore, queue).map(QueueStats::cyclesPerFrame).orElse(0.0);
        }

        @Override
        public double getAverageBurst() {
            return snapshots.get().queue(lcore, queue).map(QueueStats::averageBurst).orElse(0.0);
        }
    }
}
