package io.l2echo.apps.echo;

import io.l2echo.cli.EchoApp;

/** Single-core MAC-swap echo: one port, one queue pair, one polling lcore. */
public final class L2Echo {
    private L2Echo() {
    }

    public static void main(String[] args) {
        EchoApp app = new EchoApp("l2echo",
                "Echoes every frame to a unicast address received on one queue of one port back out of it, "
                        + "source and destination MAC swapped (--reflect and --swap widen both). With -l N the loop runs on lcore N; with -l M,N lcore M is the main "
                        + "(control) lcore and lcore N polls.",
                false, System.out, System.err);
        System.exit(app.run(args));
    }
}
