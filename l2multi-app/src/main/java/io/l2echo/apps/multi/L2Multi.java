package io.l2echo.apps.multi;

import io.l2echo.cli.EchoApp;

/**
 * Share-nothing multi-core MAC-swap echo: one Rx/Tx queue pair per worker lcore, frames spread
 * over the queues by the device's RSS hash.
 */
public final class L2Multi {
    private L2Multi() {
    }

    public static void main(String[] args) {
        EchoApp app = new EchoApp("l2multi",
                "Echoes every frame to a unicast address received on a port back out of it, source and "
                        + "destination MAC swapped (--reflect and --swap widen both), with one Rx/Tx queue pair per worker lcore: with -l 0-N lcore 0 is the main (control) "
                        + "lcore and lcores 1..N each own one queue pair, no locks and no shared writes. RSS "
                        + "spreads flows over the queues.",
                true, System.out, System.err);
        System.exit(app.run(args));
    }
}
