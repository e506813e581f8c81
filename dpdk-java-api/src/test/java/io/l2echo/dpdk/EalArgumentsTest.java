package io.l2echo.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void anOptionsValuesAreFoundInEveryFormGetoptTakes() {
        List<String> args = List.of("-l", "0,1", "-a", "0000:00:10.0", "--allow=03:00.1,txq_inline=128", "-a0000:00:11.0",
                "--allow", "0000:00:12.0", "--vdev=net_null0", "--vdev", "net_null1", "--no-pci");
        assertEquals(List.of("0000:00:10.0", "03:00.1,txq_inline=128", "0000:00:11.0", "0000:00:12.0"),
                EalArguments.optionValues(args, "--allow", "-a"));
        assertEquals(List.of("net_null0", "net_null1"), EalArguments.optionValues(args, "--vdev", null));
        assertEquals(List.of(), EalArguments.optionValues(List.of("--allow"), "--allow", "-a"), "no value, none");
    }

    @Test
    void captureSharesMemoryAsThePrimaryOfItsPrefix() {
        assertEquals(List.of("-l", "0,1", "--file-prefix=l2e", "--proc-type=primary", "--base-virtaddr=0x200000000000"),
                EalArguments.forCapture(List.of("-l", "0,1", "--file-prefix=l2e")));
        List<String> explicit = List.of("--file-prefix", "l2e", "--proc-type", "primary", "--legacy-mem",
                "--base-virtaddr", "0x300000000000");
        assertEquals(explicit, EalArguments.forCapture(explicit));
    }

    @Test
    void captureRefusesWhatKeepsSecondariesOutSayingWhatToChange() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EalArguments.forCapture(List.of("-l", "0")))
                .getMessage().contains("capture needs --file-prefix=NAME"));
        for (String option : List.of("--in-memory", "--no-shconf", "--no-huge", "--huge-unlink=always")) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> EalArguments.forCapture(List.of("--file-prefix=l2e", option))).getMessage();
            assertTrue(message.contains(option.split("=")[0] + " keeps them out: leave it out"), message);
        }
        String message = assertThrows(IllegalArgumentException.class,
                () -> EalArguments.forCapture(List.of("--file-prefix=l2e", "--proc-type=secondary"))).getMessage();
        assertTrue(message.contains("--proc-type=secondary says otherwise"), message);
    }
}
