package io.l2echo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShutdownSignalTest {
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);

    @Test
    void theFirstSignalReleasesTheWaiterAndLaterOnesAreOnlyAcknowledged() throws InterruptedException {
        ShutdownSignal shutdown = new ShutdownSignal();
        assertFalse(shutdown.await(1), "nothing arrived yet");

        shutdown.signal("SIGINT", out);
        assertTrue(shutdown.await(1));
        assertEquals("", text.toString(StandardCharsets.UTF_8), "the app itself says it is stopping");

        // Ctrl-C pressed again while the loops drain: the clean stop goes on, the user hears why.
        shutdown.signal("SIGINT", out);
        shutdown.signal("SIGTERM", out);
        assertEquals("SIGINT", shutdown.signalName(), "the first signal is the one reported");
        String n = System.lineSeparator();
        assertEquals("SIGINT received while stopping: the clean stop goes on" + n
                + "SIGTERM received while stopping: the clean stop goes on" + n, text.toString(StandardCharsets.UTF_8));
    }
}
