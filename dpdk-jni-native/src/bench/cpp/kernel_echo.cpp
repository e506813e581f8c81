/*
 * The baseline the product exists to beat: a MAC-swap echo through the kernel, one AF_PACKET
 * socket, recv() and send() per frame. Built beside the shim for the benchmark only.
 *
 *   kernel_echo IFACE       echoes until SIGINT or SIGTERM, then prints what it echoed
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace {

volatile std::sig_atomic_t stop_requested;

void request_stop(int) { stop_requested = 1; }

} // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: kernel_echo IFACE\n");
        return 2;
    }
    const unsigned int ifindex = if_nametoindex(argv[1]);
    if (ifindex == 0) {
        fprintf(stderr, "kernel_echo: no interface %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    const int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) {
        fprintf(stderr, "kernel_echo: socket: %s (needs root)\n", strerror(errno));
        return 1;
    }
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(ifindex);
    const int ignore_outgoing = 1; // our own sends would come straight back otherwise
    if (bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0 ||
        setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignore_outgoing, sizeof(ignore_outgoing)) != 0) {
        fprintf(stderr, "kernel_echo: bind to %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    // No SA_RESTART: a signal interrupts the blocking recv() so the loop sees the flag.
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    printf("kernel_echo: echoing on %s\n", argv[1]);
    fflush(stdout);

    unsigned char frame[ETH_FRAME_LEN + 4];
    unsigned long long echoed = 0;
    while (!stop_requested) {
        const ssize_t n = recv(fd, frame, sizeof(frame), 0);
        if (n < ETH_HLEN)
            continue; // interrupted, or a runt
        unsigned char mac[ETH_ALEN];
        memcpy(mac, frame, ETH_ALEN);
        memcpy(frame, frame + ETH_ALEN, ETH_ALEN);
        memcpy(frame + ETH_ALEN, mac, ETH_ALEN);
        if (send(fd, frame, static_cast<size_t>(n), 0) == n)
            echoed++;
    }
    printf("kernel_echo: echoed %llu frames\n", echoed);
    close(fd);
    return 0;
}
