package io.l2echo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EchoReportTest {

    @Test
    void perfectRunHasAOneLineSummary() {
        EchoReport report = new EchoReport(3, 3, 3, List.of(), Map.of(), List.of(), 0, 2,
                List.of("foreign: 60 bytes ..."), "", Duration.ofMillis(12));
        assertTrue(report.isPerfect(), "foreign frames are the kernel's, not a fault");
        report.assertPerfect();
        assertTrue(report.summary().startsWith("3/3 sent, 3 echoed, 0 missing, 0 duplicated, 0 altered, 0 unexpected, 2 foreign"),
                report.summary());
    }

    @Test
    void failureMessageNamesEachFaultAndTheAlteredField() {
        EchoReport report = new EchoReport(2000, 2000, 1999, List.of(new EchoReport.Missing(17, 1514)), Map.of(5L, 1),
                List.of(new EchoReport.Mismatch(9, 60, 60, 6, 0x02, 0x00)), 1, 0, List.of(), "", Duration.ofSeconds(1));
        assertFalse(report.isPerfect());
        AssertionError error = assertThrows(AssertionError.class, report::assertPerfect);
        String message = error.getMessage();
        assertTrue(message.contains("missing: seq 17 (1514 B)"), message);
        assertTrue(message.contains("duplicated (extra copies): seq 5 +1"), message);
        assertTrue(message.contains("seq 9 (60 B): byte 6 (source MAC) is 0x00, expected 0x02"), message);
    }

    @Test
    void lengthChangeIsReportedAsSuch() {
        EchoReport.Mismatch shorter = new EchoReport.Mismatch(4, 100, 60, 60, 0x11, -1);
        assertEquals("seq 4: 60 bytes back for 100 sent", shorter.toString());
    }

    @Test
    void longListsAreCut() {
        List<EchoReport.Missing> missing = java.util.stream.LongStream.range(0, 25)
                .mapToObj(seq -> new EchoReport.Missing(seq, 60)).toList();
        EchoReport report = new EchoReport(25, 25, 0, missing, Map.of(), List.of(), 0, 0, List.of(),
                "no echo of ours for 3000 ms", Duration.ofSeconds(3));
        assertTrue(report.summary().contains("seq 9 (60 B), ... (15 more)"), report.summary());
        assertTrue(report.summary().contains("stopped early: no echo of ours for 3000 ms"), report.summary());
    }
}
