#!/usr/bin/env python3
"""live_traffic.py - loopback traffic with packet counts known in advance, for the live tests.

    live_traffic.py serve tcp:PORT ... udp:PORT ...   echo servers on 127.0.0.1; prints "ready",
                                                      runs until killed
    live_traffic.py tcp PORT NMSG SIZE [HOLD]         one TCP conversation, prints its counts;
                                                      with HOLD, "connected SPORT" goes to stderr
                                                      once connected and the connection stays open
                                                      HOLD more seconds before the FIN
    live_traffic.py udp PORT NMSG SIZE                NMSG datagrams, each echoed

Only 127.0.0.1 is used, or the loopback address in $LIVE_HOST (127.0.0.0/8 only, so that tests
running in parallel do not share ports). TCP packet counts are made deterministic by pausing longer than
Linux's longest delayed ACK (200 ms) wherever an ACK could otherwise ride on the next segment:

    originator: SYN, ACK, NMSG x (data, ACK of the echo), FIN, ACK of the server's FIN = 2*NMSG + 4
    responder:  SYN-ACK, NMSG x (ACK of the data, echo), ACK of the FIN, FIN          = 2*NMSG + 3

The client prints one line: "proto sport dport orig_pkts resp_pkts orig_bytes resp_bytes".
"""
import os
import signal
import socket
import sys
import threading
import time

HOST = os.environ.get("LIVE_HOST", "127.0.0.1")
if not HOST.startswith("127."):
    sys.exit("live_traffic.py: LIVE_HOST must be a loopback address (127.0.0.0/8)")
GAP = 0.4  # seconds; > 200 ms (TCP_DELACK_MAX), so no ACK is merged with a later segment


def tcp_conn(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            time.sleep(GAP)  # the data's ACK leaves on its own first
            if not data:
                return  # EOF: the FIN's ACK has gone out; close() sends our FIN
            conn.sendall(data)


def tcp_server(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=tcp_conn, args=(conn,), daemon=True).start()


def udp_server(sock):
    while True:
        data, peer = sock.recvfrom(65536)
        sock.sendto(data, peer)


def serve(specs):
    for spec in specs:
        proto, port = spec.split(":")
        if proto == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((HOST, int(port)))
            s.listen(16)
            threading.Thread(target=tcp_server, args=(s,), daemon=True).start()
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((HOST, int(port)))
            threading.Thread(target=udp_server, args=(s,), daemon=True).start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()  # until the test kills us


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("connection closed early")
        buf += chunk
    return buf


def tcp_client(port, nmsg, size, hold=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.bind((HOST, 0))  # the source address too: only HOST appears in the packets
    s.connect((HOST, port))
    sport = s.getsockname()[1]
    if hold is not None:
        sys.stderr.write("connected %d\n" % sport)
        sys.stderr.flush()
    time.sleep(GAP)
    for i in range(nmsg):
        msg = bytes([65 + i % 26]) * size
        s.sendall(msg)
        if recv_exact(s, size) != msg:
            raise RuntimeError("bad echo")
        time.sleep(GAP)  # our ACK of the echo leaves on its own
    if hold:
        time.sleep(hold)
    s.shutdown(socket.SHUT_WR)  # FIN
    if s.recv(1) != b"":  # the server's FIN
        raise RuntimeError("unexpected data")
    s.close()
    time.sleep(GAP)
    print("tcp %d %d %d %d %d %d" % (sport, port, 2 * nmsg + 4, 2 * nmsg + 3, nmsg * size,
                                     nmsg * size), flush=True)


def udp_client(port, nmsg, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.bind((HOST, 0))
    s.connect((HOST, port))
    sport = s.getsockname()[1]
    for i in range(nmsg):
        msg = bytes([97 + i % 26]) * size
        s.send(msg)
        if s.recv(65536) != msg:
            raise RuntimeError("bad echo")
    s.close()
    print("udp %d %d %d %d %d %d" % (sport, port, nmsg, nmsg, nmsg * size, nmsg * size),
          flush=True)


def main(argv):
    if len(argv) >= 2 and argv[1] == "serve":
        serve(argv[2:])
    elif len(argv) == 5 and argv[1] in ("tcp", "udp"):
        fn = tcp_client if argv[1] == "tcp" else udp_client
        fn(int(argv[2]), int(argv[3]), int(argv[4]))
    elif len(argv) == 6 and argv[1] == "tcp":
        tcp_client(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
