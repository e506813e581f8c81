package io.l2echo.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The vhost-user bed's two sides: l2gen serving a socket on CPU 0, the echo attaching to it on
 * virtio_user on CPU 1. Each side's main lcore shares its CPU with its polling lcore and
 * sleeps; on more CPUs the same split keeps the two sides apart.
 */
record VhostBed(Path repo, Path java, String tag) {

    Path socket() {
        return Path.of("/tmp", tag + ".sock");
    }

    List<String> generator(List<String> l2genOptions) {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar",
                repo.resolve("l2gen-app/target/l2gen.jar").toString(), "--lcores=0@0,1@0", "--no-pci",
                "--file-prefix=" + tag + "-gen", "--vdev=net_vhost0,iface=" + socket() + ",queues=1", "--"));
        command.addAll(l2genOptions);
        return command;
    }

    /* --single-file-segments: virtio_user shares its memory with the server in few enough regions. */
    List<String> echoEal(int pollingLcore) {
        return List.of("--lcores=0@1," + pollingLcore + "@1", "--no-pci", "--file-prefix=" + tag + "-echo", "--single-file-segments",
                "--vdev=virtio_user0,path=" + socket() + ",queues=1");
    }
}
