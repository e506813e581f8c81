package io.l2echo.dpdk.internal;

import io.l2echo.dpdk.EalArguments;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A virtual device as an EAL argument gives it: {@code --vdev=net_af_packet0,iface=eth1,qpairs=2}. */
public record Vdev(String name, Map<String, String> args) {

    /** Every --vdev in these EAL arguments, in order. */
    public static List<Vdev> all(List<String> ealArgs) {
        return EalArguments.optionValues(ealArgs, "--vdev", null).stream().map(Vdev::parse).toList();
    }

    /** Those whose driver is one of these (net_af_packet0 and eth_af_packet1 are net_af_packet's). */
    public static List<Vdev> ofDriver(List<String> ealArgs, String... drivers) {
        return all(ealArgs).stream().filter(vdev -> Arrays.stream(drivers).anyMatch(vdev.name()::startsWith)).toList();
    }

    /** The one named {@code name}, as a port's device name is. */
    public static Optional<Vdev> named(List<String> ealArgs, String name) {
        return all(ealArgs).stream().filter(vdev -> vdev.name().equals(name)).findFirst();
    }

    public static Vdev parse(String value) {
        String[] parts = value.split(",");
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            args.put(eq < 0 ? parts[i] : parts[i].substring(0, eq), eq < 0 ? "" : parts[i].substring(eq + 1));
        }
        return new Vdev(parts[0], Map.copyOf(args));
    }

    public Optional<String> arg(String key) {
        return Optional.ofNullable(args.get(key));
    }
}
