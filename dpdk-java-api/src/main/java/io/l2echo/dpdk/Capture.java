package io.l2echo.dpdk;

/**
 * Whether DPDK's own capture and inspection tools can attach to this process. They run as
 * secondary processes, so they need the primary's memory shared (hugepage files and a runtime
 * directory named by {@code --file-prefix}) and, to copy frames, its capture framework
 * ({@code rte_pdump_init}).
 */
public enum Capture {
    /**
     * Private memory ({@code --in-memory} unless the EAL arguments choose another mode): nothing
     * can attach, nothing is left on disk, nothing costs. The default.
     */
    OFF,
    /**
     * Shared memory under the {@code --file-prefix} the EAL arguments must give, and the capture
     * framework initialised: {@code dpdk-dumpcap --file-prefix=P}, {@code dpdk-pdump} and
     * {@code dpdk-proc-info} attach while the echo runs. A frame costs nothing more until a tool
     * asks for a copy. {@link Eal#close()} removes the hugepage files and the runtime directory,
     * as {@code --in-memory} leaves none.
     */
    DPDK_TOOLS
}
