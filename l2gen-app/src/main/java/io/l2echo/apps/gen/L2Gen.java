package io.l2echo.apps.gen;

/** Traffic generator: stamped UDP frames out, their echoes timed back in on the same port. */
public final class L2Gen {
    private L2Gen() {
    }

    public static void main(String[] args) {
        System.exit(new GeneratorApp(System.out, System.err).run(args));
    }
}
