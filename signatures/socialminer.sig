# Cisco SocialMiner port usage (Table 1) from the Japanese edition (its heading: SocialMiner のポート使用状況; the text gives no date).
doc 001_33527ce3af13516e.txt "SocialMiner port usage" vendor="Cisco" edition="Japanese" original="SocialMiner のポート使用状況" revised="not stated"
app socialminer "Cisco SocialMiner" onprem=yes

# Column meaning (document): "listener" = the side that listens (server); "remote protocol and
# port" = a port the remote device listens on, i.e. SocialMiner is the client. The OS picks the
# source port dynamically (usually > 1024), so no client_port constraints.
# Rows whose remote (listening) side is an e-mail / XMPP server "in the corporate intranet or on
# the internet" use server=any and client=@internal (SocialMiner is the on-premises client).

# ---------------------------------------------------------------------------------------------
table "Table 1: SocialMiner port usage"
# 原文: 表 1: SocialMiner のポート使用状況

# E-mail notification: remote port 25, outbound (SocialMiner to the configured e-mail server, in
# the intranet or on the internet) to send e-mail notifications.
# encrypted left unknown: the row says nothing about encryption (465 is listed as the SSL/TLS
# variant, but SMTP on 25 may still use STARTTLS).
rule app=socialminer service=smtp-notification product_side=client category=email proto=tcp \
     client=@internal server=any server_port=25 \
     label="Remote port 25, outbound: e-mail notifications to the configured e-mail server"

# HTTP: listener port 80, bidirectional. Non-secure (HTTP) traffic: UCCX server to SocialMiner;
# SocialMiner UI (browser) or API to SocialMiner; internet or company web site to SocialMiner
# (incoming chat and callback requests over HTTP).
rule app=socialminer service=http category=web proto=tcp server_port=80 encrypted=no payload=http \
     label="Port 80, bidirectional: non-secure HTTP from UCCX, UI/API, and web-site chat/callback requests"

# HTTPS: listener port 443, bidirectional. Secure (HTTPS) traffic: SocialMiner UI (browser) or
# API to SocialMiner; SocialMiner server to UCCX server; internet or company web site to
# SocialMiner (incoming chat and callback requests over HTTPS).
rule app=socialminer service=https category=web proto=tcp server_port=443 encrypted=yes payload=tls \
     label="Port 443, bidirectional: HTTPS from UI/API and web-site chat/callback; SocialMiner to UCCX"

# SSL/TLS for e-mail notification: remote port 465 (configurable), outbound to the configured
# e-mail server.
rule app=socialminer service=smtps-notification product_side=client category=email proto=tcp \
     client=@internal server=any server_port=465 encrypted=yes payload=tls \
     label="Remote port 465 (configurable), outbound: e-mail notifications over SSL/TLS"

# E-mail (SMTP): remote port 587 (configurable in Unified CCX Administration), outbound
# (SocialMiner to Exchange Server); the e-mail reply API sends replies to customer e-mail over SMTP.
# encrypted left unknown: the document does not say whether TLS is used on 587.
rule app=socialminer service=smtp-submission product_side=client category=email proto=tcp \
     client=@internal server=any server_port=587 \
     label="Remote port 587 (configurable), outbound to Exchange: e-mail reply API (SMTP)"

# E-mail (secure IMAP/IMAPS): remote port 993 (configurable in Unified CCX Administration),
# outbound (SocialMiner to Exchange Server); e-mail feeds fetch mail, e-mail reply API, drafts.
rule app=socialminer service=imaps product_side=client category=email proto=tcp \
     client=@internal server=any server_port=993 encrypted=yes payload=tls \
     label="Remote port 993 (configurable), outbound to Exchange: secure IMAP for e-mail feeds and reply API"

# Reports: listener port 1526, inbound (CUIC to SocialMiner) to collect report information.
# needs=corroboration: 1526 is also a common database listener port (Oracle's alternate listener,
# Informix).
rule app=socialminer service=reporting category=reporting proto=tcp server_port=1526 needs=corroboration \
     label="Port 1526, inbound: CUIC collects report information from SocialMiner"

# XMPP (IM) notification using an external XMPP server: remote port 5222 (configurable),
# outbound (SocialMiner to the configured XMPP notification server, intranet or internet).
# encrypted left unknown: this document does not say secure or non-secure for 5222.
rule app=socialminer service=xmpp-notification product_side=client category=notification proto=tcp \
     client=@internal server=any server_port=5222 payload=xmpp-client \
     label="Remote port 5222 (configurable), outbound: XMPP (IM) notifications to an external XMPP server"

# Notification service (XMPP event handling over a TCP socket): listener port 5222, inbound
# (CCX to SocialMiner); Unified CCX receives social contact events on this port.
rule app=socialminer service=xmpp-events category=notification proto=tcp server_port=5222 payload=xmpp-client \
     label="Port 5222, inbound: notification service, XMPP event handling over TCP (Unified CCX)"

# Event handling and chat (BOSH): listener port 7071, bidirectional; non-secure BOSH between the
# SocialMiner UI and the SocialMiner server.
rule app=socialminer service=bosh category=messaging proto=tcp server_port=7071 encrypted=no payload=http \
     label="Port 7071, bidirectional: non-secure BOSH, event handling and chat (UI to server)"

# Event handling and chat (secure BOSH): listener port 7443 (secure BOSH to the XMPP event
# processing server), bidirectional; secure BOSH between the SocialMiner UI and server.
rule app=socialminer service=bosh-secure category=messaging proto=tcp server_port=7443 \
     encrypted=yes payload=tls \
     label="Port 7443, bidirectional: secure BOSH, event handling and chat (UI to server)"

# ---------------------------------------------------------------------------------------------
# Prose passages (notes, not table rows), at the end so the rows keep their line numbers.
# (The configurable ports, 465, 587, 993 and 5222, are said so in cells of Table 1, i.e. in the
# rows above, not in a prose passage.)

# Section "ポート使用状況表の列" (Port usage table columns), its closing note.
# 原文: (注) オペレーティング システムは、ローカル アプリケーション または サービスがリモート
# デバイスの宛先ポートへの接続に使用する送信元ポートを動的に割り当てます。ほとんどの場合、この
# ポートは、TCP/UDP 1024 より大きい番号でランダムに割り当てられます。
note app=socialminer id=source-ports section="ポート使用状況表の列" \
     text="(Note) The operating system dynamically allocates the source port that a local application or service uses to connect to the destination port of a remote device. In most cases this port is assigned at random a number greater than TCP/UDP 1024."

# payload= on the rules above (the protocol each row's traffic carries, checked against the flow's
# payload): HTTP and BOSH 7071: http; HTTPS, secure BOSH 7443, SMTPS 465 and IMAPS 993 (TLS from
# the first byte): tls; XMPP 5222: xmpp-client (stream header first, STARTTLS later). SMTP 25 and
# 587 and the reporting port 1526 are not validated.

# =============================================================================================
# Server roles (role statements, ucflow-signatures(5) ROLES). ucflow's interpretation of Table 1,
# not a row of it: what a server must answer on to be taken for a SocialMiner server, so that
# its flows on the ports SocialMiner shares (80, 443, 5222, 7071, 7443) and the rows where it is
# the client are labelled from what the capture showed (role+port).
#
# Key port: 1526 (reports, CUIC to SocialMiner), the only port of Table 1 no other product
# documents. It is also an alternate Oracle listener port, so it is not enough alone: min=2
# needs one of SocialMiner's notification/chat listeners as well (XMPP 5222, BOSH 7071 or 7443).
# 80 and 443 do not count: every web server answers on them.
role app=socialminer role=socialminer-server key=tcp/1526 \
     support=tcp/5222,tcp/7071,tcp/7443 min=2 \
     label="SocialMiner server: answers on TCP 1526 (reports) and an XMPP/BOSH port (Table 1)"

# =============================================================================================
table "Table 1: SocialMiner port usage"
# HTTPS row (001:47; listener port 443, bidirectional), its second use: "SocialMiner server to UCCX
# server" (SocialMiner サーバから UCCX サーバへ). There SocialMiner is the client and Unified CCX
# listens on 443, which the https rule above (SocialMiner listening) cannot express. Written as its
# own row with product_side=client: it labels only when the client is a known SocialMiner server
# (site file, or the socialminer-server role above, which covers every rule of the app). Unified
# CCX is on premises (server=@internal, the app's default, written out). Kept at the end of the
# file so that no row above moves.
rule app=socialminer service=https-to-uccx product_side=client category=web proto=tcp \
     client=@internal server=@internal server_port=443 encrypted=yes payload=tls \
     label="Port 443: SocialMiner server to the Unified CCX server (HTTPS)"
