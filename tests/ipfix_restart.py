#!/usr/bin/env python3
"""ipfix_restart.py - helpers for the collector restart tests (tests/ipfix_collectors.sh).

  ipfix_restart.py gen PHASES FLOWS CTRL     a pcap on stdout in PHASES parts of FLOWS UDP
                                             conversations each (query and answer, 0.1 s apart,
                                             so that with --idle-timeout udp=1 most end within
                                             their part); after each part it writes
                                             CTRL/done.N and waits for CTRL/go.N+1
  ipfix_restart.py tcp PORT OUT              an IPFIX-over-TCP collector on 127.0.0.1:PORT:
                                             decodes every message (RFC 7011: templates, then
                                             the data sets they describe) and appends a line
                                             "CONNECTION RECORDS ERRORS" to OUT per message
                                             (flow records of templates 256, 257); runs until
                                             killed

No Debian package collects IPFIX over TCP (nfacctd 1.7.7 and nfcapd 1.7.1 take UDP and SCTP),
hence this small one; it counts records from the templates it receives, so a message that came
without its templates, or a cut one, is an error."""
import os
import socket
import struct
import sys
import time


def gen(phases, flows, ctrl):
    out = sys.stdout.buffer
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    t = 1700000000.0
    port = 20000
    for ph in range(1, phases + 1):
        for _ in range(flows):
            for src, sport, dst, dport in ((b"\x0a\x09\x00\x01", port, b"\x0a\x09\x00\x02", 53),
                                           (b"\x0a\x09\x00\x02", 53, b"\x0a\x09\x00\x01", port)):
                payload = b"x" * 20
                udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src,
                                 dst) + udp
                eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + ip
                sec = int(t)
                out.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(eth), len(eth)))
                out.write(eth)
                t += 0.05
            port += 1
        out.flush()
        open(os.path.join(ctrl, "done.%d" % ph), "w").close()
        if ph < phases:
            go = os.path.join(ctrl, "go.%d" % (ph + 1))
            deadline = time.time() + 60
            while not os.path.exists(go) and time.time() < deadline:
                time.sleep(0.05)


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp(port, out):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    print("ready", flush=True)
    nconn = 0
    while True:
        conn, _ = srv.accept()
        nconn += 1
        templates = {}
        while True:
            records, errors = 0, 0
            hdr = read_exact(conn, 16)
            if hdr is None:
                break
            version, length = struct.unpack("!HH", hdr[:4])
            body = read_exact(conn, length - 16) if length > 16 else b""
            if version != 10 or body is None:
                errors += 1
                break
            off = 0
            while off + 4 <= len(body):
                sid, slen = struct.unpack("!HH", body[off:off + 4])
                data = body[off + 4:off + slen]
                if sid == 2:
                    p = 0
                    while p + 4 <= len(data):
                        tid, nf = struct.unpack("!HH", data[p:p + 4])
                        p += 4
                        size = 0
                        for _ in range(nf):
                            fid, flen = struct.unpack("!HH", data[p:p + 4])
                            p += 8 if fid & 0x8000 else 4
                            size += flen
                        templates[tid] = size
                elif sid in (256, 257):
                    if sid not in templates:
                        errors += 1
                    else:
                        records += len(data) // templates[sid]
                off += slen
            # a line per message, as the collector may be killed at any time
            with open(out, "a") as fp:
                fp.write("%d.%d %d %d\n" % (os.getpid(), nconn, records, errors))
        conn.close()


def main():
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "tcp":
        tcp(int(sys.argv[2]), sys.argv[3])


if __name__ == "__main__":
    main()
