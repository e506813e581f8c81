package io.l2echo.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One l2gen JSON line: a trial's figures, read by name. */
record Trial(String json) {
    private static final Pattern PHASE = Pattern.compile("\"phase\":\"([a-z]+)\"");

    String phase() {
        Matcher m = PHASE.matcher(json);
        return m.find() ? m.group(1) : "";
    }

    /** A numeric field; the round-trip percentiles are unique names inside "rtt_us". */
    double number(String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?[0-9.]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + name + " in " + json);
        }
        return Double.parseDouble(m.group(1));
    }
}
