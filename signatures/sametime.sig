# HCL Sametime default ports (Community Server, Proxy Server, Meeting Server tables) from the Japanese edition (000:1 title; the text gives no date).
doc 000_46a6b0e943b668fc.txt "Ports used by Sametime" vendor="HCL" edition="Japanese" original="Sametime によって使用されるポート" revised="not stated"
app sametime "HCL Sametime" onprem=yes

# Document preamble: if a firewall is used, all traffic on these ports must be allowed in BOTH
# directions (ファイアウォールが使用されている場合は、これらのポートのすべてのトラフィックを双方向に許可).
# The document gives no transport for most rows; TCP is used where the protocol is TCP
# (HTTP/HTTPS, LDAP, Notes RPC, MongoDB, the "direct TCP/IP" community protocol); the three rows
# the document calls UDP (10000, 30000, 19302) are udp.

# ---------------------------------------------------------------------------------------------
table "HCL Sametime Community Server ports"
# 原文: HCL Sametime コミュニティー・サーバー・ポート

# Port 80: if HTTP tunneling on port 80 was allowed at install, the community services multiplexer
# listens on 80 for HTTP from web browsers, Sametime Connect, meeting room and recorded meeting
# clients; if not, the Domino HTTP server listens on 80.
# The table has a second row for port 80 (below, with the same server and port): one rule for both,
# its label naming each documented use, so that either can be what a flow on 80 is called.
rule app=sametime service=http-80 category=web proto=tcp server_port=80 \
     encrypted=no payload=http \
     label="Port 80: Domino HTTP server (default) / community services multiplexer HTTP tunneling (if allowed at install; both 80 rows)"

# Alternate HTTP port (8088): when tunneling is on 80, the Domino HTTP server is moved to 8088 and
# the multiplexer makes intra-server connections to the Sametime HTTP server on 8088.
# needs=corroboration: 8088 is a common alternate HTTP port (Hadoop, Splunk, test servers ...);
# HTTP on it proves nothing of Domino. Only a site-declared server, a name or a server role labels.
rule app=sametime service=domino-http-alt category=web proto=tcp server_port=8088 \
     encrypted=no payload=http needs=corroboration \
     label="Alternate HTTP port 8088: Domino HTTP server when community services own port 80"

# Port 389: non-secure communication from the Community Server to the LDAP server.
rule app=sametime service=ldap product_side=client category=directory proto=tcp server_port=389 encrypted=no \
     label="Port 389: Community Server to LDAP server, non-secure"

# Port 443: Domino HTTP server listens for HTTPS by default; used only if Domino is set up to use
# SSL for web browsers.
# The Proxy Server and Meeting Server tables list 443 too (same server side, same port): one rule
# for the three rows, its label naming each documented use.
rule app=sametime service=https-443 category=web proto=tcp server_port=443 encrypted=yes payload=tls \
     label="Port 443: Domino HTTPS (when SSL is configured for browsers) / Proxy Server HTTPS listener (when configured for 443) / Meeting Server HTTPS (meeting clients; Meeting Server to Proxy Server for user authentication)"

# Port 636: Community Server talks LDAP securely for directory services.
rule app=sametime service=ldaps product_side=client category=directory proto=tcp server_port=636 encrypted=yes payload=tls \
     label="Port 636: Community Server to LDAP, secure"

# Port 1352: the Domino server with Sametime listens for Notes clients and Domino servers.
# needs=corroboration: every Domino server listens on 1352, with or without Sametime.
rule app=sametime service=notes-rpc category=other proto=tcp server_port=1352 needs=corroboration \
     label="Port 1352: Domino server, connections from Notes clients and Domino servers"

# Port 9092: Community Server event server port, intra-server connections between Sametime components.
rule app=sametime service=event-server category=other proto=tcp server_port=9092 \
     label="Port 9092: Community Server event server (intra-server, between Sametime components)"

# Port 9094: Community Server token server port, intra-server connections between Sametime components.
# needs=corroboration: 9094 is also a common Apache Kafka listener port (TLS/SASL listener).
rule app=sametime service=token-server category=other proto=tcp server_port=9094 needs=corroboration \
     label="Port 9094: Community Server token server (intra-server, between Sametime components)"

# Port 27017: the Community Server talks to MongoDB on this port; MongoDB is used for persistent chat.
# The Proxy Server and Meeting Server tables list 27017 too: one rule for the three rows.
rule app=sametime service=mongodb product_side=client category=database proto=tcp server_port=27017 \
     label="Port 27017: MongoDB, from the Community Server (persistent chat) / Proxy Server / Meeting Server (managed meeting rooms, reserved meeting names)"

# Port 1516: community services listen for direct TCP/IP connections from the community services
# of other Sametime Community Servers (presence, chat, other community data between servers);
# the Community Server also listens here for the Sametime Proxy Server.
# The Proxy Server table lists 1516 too (the Proxy Server connecting here): one rule for both rows.
rule app=sametime service=community-1516 category=presence proto=tcp server_port=1516 \
     label="Port 1516: Community Server to Community Server (presence, chat) / Proxy Server to Community Server (LTPA token, presence, status, chat)"

# Port 1533: community services listen for direct TCP/IP and HTTP-tunneling connections from
# community clients (Sametime Connect ...), and by default HTTPS connections from clients going
# through an HTTPS proxy. Note: over the HTTPS method the data is NOT encrypted (この接続を介して
# 送られるデータは暗号化されません); the document says nothing about the direct method, so encrypted
# is left unknown for the row as a whole.
rule app=sametime service=community-client category=presence proto=tcp server_port=1533 \
     label="Port 1533: community clients, direct TCP/IP, HTTP tunneling and HTTPS-proxy method"

# Port 80 (second row of the same table): the Domino server listens for HTTP on 80 by default;
# optionally HTTP tunneling on 80 so community clients reach the multiplexer over 80 (then the
# multiplexer listens for tunneling on both 80 and 1533).
# Written as the port-80 rule of the first row above (sametime/http-80), whose label names both uses.

# Port 8082: with HTTP tunneling support enabled, community clients tunnel to the multiplexer on
# 8082 by default (clients try both 80 and 8082); backward compatibility with older releases
# that could tunnel only on 8082.
rule app=sametime service=http-tunnel-8082 category=presence proto=tcp server_port=8082 \
     encrypted=no payload=http \
     label="Port 8082: community clients HTTP tunneling to the multiplexer (legacy default)"

# ---------------------------------------------------------------------------------------------
table "Sametime Proxy Server ports"
# 原文: Sametime プロキシ・サーバーのポート

# Port 1516: the Proxy Server gets community service information from the Community Server on this
# port (LTPA tokens, presence, status, chat transferred between the servers).
# Written as the 1516 rule of the Community Server table (sametime/community-1516).

# Port 8443: default HTTPS port of the Proxy Server, configurable (many customers change it to 443).
rule app=sametime service=proxy-https category=web proto=tcp server_port=8443 encrypted=yes payload=tls \
     label="Port 8443: Proxy Server default HTTPS port (configurable)"

# Port 27017: the Proxy Server talks to the MongoDB server on this port.
# Written as the 27017 rule of the Community Server table (sametime/mongodb).

# Port 443 (one row, two uses): (a) the Proxy Server can be configured to listen for HTTPS on 443;
# (b) the Proxy Server talks to Google Firebase Cloud Messaging (notifications to Android devices)
# and to the Apple Push Notification service on 443. (b) is outbound to third-party cloud
# services, so its server side is not internal.
# Use (a) is written as the 443 rule of the Community Server table (sametime/https-443).
# Same 443 row, use (b): Proxy Server to Google FCM (Android) and Apple APNS, outbound.
rule app=sametime service=push-notification product_side=client category=notification proto=tcp \
     client=@internal server=any server_port=443 encrypted=yes payload=tls \
     label="Port 443: Proxy Server to Google FCM (Android notifications) and Apple Push Notification service"

# ---------------------------------------------------------------------------------------------
table "Sametime Meeting Server ports"
# 原文: Sametime ミーティング・サーバー のポート

# Port 443: meeting clients connect to the Meeting Server with HTTPS on 443; the Meeting Server
# connects to the Sametime Proxy Server on 443 to authenticate users.
# Written as the 443 rule of the Community Server table (sametime/https-443).

# Port 10000 (UDP): audio and video clients stream media on this port when the Meeting Server is
# deployed on Docker.
rule app=sametime service=meeting-media-docker category=media proto=udp server_port=10000 payload=rtp,rtcp,stun,dtls \
     label="UDP 10000: meeting audio/video media (Docker deployment)"

# Port 30000 (UDP): audio and video clients stream media on this port when the Meeting Server is
# deployed on Kubernetes.
rule app=sametime service=meeting-media-k8s category=media proto=udp server_port=30000 payload=rtp,rtcp,stun,dtls \
     label="UDP 30000: meeting audio/video media (Kubernetes deployment)"

# 19302 (UDP): default STUN port used for NAT traversal by both the clients and the Meeting Server.
# Interpretation: both the clients and the Meeting Server are STUN *clients* here, so the STUN
# server is not necessarily internal (server=any overrides the onprem default) while the client
# side is (client=@internal: a site-declared Meeting Server is then a Sametime client of this row).
rule app=sametime service=stun product_side=client category=media proto=udp server=any server_port=19302 client=@internal payload=stun \
     label="UDP 19302: default STUN port for NAT traversal (clients and Meeting Server)"

# 27017: the Meeting Server connects to the MongoDB server for managed meeting rooms and reserved
# meeting names.
# Written as the 27017 rule of the Community Server table (sametime/mongodb).

# ---------------------------------------------------------------------------------------------
# Prose passages (notes, not table rows), at the end so the rows keep their line numbers.

# The paragraph under the document's title (no other heading precedes it).
# 原文: HCL Sametime は、サーバーのポートを複数使用します。ここではデフォルトポートとその使用方法を
# 説明します。ご使用の環境でファイアウォールが使用されている場合は、これらのポートのすべての
# トラフィックを双方向に許可する必要があります。
note app=sametime id=firewall-both-directions section="Sametime によって使用されるポート" \
     text="HCL Sametime uses several server ports; this describes the default ports and how they are used. If a firewall is used in your environment, all traffic on these ports must be allowed in both directions."

# payload= on the rules above (the protocol each row's traffic carries, checked against the flow's
# payload): HTTP, HTTP-tunnelling and alternate HTTP rows: http; HTTPS rows and LDAPS 636: tls;
# meeting media (UDP 10000, 30000): rtp,rtcp,stun,dtls (WebRTC media: ICE STUN checks, DTLS-SRTP);
# STUN 19302: stun. LDAP 389, Notes RPC 1352, Kafka 9092/9094, MongoDB 27017 and the Sametime
# community protocol (1516, 1533: direct TCP/IP, HTTP tunnelling and HTTPS-proxy methods mixed)
# are not validated.

# =============================================================================================
# Server roles (role statements, ucflow-signatures(5) ROLES). ucflow's interpretation of the
# Community Server table, not a row of it: what a server must answer on to be taken for a
# Sametime Community Server, so that its flows on the ports it shares with other products and
# common services (80, 443, 8082, 8088, 1352, 9092, 9094) and its own client connections (LDAP,
# MongoDB) are labelled from what the capture showed (role+port).
#
# Key ports: 1533 (community clients) and 1516 (Community Server to Community Server, and from
# the Proxy Server). Only Sametime documents them and neither is a common port; one answered
# connection on either is enough (min=1).
# Support ports (evidence shown, never a role on their own): 1352 (any Domino server), 8088 and
# 8082 (generic alternate HTTP), 9092 and 9094 (Apache Kafka's defaults: an internal Kafka
# broker is not a Sametime server).
# The role covers the Community Server rows only (services=). The Proxy and Meeting Servers and
# the Domino server answer on no port that only Sametime documents (8443 and 443 are generic
# HTTPS; UDP 10000 and 30000 are any WebRTC media bridge's; 8088 and 1352 any web or Domino
# server's): the roles below recognise them by whom they talk to, as the tables describe it.
role app=sametime role=community-server key=tcp/1533,tcp/1516 \
     support=tcp/1352,tcp/8088,tcp/8082,tcp/9092,tcp/9094 min=1 \
     services=http-80,domino-http-alt,ldap,https-443,ldaps,notes-rpc,event-server,token-server,mongodb,community-1516,community-client,http-tunnel-8082 \
     label="Sametime Community Server: answers on TCP 1533 or 1516 (community services)"

# Proxy Server: "the Proxy Server gets community service information from the Community Server on
# this port" (Proxy Server table, 1516). A host that is the client of an answered 1516 connection
# to a known Community Server is a Proxy Server, or another Community Server (Community Server
# table, 1516): a Sametime server either way. Its own HTTPS port 8443 is support (generic HTTPS).
role app=sametime role=proxy-server client_of=community-server:tcp/1516 support=tcp/8443 min=1 \
     services=proxy-https,mongodb,https-443,push-notification \
     label="Sametime Proxy Server: client of a Community Server on TCP 1516 (Proxy Server table)"

# Meeting Server: "the Meeting Server connects to the Sametime Proxy Server on 443 to authenticate
# users" (Meeting Server table, 443). Web clients connect to the Proxy Server's 443 too, so that
# alone is not enough (min=2): the host must also answer meeting media on UDP 10000 (Docker) or
# 30000 (Kubernetes), which no client does.
role app=sametime role=meeting-server client_of=proxy-server:tcp/443 \
     support=udp/10000,udp/30000 min=2 \
     services=https-443,meeting-media-docker,meeting-media-k8s,stun,mongodb \
     label="Sametime Meeting Server: authenticates at a Proxy Server on 443 and answers meeting media on UDP 10000/30000"

# Domino server with Sametime: "the multiplexer makes intra-server connections to the Sametime
# HTTP server on 8088" (Community Server table, 8088). A host that answers 8088 to a known
# Community Server is that HTTP (Domino) server; its Notes RPC 1352 is support.
role app=sametime role=domino-server serves_to=community-server:tcp/8088 support=tcp/1352 min=1 \
     services=domino-http-alt,https-443,notes-rpc,http-80 \
     label="Domino server with Sametime: answers HTTP on TCP 8088 to a Community Server (Community Server table)"

# Meeting clients: "19302: the default STUN port used for NAT traversal by both the clients and
# the Meeting Server" (000:44; rule stun, product_side=client). The STUN server is public
# (Google's by default) and many WebRTC applications use 19302, so the rule labels only when its
# client is known: a Meeting Server (role above) or a meeting client, i.e. a host the capture shows
# as the client of an answered media exchange with a known Meeting Server on UDP 10000 or 30000
# ("audio and video clients stream media data on this UDP port", 000:42-43). The role covers the
# STUN row only. Limit: a meeting client's STUN to 19302 from another WebRTC application (another
# vendor's browser meeting using the same public STUN server) is labelled Sametime too: nothing in
# a STUN binding request without a SOFTWARE attribute tells them apart.
role app=sametime role=meeting-client \
     client_of=meeting-server:udp/10000,meeting-server:udp/30000 services=stun \
     label="Sametime meeting client: streams media to a Meeting Server on UDP 10000/30000 (Meeting Server table)"
