package io.l2echo.dpdk;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * EAL's options built from typed values instead of strings, for a service that configures the
 * echo in code: lcores, devices, memory, the runtime name. Each value is checked when it is set;
 * {@link #arguments()} is what {@code rte_eal_init} gets ({@link EchoConfig.Builder#eal}).
 *
 * <p>Without a PCI device, PCI is not probed ({@code --no-pci}): EAL would otherwise take every
 * NIC a DPDK driver can drive, the one carrying the machine's own connection among them.
 *
 * <pre>{@code
 * EalOptions.builder().lcores(0, 2, 3).device("0000:03:00.0").filePrefix("gateway").build()
 * // -l 0,2,3 -a 0000:03:00.0 --file-prefix=gateway
 * }</pre>
 */
public final class EalOptions {
    private static final Pattern PCI_ADDRESS =
            Pattern.compile("([0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7](,.*)?");
    /* A driver name ending in the device's index, then its arguments: net_af_packet0,iface=eth1. */
    private static final Pattern VDEV = Pattern.compile("[a-z][a-z_]*[0-9]+(,.*)?");
    private static final Pattern FILE_PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final List<String> arguments;

    private EalOptions(List<String> arguments) {
        this.arguments = List.copyOf(arguments);
    }

    /** A builder with no option set: EAL's own defaults, and no PCI probing. */
    public static Builder builder() {
        return new Builder();
    }

    /** The options as {@code rte_eal_init} takes them, without a program name. */
    public List<String> arguments() {
        return arguments;
    }

    @Override
    public String toString() {
        return String.join(" ", arguments);
    }

    /** Builds {@link EalOptions}; every setter validates its argument at once. */
    public static final class Builder {
        private final Set<Integer> lcores = new LinkedHashSet<>();
        private final List<String> devices = new ArrayList<>();
        private final List<String> vdevs = new ArrayList<>();
        private final List<String> extra = new ArrayList<>();
        private String filePrefix;
        private int memoryMb;

        private Builder() {
        }

        /**
         * The lcores EAL runs, each on the CPU of the same number: {@code mainLcore} is the
         * control plane, {@code workerLcores} poll. With no worker, the main lcore polls.
         */
        public Builder lcores(int mainLcore, int... workerLcores) {
            Set<Integer> chosen = new LinkedHashSet<>();
            chosen.add(PortConfig.requireRange("main lcore", mainLcore, 0, 1023));
            for (int worker : workerLcores) {
                if (!chosen.add(PortConfig.requireRange("worker lcore", worker, 0, 1023))) {
                    throw new IllegalArgumentException("lcore " + worker + " is given twice");
                }
            }
            lcores.clear();
            lcores.addAll(chosen);
            return this;
        }

        /** A PCI NIC bound to vfio-pci or uio_pci_generic, as {@code 0000:03:00.0} (devargs after a comma). */
        public Builder device(String pciAddress) {
            if (!PCI_ADDRESS.matcher(pciAddress).matches()) {
                throw new IllegalArgumentException("'" + pciAddress + "' is not a PCI address such as 0000:03:00.0 "
                        + "(scripts/bind_nic.sh --list shows them)");
            }
            devices.add(pciAddress);
            return this;
        }

        /** A virtual device: {@code net_af_packet0,iface=eth1}, {@code net_vhost0,iface=/run/vh.sock}, ... */
        public Builder vdev(String spec) {
            if (!VDEV.matcher(spec).matches()) {
                throw new IllegalArgumentException("'" + spec + "' is not a virtual device such as "
                        + "net_af_packet0,iface=IF (a driver name, an index, then its arguments)");
            }
            vdevs.add(spec);
            return this;
        }

        /** The name of this process's runtime directory and hugepage files; one per DPDK process. */
        public Builder filePrefix(String prefix) {
            if (!FILE_PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("file prefix '" + prefix + "' must be 1 to 64 letters, digits, "
                        + "'_', '.' or '-'");
            }
            this.filePrefix = prefix;
            return this;
        }

        /** Hugepage memory to take at start, in megabytes; 0 (the default) lets EAL grow as needed. */
        public Builder memoryMb(int megabytes) {
            this.memoryMb = PortConfig.requireRange("memory", megabytes, 0, 1 << 20);
            return this;
        }

        /** EAL options this builder has no setter for ({@code --log-level=...}, {@code --no-huge}), as given. */
        public Builder arg(String... options) {
            extra.addAll(List.of(options));
            return this;
        }

        /** The options; the builder may be reused. */
        public EalOptions build() {
            List<String> args = new ArrayList<>();
            if (!lcores.isEmpty()) {
                StringJoiner list = new StringJoiner(",");
                lcores.forEach(lcore -> list.add(String.valueOf(lcore)));
                args.addAll(List.of("-l", list.toString()));
            }
            if (devices.isEmpty()) {
                args.add("--no-pci");
            }
            devices.forEach(device -> args.addAll(List.of("-a", device)));
            vdevs.forEach(vdev -> args.add("--vdev=" + vdev));
            if (memoryMb > 0) {
                args.addAll(List.of("-m", String.valueOf(memoryMb)));
            }
            if (filePrefix != null) {
                args.add("--file-prefix=" + filePrefix);
            }
            args.addAll(extra);
            return new EalOptions(args);
        }
    }
}
