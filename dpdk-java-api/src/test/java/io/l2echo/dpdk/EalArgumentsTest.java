package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EalArgumentsTest {
    @Test
    void addsInMemoryWhenNoMemoryModeIsGiven() {
        assertEquals(List.of("-l", "0,1", "--no-pci", "--in-memory"),
                EalArguments.withDefaults(List.of("-l", "0,1", "--no-pci")));
    }

    @Test
    void leavesTheUsersMemoryModeAlone() {
        for (String mode : List.of("--in-memory", "--no-huge", "--huge-unlink=always", "--legacy-mem",
                "--proc-type=primary", "--no-shconf")) {
            List<String> args = List.of("-l", "1", mode);
            assertEquals(args, EalArguments.withDefaults(args), mode);
        }
    }

    @Test
    void aPrefixIsNotAMemoryMode() {
        assertEquals(List.of("--file-prefix=x", "--in-memory"), EalArguments.withDefaults(List.of("--file-prefix=x")));
    }
}
