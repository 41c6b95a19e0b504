#!/usr/bin/env python3
"""gen_flows.py - N distinct short UDP flows as a pcap stream, and a peak-RSS harness.

    gen_flows.py pcap N > FILE            write the capture
    gen_flows.py measure N -- CMD [ARG..] run CMD with the capture on its standard input, count the
                                          lines of its standard output, and print
                                          "lines=L maxrss_kib=R status=S" (R: the child's peak
                                          resident set, getrusage RUSAGE_CHILDREN)

Flow i (0 <= i < N) is 10.x.y.z:P -> 192.168.77.1:10000 (source address and port unique per flow):
one request, and one reply 1 ms later. Requests of the first half of the flows are 20 us apart
(50,000 flows a second of packet time: with a 1 s idle timeout about 50,000 are open at once),
those of the second half 5 us apart (200,000 a second: a table bounded at 100,000 must evict).
Ethernet, IPv4 (header checksum set), UDP (checksum 0 = none), 16 payload bytes, microsecond
timestamps, in time order.
"""
import collections
import os
import resource
import struct
import subprocess
import sys
import threading

T0 = 1700000000
SLOW_US = 20
FAST_US = 5
REPLY_US = 1000
PAYLOAD = b"ucflow-memtest!!"


ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
IP_LEN = 20 + 8 + len(PAYLOAD)
# the IPv4 header's 16-bit words other than the addresses and the checksum, summed once
IP_FIXED_SUM = 0x4500 + IP_LEN + 0x4000 + (64 << 8 | 17)
IP_HDR = struct.Struct("!BBHHHBBH4s4s")
UDP_HDR = struct.Struct("!HHHH")


def frame(src_ip, sport, dst_ip, dport):
    s = IP_FIXED_SUM
    for a in (src_ip, dst_ip):
        s += (a[0] << 8 | a[1]) + (a[2] << 8 | a[3])
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    ip = IP_HDR.pack(0x45, 0, IP_LEN, 0, 0x4000, 64, 17, (~s) & 0xFFFF, src_ip, dst_ip)
    return ETH + ip + UDP_HDR.pack(sport, dport, 8 + len(PAYLOAD), 0) + PAYLOAD


def flow_endpoints(i):
    # 10.a.b.c with a distinct (address, port) per flow: 2^24 addresses x 16 ports
    a = i >> 4
    src = bytes([10, (a >> 16) & 0xFF, (a >> 8) & 0xFF, a & 0xFF])
    sport = 20000 + (i & 15)
    return src, sport


SERVER = bytes([192, 168, 77, 1])


def request_time_us(k, n):
    # the first half 20 us apart, the second half a burst 5 us apart
    half = n // 2
    if k < half:
        return k * SLOW_US
    return half * SLOW_US + (k - half) * FAST_US


def write_pcap(n, out):
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    buf = []
    replies = collections.deque()  # (time, flow) in time order: every reply trails by REPLY_US

    def rec(t_us, data):
        buf.append(struct.pack("<IIII", T0 + t_us // 1000000, t_us % 1000000, len(data),
                               len(data)))
        buf.append(data)

    def reply(t_us, j):
        src, sport = flow_endpoints(j)
        rec(t_us, frame(SERVER, 10000, src, sport))

    for k in range(n):
        t = request_time_us(k, n)
        while replies and replies[0][0] <= t:
            reply(*replies.popleft())
        src, sport = flow_endpoints(k)
        rec(t, frame(src, sport, SERVER, 10000))
        replies.append((t + REPLY_US, k))
        if len(buf) >= 8192:
            out.write(b"".join(buf))
            buf.clear()
    while replies:
        reply(*replies.popleft())
    out.write(b"".join(buf))
    out.flush()


def measure(n, cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def feed():
        try:
            write_pcap(n, p.stdin)
        except BrokenPipeError:
            pass
        finally:
            try:
                p.stdin.close()
            except BrokenPipeError:
                pass

    t = threading.Thread(target=feed)
    t.start()
    lines = 0
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        lines += chunk.count(b"\n")
    t.join()
    status = p.wait()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print("lines=%d maxrss_kib=%d status=%d" % (lines, rss, status), flush=True)
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "pcap":
        write_pcap(int(argv[2]), os.fdopen(sys.stdout.fileno(), "wb", buffering=1 << 20))
        return 0
    if len(argv) >= 5 and argv[1] == "measure" and argv[3] == "--":
        return measure(int(argv[2]), argv[4:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
