# Cisco Unified CM 9.0(1) IM and Presence inter-domain federation (SIP over TLS, XMPP) from the Japanese edition (003:1 title; 003:4 "発行日;2013/01/06", its only date).
doc 003_09629e3e435f9a9e.txt "Interdomain Federation for IM and Presence Service on Cisco Unified Communications Manager, Release 9.0(1)" vendor="Cisco" edition="Japanese" original="Cisco Unified Communications Manager Release 9.0(1) の IM and Presence サービスに対するドメイン間フェデレーション" revised=2013-01-06
app cisco-imp "Cisco Unified CM IM and Presence" onprem=yes

# NOTE: this document has NO port table. Its only tables (表 1-12) are presence-status mapping
# tables (Available/Busy/Away ...), which are not port, subnet, domain or QoS tables. The rows
# below come from the prose of the section "Basic federated network" (基本的なフェデレーテッド
# ネットワーク), which names two DNS SRV records but no port numbers:
#   _sipfederationtls : SIP federation (Microsoft OCS/Lync, AOL SAG) over TLS
#   _xmpp-server      : XMPP federation (IBM Sametime, Webex Connect, GoogleTalk, other XMPP servers)
# The port numbers are the standard ports for those services (ucflow interpretation, not printed
# in the document): 5061 for SIP over TLS (RFC 3261 26.2 / RFC 5922), 5269 for XMPP
# server-to-server (RFC 6120 14.7). Every rule says so (basis=interpretation standard="..."),
# and --list-rules, flow records (rule_basis) and the report cite it.
# The document describes both directions for both protocols (incoming requests from foreign
# domains routed to IM and Presence through the ASA; outgoing subscriptions / IM sent by any
# IM and Presence node through the ASA), so each protocol is written as an inbound rule (IM and
# Presence node is the server, onprem default @internal) and an outbound rule (IM and Presence
# node is the client, the foreign domain's server is anywhere).
# The document does not give the port used between the ASA (TLS proxy / PAT) and the IM and
# Presence node, nor 5060/5062; none is written here.

# ---------------------------------------------------------------------------------------------
table "Basic federated network (DNS SRV records; the document has no port table)"
# 原文: 基本的なフェデレーテッド ネットワーク

# SIP federation (Microsoft OCS R2 / OCS 2007 / Lync 2010, AOL SIP Access Gateway): enterprise
# domains interconnect over the internet with secure TLS connections; the ASA gives firewall, PAT
# and TLS proxy. Public DNS publishes _sipfederationtls -> standard port 5061 (interpretation).
rule app=cisco-imp service=sip-federation-tls-in category=federation proto=tcp \
     server_port=5061 encrypted=yes payload=tls \
     basis=interpretation standard="RFC 5922 / RFC 3261 SIP over TLS (port 5061)" \
     label="SIP federation over TLS, foreign domain to IM and Presence (_sipfederationtls SRV; standard port 5061)"
# Same prose, outbound direction: any IM and Presence node sends to foreign domains via the ASA.
rule app=cisco-imp service=sip-federation-tls-out category=federation proto=tcp \
     client=@internal server=any server_port=5061 encrypted=yes payload=tls \
     basis=interpretation standard="RFC 5922 / RFC 3261 SIP over TLS (port 5061)" \
     label="SIP federation over TLS, IM and Presence to foreign domain edge (_sipfederationtls SRV; standard port 5061)"

# XMPP federation (IBM Sametime 8.2/8.5, Cisco Webex Connect 6, GoogleTalk, Unified CM 8.x, other
# XMPP-standard servers). TLS is optional for XMPP federation (XMPP フェデレーションでは、TLS は
# オプションです); GoogleTalk federation is supported over TCP but not over TLS -> encrypted left
# unknown. Public DNS publishes _xmpp-server -> standard port 5269 (interpretation).
rule app=cisco-imp service=xmpp-federation-in category=federation proto=tcp \
     server_port=5269 payload=xmpp-server \
     basis=interpretation standard="RFC 6120 XMPP server-to-server (port 5269)" \
     label="XMPP federation, foreign domain to IM and Presence (_xmpp-server SRV; standard port 5269; TLS optional)"
# Same prose, outbound direction: requests leave through a node with XMPP federation enabled.
rule app=cisco-imp service=xmpp-federation-out category=federation proto=tcp \
     client=@internal server=any server_port=5269 payload=xmpp-server \
     basis=interpretation standard="RFC 6120 XMPP server-to-server (port 5269)" \
     label="XMPP federation, IM and Presence to foreign XMPP server (_xmpp-server SRV; standard port 5269; TLS optional)"

# ---------------------------------------------------------------------------------------------
# Prose passages (notes, not table rows), at the end so the rows keep their line numbers.
# Both are in the prose of "基本的なフェデレーテッド ネットワーク" (Basic federated network), the
# section the rows above come from.

# The last item of the list of XMPP federation partners.
# 原文: IM and Presence では、TCP を介した GoogleTalk とのフェデレーションはサポートされていますが、
# TLS を介した GoogleTalk とのフェデレーションはサポートされていません。
note app=cisco-imp id=googletalk-tcp-only section="基本的なフェデレーテッド ネットワーク" \
     text="IM and Presence supports federation with GoogleTalk over TCP, but does not support federation with GoogleTalk over TLS."

# The paragraph introducing figure 2 (XMPP federated network with IBM Sametime).
# 原文: XMPP フェデレーションでは、TLS はオプションです。 XMPP フェデレーションの場合、Cisco Adaptive
# Security Appliance(ASA)はファイアウォールとしてのみ機能し、TLS プロキシ機能や PAT を実行する役割は
# 果たしません。
note app=cisco-imp id=xmpp-tls-optional section="基本的なフェデレーテッド ネットワーク" \
     text="In XMPP federation, TLS is optional. For XMPP federation, the Cisco Adaptive Security Appliance (ASA) acts only as a firewall and does not perform the TLS proxy function or PAT."

# payload= on the rules above: SIP federation over TLS: tls; XMPP federation: xmpp-server (the
# first packet is the server-to-server stream header; TLS, which is optional, comes through
# STARTTLS).

# =============================================================================================
# Server roles (role statements, ucflow-signatures(5) ROLES). basis=interpretation: ucflow's
# reading of 003's prose and of the standards its SRV records point to, not a row of 003.
#
# 003 prints no port numbers. It says an IM and Presence deployment federates with foreign
# domains over SIP with secure TLS connections (003:53; SRV record _sipfederationtls, 003:61) and
# over XMPP (003:55; SRV record _xmpp-server, 003:61), that outgoing requests leave through the
# node that runs XMPP federation (003:100, 003:104) and that incoming ones are routed to it
# (003:100, 003:143). The standard ports of those records are 5061 for SIP over TLS (RFC 3261
# section 19.1.2, RFC 5922) and 5269 for XMPP server-to-server (RFC 6120 section 14.7): the
# rules above use them as interpretation.
# Both ports are shared (every SIP-TLS PBX and every XMPP server uses them), so neither alone
# names the product: a third-party PBX trunks to its ITSP on 5061, an XMPP server federates on
# 5269. What ucflow takes for an IM and Presence federation node is an internal host that, in
# the capture, federates with hosts outside the internal networks over BOTH: an answered 5061
# connection and an answered 5269 connection with external hosts, in either direction
# (federates=, min=2: one protocol alone makes no role). Limit: with the ASA's TLS proxy (003:53,
# 003:174) the inbound SIP leg reaches the node from the ASA's inside address, so only the node's
# outbound SIP counts then; a site file declares the node where the capture shows too little.
role app=cisco-imp role=federation-node federates=tcp/5061,tcp/5269 min=2 \
     label="IM and Presence federation node: federates with external domains over SIP-TLS 5061 and XMPP 5269 (interpretation of 003:53-61, RFC 5922, RFC 6120)"

# =============================================================================================
# DNS SRV lookups of federation partners. 003 (Basic federated network, 003:61, and the XMPP
# deployment prose, 003:100-104) names the SRV records _sipfederationtls (SIP federation) and
# _xmpp-server (XMPP federation) through which federating domains find each other: the node
# that runs federation looks up a foreign domain's record before it connects. The DNS row below
# is ucflow's interpretation (003 prints no DNS row, no port): a lookup whose question starts
# with one of those service label pairs (prefix patterns, ucflow-signatures(5) DOMAIN PATTERNS),
# made by a host that holds the federation-node role above (product_side=client: an arbitrary
# client's _xmpp-server lookup, e.g. a public XMPP server or client, stays unlabelled). Other
# lookups of the node (sip.example.net's address) are not labelled: needs=name, and only these
# names are rows of the app.
domain app=cisco-imp service=federation-dns-srv pattern=_sipfederationtls._tcp.* kind=service \
       label="DNS SRV lookup of a foreign domain's SIP federation record (_sipfederationtls._tcp, 003:61)"
domain app=cisco-imp service=federation-dns-srv pattern=_xmpp-server._tcp.* kind=service \
       label="DNS SRV lookup of a foreign domain's XMPP federation record (_xmpp-server._tcp, 003:61)"
rule app=cisco-imp service=federation-dns-srv product_side=client category=dns proto=both server=any \
     server_port=53 encrypted=no payload=dns needs=name \
     basis=interpretation standard="RFC 2782 DNS SRV (003 names the records, not a DNS row)" \
     label="DNS SRV lookups of federation partners by the IM and Presence federation node (_sipfederationtls._tcp / _xmpp-server._tcp, 003:61, 003:100-104)"
