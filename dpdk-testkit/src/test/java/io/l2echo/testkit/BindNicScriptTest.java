package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * scripts/bind_nic.sh where it must say no: the interface carrying the default route (by name
 * and by PCI address), an interface with no PCI device behind it, bad arguments. Everything
 * here is refused or a dry run, so nothing is ever bound. Needs root for the veth bed.
 */
@Tag("dpdk")
class BindNicScriptTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final DpdkFixture dpdk = new DpdkFixture();

    private static Processes.Result bindNic(String... args) throws IOException {
        Path script = VethBed.findScript(Path.of("").toAbsolutePath()).resolveSibling("bind_nic.sh");
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        return Processes.run(TIMEOUT, command);
    }

    /* The interface the default route leaves by: what a careless bind would cut off. */
    private static String defaultRouteInterface() throws IOException {
        String route = Processes.run(TIMEOUT, "ip", "-o", "route", "show", "default").requireSuccess().output();
        String[] words = route.trim().split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("dev")) {
                return words[i + 1];
            }
        }
        return Assumptions.abort("no default route on this machine, so nothing to refuse: " + route);
    }

    @Test
    void theListMarksTheInterfaceThatCarriesTheDefaultRoute() throws IOException {
        Processes.Result list = bindNic("--list");
        assertEquals(0, list.exitCode(), list.output());
        String uplink = defaultRouteInterface();
        assertTrue(list.output().lines().anyMatch(line -> line.startsWith(uplink + " ") && line.contains(" yes ")),
                list.output());
    }

    @Test
    void theDefaultRouteInterfaceIsRefusedByNameAndByPciAddress() throws IOException {
        String uplink = defaultRouteInterface();
        Processes.Result byName = bindNic("bind", uplink, "--dry-run");
        assertEquals(1, byName.exitCode(), byName.output());
        assertTrue(byName.output().contains(uplink) && byName.output().contains("carries the default route: binding "
                + "it would cut this machine off"), byName.output());
        assertTrue(!byName.output().contains("would run"), "refused before planning anything: " + byName.output());

        String pci = Processes.run(TIMEOUT, "bash", "-c", "basename \"$(readlink -f /sys/class/net/" + uplink
                + "/device)\"").requireSuccess().output().trim();
        if (pci.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]")) {
            Processes.Result byAddress = bindNic("bind", pci, "--dry-run");
            assertEquals(1, byAddress.exitCode(), byAddress.output());
            assertTrue(byAddress.output().contains("carries the default route"), byAddress.output());
        }
    }

    @Test
    void aVethIsNotAPciDeviceAndSaysHowDpdkReachesIt() throws IOException {
        VethBed bed = dpdk.up(VethBed.builder());
        Processes.Result veth = bindNic("bind", bed.dutInterface(), "--dry-run");
        assertEquals(1, veth.exitCode(), veth.output());
        assertTrue(veth.output().contains(bed.dutInterface() + " is not a PCI device")
                && veth.output().contains("--vdev=net_af_packet0,iface=" + bed.dutInterface()), veth.output());
    }

    @Test
    void badArgumentsExitTwoWithTheUsage() throws IOException {
        Processes.Result missing = bindNic("bind");
        assertEquals(2, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("bind needs an interface or PCI address"), missing.output());
        Processes.Result unknown = bindNic("--frobnicate");
        assertEquals(2, unknown.exitCode(), unknown.output());
        Processes.Result badDriver = bindNic("unbind", "eth-not-a-pci", "--dry-run");
        assertEquals(2, badDriver.exitCode(), badDriver.output());
    }
}
