#!/usr/bin/env python3
"""make_regress.py - writes the captures of tests/regress: the encapsulation captures (encap-*.pcap),
one per link type the decoder handles beyond plain Ethernet/raw IP, each frame built here from the
specs (RFC 2784/2890/2637 GRE, draft-foschiano-erspan, RFC 7348 VXLAN, RFC 2003/4213/2473 IP in IP,
RFC 3032 MPLS, RFC 1661/1662/2516 PPP and PPPoE, Cisco HDLC, PPI, radiotap, IEEE 802.11) plus
hostile variants the decoder must count as malformed or truncated; and the minimized captures of
bugs found by fuzzing and the corpus sweep (bug-*.pcap; see README).

Usage: make_regress.py OUTDIR    (deterministic: same bytes every run)
After changing it, regenerate the expected outputs with tests/regress.sh --regen and review them.
"""
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
MAC_A, MAC_B = bytes.fromhex("020000000aaa"), bytes.fromhex("020000000bbb")


def v4(s):
    return bytes(int(x) for x in s.split("."))


def v6(tail):
    return bytes.fromhex("20010db8") + bytes(10) + struct.pack(">H", tail)


def udp(sp, dp, payload=b"payload"):
    return struct.pack(">HHHH", sp, dp, 8 + len(payload), 0) + payload


def tcp(sp, dp, flags, payload=b"", seq=1000, ack=0, off=5):
    return struct.pack(">HHIIBBHHH", sp, dp, seq, ack, off << 4, flags, 65535, 0, 0) + payload


def ipv4(src, dst, proto, payload, ident=1, frag=0, ihl=5, tos=0):
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, tos, 20 + len(payload), ident, frag, 64, proto,
                      0, v4(src), v4(dst))
    return hdr + payload


def ipv6(src, dst, nh, payload):
    return struct.pack(">IHBB", 0x60000000, len(payload), nh, 64) + src + dst + payload


def eth(etype, payload, vlan=None):
    tag = struct.pack(">HH", 0x8100, vlan) if vlan else b""
    return MAC_B + MAC_A + tag + struct.pack(">H", etype) + payload


def eth_ip(ip, vlan=None):
    return eth(0x0800 if ip[0] >> 4 == 4 else 0x86DD, ip, vlan)


def gre(ptype, payload, flags=0, opts=0):
    return struct.pack(">HH", flags, ptype) + b"".join(
        struct.pack(">I", 0x01020304 + i) for i in range(opts)) + payload


def mpls(labels, payload):
    out = b""
    for i, lab in enumerate(labels):
        out += struct.pack(">I", lab << 12 | (0x100 if i == len(labels) - 1 else 0) | 64)
    return out + payload


def pppoe(proto, payload, code=0, session=0x1234):
    body = struct.pack(">H", proto) + payload if code == 0 else payload
    return struct.pack(">BBHH", 0x11, code, session, len(body)) + body


def vxlan(frame, vni=0x1234):
    return struct.pack(">II", 0x08000000, vni << 8) + frame


def erspan2(frame):
    return struct.pack(">II", 0x10000000 | 7 << 16 | 0x55, 3) + frame


def erspan3(frame, ft=0, o=False):
    hdr = struct.pack(">IIHBB", 0x20000000 | 0x66, 0xDEADBEEF, 0, ft << 2, 1 if o else 0)
    return hdr + (bytes(8) if o else b"") + frame


def wlan_data(ip, to_ds=True, qos=False):
    fc0 = 0x88 if qos else 0x08
    fc1 = 0x01 if to_ds else 0x02
    addrs = (MAC_A + MAC_B + MAC_A) if to_ds else (MAC_B + MAC_A + MAC_A)
    hdr = bytes([fc0, fc1]) + b"\0\0" + addrs + b"\x10\x00"
    if qos:
        hdr += b"\x05\x00"
    etype = 0x0800 if ip[0] >> 4 == 4 else 0x86DD
    return hdr + b"\xaa\xaa\x03\x00\x00\x00" + struct.pack(">H", etype) + ip


def ppi(dlt, frame):
    return struct.pack("<BBHI", 0, 0, 8, dlt) + frame


def radiotap(frame):
    return struct.pack("<BBHI", 0, 0, 8, 0) + frame


def write_pcap(name, linktype, frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    t = 1700000000 * 1000000
    for item in frames:
        frame, wirelen = (item if isinstance(item, tuple) else (item, len(item)))
        t += 10000
        out += struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), wirelen) + frame
    with open(f"{OUT}/{name}", "wb") as fp:
        fp.write(out)


O1, O2 = "192.0.2.1", "192.0.2.2"
SYN, SYNACK, ACK, PSHACK = 0x02, 0x12, 0x10, 0x18


def handshake(wrap, a, b, sp, dp, ipf=ipv4):
    """TCP handshake and one data segment between inner hosts a and b, each packet wrapped by
    wrap(inner_ip, forward)."""
    return [wrap(ipf(a, b, 6, tcp(sp, dp, SYN)), True),
            wrap(ipf(b, a, 6, tcp(dp, sp, SYNACK, seq=5000, ack=1001)), False),
            wrap(ipf(a, b, 6, tcp(sp, dp, ACK, seq=1001, ack=5001)), True),
            wrap(ipf(a, b, 6, tcp(sp, dp, PSHACK, b"hello", seq=1001, ack=5001)), True)]


def outer4(proto, inner_fn):
    return lambda ip, fwd: eth_ip(ipv4(O1 if fwd else O2, O2 if fwd else O1, proto, inner_fn(ip)))


ether = []
# GRE (RFC 2784), both directions of a TCP connection: one flow, tunnel "gre 192.0.2.1>192.0.2.2"
ether += handshake(outer4(47, lambda ip: gre(0x0800, ip)), "10.1.0.1", "10.2.0.1", 40001, 5061)
# GRE with checksum, key and sequence number (RFC 2890) carrying IPv6
ether.append(eth_ip(ipv4(O1, "192.0.2.3", 47, gre(
    0x86DD, ipv6(v6(1), v6(2), 17, udp(5004, 5004)), flags=0xB000, opts=3))))
# Enhanced GRE (PPTP, RFC 2637) with key, sequence and acknowledgment, PPP with address/control
ether.append(eth_ip(ipv4(O1, "192.0.2.4", 47, gre(
    0x880B, b"\xff\x03\x00\x21" + ipv4("172.16.0.1", "172.16.0.2", 17, udp(5060, 5060)),
    flags=0x3081, opts=3))))
# GRE transparent Ethernet bridging, inner frame VLAN-tagged (the flow reports VLAN 42)
ether.append(eth_ip(ipv4(O1, "192.0.2.5", 47, gre(
    0x6558, eth_ip(ipv4("10.3.0.1", "10.3.0.2", 17, udp(1234, 5678)), vlan=42)))))
# ERSPAN type I, II, III (III with the platform subheader and an IP frame type)
span = eth_ip(ipv4("10.4.0.1", "10.4.0.2", 17, udp(3478, 3478)))
ether.append(eth_ip(ipv4(O1, "192.0.2.6", 47, gre(0x88BE, span))))
ether.append(eth_ip(ipv4(O1, "192.0.2.7", 47, gre(0x88BE, erspan2(span), flags=0x1000, opts=1))))
ether.append(eth_ip(ipv4(O1, "192.0.2.8", 47, gre(0x22EB, erspan3(
    ipv4("10.4.0.3", "10.4.0.4", 17, udp(3479, 3479)), ft=2, o=True), flags=0x1000, opts=1))))
# VXLAN (RFC 7348), a DNS query and its answer
ether.append(eth_ip(ipv4("198.51.100.1", "198.51.100.2", 17, udp(49152, 4789, vxlan(
    eth_ip(ipv4("10.5.0.1", "10.5.0.53", 17, udp(33000, 53, b"\x12\x34query"))))))))
ether.append(eth_ip(ipv4("198.51.100.2", "198.51.100.1", 17, udp(49153, 4789, vxlan(
    eth_ip(ipv4("10.5.0.53", "10.5.0.1", 17, udp(53, 33000, b"\x12\x34answer"))))))))
# IP in IP: 4in4, 6in4, 4in6, 6in6
ether.append(eth_ip(ipv4(O1, "192.0.2.9", 4, ipv4("10.6.0.1", "10.6.0.2", 17, udp(1, 2)))))
ether.append(eth_ip(ipv4(O1, "192.0.2.10", 41, ipv6(v6(3), v6(4), 17, udp(3, 4)))))
ether.append(eth_ip(ipv6(v6(0x101), v6(0x102), 4, ipv4("10.6.0.3", "10.6.0.4", 17, udp(5, 6)))))
ether.append(eth_ip(ipv6(v6(0x103), v6(0x104), 41, ipv6(v6(5), v6(6), 17, udp(7, 8)))))
# MPLS (RFC 3032), two labels, VLAN-tagged carrier
ether.append(eth(0x8847, mpls([100, 200], ipv4("10.7.0.1", "10.7.0.2", 17, udp(9, 10))), vlan=7))
# PPPoE (RFC 2516): discovery (PADI, not IP), session IPv4 and IPv6
ether.append(eth(0x8863, pppoe(0, b"\x01\x01\x00\x00", code=0x09, session=0)))
ether.append(eth(0x8864, pppoe(0x0021, ipv4("10.8.0.1", "10.8.0.2", 17, udp(11, 12)))))
ether.append(eth(0x8864, pppoe(0x0057, ipv6(v6(7), v6(8), 17, udp(13, 14)))))
# nested: PPPoE > IPv4 > GRE > IPv4 > UDP > VXLAN > Ethernet > IPv4 TCP; the outermost is PPPoE
ether.append(eth(0x8864, pppoe(0x0021, ipv4(O2, O1, 47, gre(0x0800, ipv4(
    "198.51.100.1", "198.51.100.2", 17, udp(49154, 4789, vxlan(eth_ip(ipv4(
        "10.9.0.1", "10.9.0.2", 6, tcp(40002, 443, SYN)))))))))))
# GRE with an unknown payload type: a port-less GRE flow of the outer hosts
ether.append(eth_ip(ipv4(O1, "192.0.2.11", 47, gre(0x1234, b"keepalive"))))
# an outer IPv4 fragment never enters the tunnel: both pieces are one GRE flow (frag_pkts 2)
frag_inner = gre(0x0800, ipv4("10.10.0.1", "10.10.0.2", 17, udp(15, 16, b"F" * 40)))
ether.append(eth_ip(ipv4(O1, "192.0.2.12", 47, frag_inner[:32], ident=77, frag=0x2000)))
ether.append(eth_ip(ipv4(O1, "192.0.2.12", 47, frag_inner[32:], ident=77, frag=4)))
# hostile: GRE routing bit; GRE version 3; ERSPAN II cut by the snap length; VXLAN header cut;
# IP in IP six deep; inner IHL 0; inner TCP data offset past the segment; inner IPv6 with nine
# extension headers; MPLS stack of 17 labels
ether.append(eth_ip(ipv4(O1, O2, 47, gre(0x0800, bytes(4) + ipv4("10.1.0.1", "10.2.0.1", 17,
                                                                  udp(1, 1)), flags=0x4000))))
ether.append(eth_ip(ipv4(O1, O2, 47, gre(0x0800, ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 1)),
                                          flags=0x0003))))
cut = eth_ip(ipv4(O1, "192.0.2.7", 47, gre(0x88BE, erspan2(span), flags=0x1000, opts=1)))
ether.append((cut[:14 + 20 + 8 + 5], len(cut)))
cut = eth_ip(ipv4("198.51.100.1", "198.51.100.2", 17, udp(49152, 4789, vxlan(span))))
ether.append((cut[:14 + 20 + 8 + 6], len(cut)))
deep = ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 1))
for _ in range(6):
    deep = ipv4(O1, O2, 4, deep)
ether.append(eth_ip(deep))
ether.append(eth_ip(ipv4(O1, O2, 4, b"\x40" + ipv4("10.1.0.1", "10.2.0.1", 17, udp(1, 1))[1:])))
ether.append(eth_ip(ipv4(O1, O2, 4, ipv4("10.1.0.1", "10.2.0.1", 6, tcp(1, 2, SYN, off=15)))))
chain = udp(1, 2)
for i in range(9):
    chain = bytes([17 if i == 0 else 60, 0]) + b"\x01\x04\0\0\0\0" + chain
ether.append(eth_ip(ipv4(O1, O2, 41, ipv6(v6(9), v6(10), 60, chain))))
ether.append(eth(0x8847, mpls(list(range(16, 33)), ipv4("10.7.0.1", "10.7.0.2", 17, udp(9, 10)))))
write_pcap("encap-ether.pcap", 1, ether)

# DLT_PPP (9): framed, unframed, compressed protocol, IPv6, LCP, Cisco HDLC framing, SLARP, MPLS
ip_a = ipv4("10.11.0.1", "10.11.0.2", 17, udp(20, 21))
write_pcap("encap-ppp.pcap", 9, [
    b"\xff\x03\x00\x21" + ip_a,
    b"\x00\x21" + ipv4("10.11.0.2", "10.11.0.1", 17, udp(21, 20)),
    b"\xff\x03\x21" + ip_a,
    b"\xff\x03\x00\x57" + ipv6(v6(11), v6(12), 17, udp(22, 23)),
    b"\xff\x03\xc0\x21\x01\x01\x00\x04",
    b"\x0f\x00\x08\x00" + ipv4("10.11.0.3", "10.11.0.4", 6, tcp(179, 40000, SYNACK)),
    b"\x8f\x00\x80\x35" + bytes(16),
    b"\xff\x03\x02\x81" + mpls([300], ipv4("10.11.0.5", "10.11.0.6", 17, udp(24, 25))),
    b"\xff\x05\x00\x21" + ip_a,
])
# DLT_C_HDLC (104): IPv4, IPv6, MPLS, SLARP, CDP
write_pcap("encap-chdlc.pcap", 104, [
    b"\x0f\x00\x08\x00" + ipv4("10.12.0.1", "10.12.0.2", 6, tcp(40000, 179, SYN)),
    b"\x0f\x00\x86\xdd" + ipv6(v6(13), v6(14), 17, udp(26, 27)),
    b"\x0f\x00\x88\x47" + mpls([400], ipv4("10.12.0.1", "10.12.0.2", 6, tcp(40000, 179, ACK))),
    b"\x8f\x00\x80\x35" + bytes(16),
    b"\x8f\x00\x20\x00" + bytes(8),
])
# DLT_PPI (192): 802.11 data both ways, QoS data, Ethernet, a beacon, a protected frame, a link
# type that is not decoded, a PPI header longer than the capture
wa = ipv4("10.13.0.1", "10.13.0.2", 17, udp(5353, 5353))
wb = ipv4("10.13.0.2", "10.13.0.1", 17, udp(5353, 5353))
write_pcap("encap-ppi.pcap", 192, [
    ppi(105, wlan_data(wa, to_ds=True)),
    ppi(105, wlan_data(wb, to_ds=False)),
    ppi(105, wlan_data(wa, qos=True)),
    ppi(1, eth_ip(ipv4("10.13.0.3", "10.13.0.4", 17, udp(30490, 30490)))),
    ppi(105, b"\x80\x00\x00\x00" + MAC_B * 3 + b"\x00\x00" + bytes(12)),
    ppi(105, bytes([0x08, 0x41]) + wlan_data(wa)[2:]),
    ppi(107, b"frame relay"),
    struct.pack("<BBHI", 0, 0, 200, 105) + bytes(20),
])
# DLT_IEEE802_11 (105) and DLT_IEEE802_11_RADIO (127)
write_pcap("encap-wlan.pcap", 105, [wlan_data(wa), wlan_data(wb, to_ds=False)])
write_pcap("encap-radiotap.pcap", 127, [radiotap(wlan_data(wa)), radiotap(wlan_data(wb, False))])

# ---- bugs ----

# bug-tso-zero-length: IPv4 total length 0 (a TCP segmentation offload send captured on the
# sending host) was counted malformed and its bytes lost; found by the nDPI sweep in
# anydesk.pcapng, line.pcap and thrift.pcap. Now the packet runs to the end of the frame.
C, S = "10.20.0.1", "10.20.0.2"
big = ipv4(C, S, 6, tcp(50000, 443, PSHACK, b"T" * 2960, seq=1001, ack=5001), frag=0x4000)
big = big[:2] + b"\0\0" + big[4:]
write_pcap("bug-tso-zero-length.pcap", 1, [
    eth_ip(ipv4(C, S, 6, tcp(50000, 443, SYN))),
    eth_ip(ipv4(S, C, 6, tcp(443, 50000, SYNACK, seq=5000, ack=1001))),
    eth_ip(ipv4(C, S, 6, tcp(50000, 443, ACK, seq=1001, ack=5001))),
    eth_ip(big),
    eth_ip(ipv4(S, C, 6, tcp(443, 50000, ACK, seq=5001, ack=3961))),
])

# bug-fabricpath-nonip: Cisco FabricPath frames (ethertype 0x8903 wrapping the original frame, as a
# Nexus switch mirrors them) were counted non-IP, so half of a connection went missing; found by
# comparing the sweep's decoded packets with tshark's in ajp.pcap. The capture holds a handshake
# seen twice, plain and FabricPath-wrapped, as ajp.pcap does: one flow of 6 packets.
def fabricpath(frame):
    return bytes.fromhex("020abd000000020abc000000") + b"\x89\x03\x40\x20" + frame


hs = handshake(lambda ip, fwd: eth_ip(ip, vlan=7), "172.29.9.146", "172.29.9.147", 38856, 8009)[:3]
write_pcap("bug-fabricpath-nonip.pcap", 1, [x for f in hs for x in (f, fabricpath(f))])

# bug-host-dots: an HTTP Host header of ~250 dots overran the domain matcher's table of parent
# suffixes (sized for one per label, not one per dot) on the stack; found by fuzz_packet
# (UBSan: index 127 out of bounds in evidence_names.c). Two requests: a Host of dots only, and
# dots before ".webex.com". Unit test: domain_names_of_dots in tests/check_evidence_dns.c.
C, S = "10.30.0.1", "10.30.0.2"
for i, host in enumerate([b"." * 250, b"." * 240 + b".webex.com"]):
    req = b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    sp = 50100 + i
    frames = [
        eth_ip(ipv4(C, S, 6, tcp(sp, 80, SYN))),
        eth_ip(ipv4(S, C, 6, tcp(80, sp, SYNACK, seq=5000, ack=1001))),
        eth_ip(ipv4(C, S, 6, tcp(sp, 80, ACK, seq=1001, ack=5001))),
        eth_ip(ipv4(C, S, 6, tcp(sp, 80, PSHACK, req, seq=1001, ack=5001))),
    ]
    if i == 0:
        dots = frames
    else:
        dots += frames
write_pcap("bug-host-dots.pcap", 1, dots)
