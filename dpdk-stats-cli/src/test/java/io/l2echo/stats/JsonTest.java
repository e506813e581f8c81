package io.l2echo.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesWhatTelemetrySends() {
        Object value = Json.parse("{\"/ethdev/stats\": {\"ipackets\": 12, \"q_ipackets\": [1, 2], \"ok\": true, "
                + "\"name\": \"net_\\\"x\\\"\\u0041\", \"ratio\": 0.5, \"none\": null}}");
        Map<?, ?> stats = (Map<?, ?>) ((Map<?, ?>) value).get("/ethdev/stats");
        assertEquals(12L, stats.get("ipackets"));
        assertEquals(List.of(1L, 2L), stats.get("q_ipackets"));
        assertEquals(Boolean.TRUE, stats.get("ok"));
        assertEquals("net_\"x\"A", stats.get("name"));
        assertEquals(0.5, stats.get("ratio"));
        assertTrue(stats.containsKey("none"));
    }

    @Test
    void unsignedCountersAboveLongMaxRoundTrip() {
        assertEquals(-1L, Json.parse("18446744073709551615"));
        assertEquals("18446744073709551615", Json.write(-1L));
    }

    @Test
    void malformedTextIsRejectedWithWhere() {
        for (String bad : Arrays.asList("", "{", "{\"a\" 1}", "[1,]", "tru", "{\"a\":1} x", "\"unterminated")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("expected "), e.getMessage());
        }
    }

    @Test
    void writesWhatItParses() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", 1L);
        map.put("b", List.of("x\n", 2.5));
        map.put("c", null);
        String text = Json.write(map);
        assertEquals("{\"a\":1,\"b\":[\"x\\n\",2.500],\"c\":null}", text);
        assertEquals(map, Json.parse(text));
    }
}
