# Cisco Finesse port usage (Tables 1-5) from the Japanese edition (its heading: Finesse のポート使用状況; the text gives no date).
doc 002_2cc872bd11f95d77.txt "Finesse port usage" vendor="Cisco" edition="Japanese" original="Finesse のポート使用状況" revised="not stated"
app finesse "Cisco Finesse" onprem=yes

# Column meaning (document): "listener protocol and port" = Finesse listens (server);
# "remote protocol and port" = the remote device listens and Finesse is the client.
# The OS picks source ports dynamically (usually > 1024): no client_port constraints.

# ---------------------------------------------------------------------------------------------
table "Table 1: Cisco Finesse Tomcat"
# 原文: 表 1 : Cisco Finesse Tomcat

# HTTP, listener TCP 80, 8082, remote: browser, bidirectional. Non-secure ports for the Finesse
# administration console, agent and supervisor desktops, Finesse web services, and desktop
# modules (gadgets).
rule app=finesse service=http category=web proto=tcp server_port=80,8082 encrypted=no payload=http \
     label="TCP 80, 8082: non-secure HTTP (admin console, agent/supervisor desktop, web services, gadgets)"

# HTTPS, listener TCP 443, 8445, remote: browser, bidirectional. Secure ports for the same uses.
rule app=finesse service=https category=web proto=tcp server_port=443,8445 encrypted=yes payload=tls \
     label="TCP 443, 8445: secure HTTPS (admin console, agent/supervisor desktop, web services, gadgets)"

# ---------------------------------------------------------------------------------------------
table "Table 2: Cisco Finesse Notification Service"
# 原文: 表 2 : Cisco Finesse Notification Service

# XMPP, listener TCP 5222, remote: browser, agent desktop, bidirectional. Non-secure XMPP between
# the Finesse server and custom applications on agent/supervisor desktops (HTTP communication).
rule app=finesse service=xmpp category=notification proto=tcp server_port=5222 encrypted=no payload=xmpp-client \
     label="TCP 5222: non-secure XMPP between Finesse and custom desktop applications"

# XMPP, listener TCP 5223, remote: browser, agent desktop, bidirectional. Secure XMPP (HTTPS
# communication).
rule app=finesse service=xmpp-secure category=notification proto=tcp server_port=5223 \
     encrypted=yes payload=tls \
     label="TCP 5223: secure XMPP between Finesse and custom desktop applications"

# BOSH (HTTP), listener TCP 7071, remote: browser, agent desktop, bidirectional. Non-secure BOSH
# between the Finesse server and agent/supervisor desktops.
rule app=finesse service=bosh category=notification proto=tcp server_port=7071 encrypted=no payload=http \
     label="TCP 7071: non-secure BOSH (HTTP) between Finesse and agent/supervisor desktops"

# BOSH (HTTPS), listener TCP 7443, remote: browser, agent desktop, bidirectional. Secure BOSH.
rule app=finesse service=bosh-secure category=notification proto=tcp server_port=7443 \
     encrypted=yes payload=tls \
     label="TCP 7443: secure BOSH (HTTPS) between Finesse and agent/supervisor desktops"

# ---------------------------------------------------------------------------------------------
table "Table 3: Primary and secondary node communication"
# 原文: 表 3: プライマリおよびセカンダリ ノード通信

# XMPP, listener TCP 5222, bidirectional. The primary and secondary Finesse servers use this XMPP
# connection to talk to each other and monitor the connection. Both ends are Finesse nodes, so
# the client side is internal too. encrypted is left unknown: Table 3 does not say whether this
# connection is secure (Table 2 calls its own 5222 row non-secure, but that is another table).
rule app=finesse service=xmpp-node category=notification proto=tcp client=@internal \
     server_port=5222 payload=xmpp-client \
     label="TCP 5222: XMPP between primary and secondary Finesse nodes (communication and monitoring)"

# ---------------------------------------------------------------------------------------------
table "Table 4: Third-party (external) web server"
# 原文: 表 4: サードパーティ（外部）Web サーバ

# HTTP, remote TCP 80, 8082, bidirectional. Gadgets hosted on a third-party (external) web server
# are fetched by the Finesse server from the ports that web server exposes. The listener is the
# third-party web server, which may be anywhere: server=any, client=@internal (the Finesse server).
rule app=finesse service=gadget-http product_side=client category=web proto=tcp client=@internal server=any \
     server_port=80,8082 encrypted=no payload=http \
     label="Remote TCP 80, 8082: Finesse fetches gadgets from a third-party web server over HTTP"

# HTTPS, remote TCP 443, 8445, bidirectional. Same, over HTTPS.
rule app=finesse service=gadget-https product_side=client category=web proto=tcp client=@internal server=any \
     server_port=443,8445 encrypted=yes payload=tls \
     label="Remote TCP 443, 8445: Finesse fetches gadgets from a third-party web server over HTTPS"

# ---------------------------------------------------------------------------------------------
table "Table 5: Unified Contact Center Enterprise"
# 原文: 表 5 : Unified Contact Center Enterprise
# Footnote 1 (¹): the listed ports are the defaults for these connections; other ports can be used.

# Administration and Data Server settings (管理およびデータ サーバの設定):
# JDBC (SQL), remote TCP 1433 (default), bidirectional. Connection to the AWDB for agent and
# supervisor authentication and authorization. The AWDB server is internal (onprem default).
rule app=finesse service=awdb-jdbc product_side=client category=database proto=tcp server_port=1433 \
     label="Remote TCP 1433 (default): JDBC (SQL) to the AWDB for agent/supervisor authentication"

# CTI server settings, A side and B side (CTI サーバの設定（A 側および B 側）):
# GED-188, remote A side TCP 42027 (default), B side TCP 43027 (default), bidirectional.
# Connection to the Agent PG for CTI server events (agent, team, queue, call events).
# One document row, written as two rules (one per side).
rule app=finesse service=cti-side-a product_side=client category=signalling proto=tcp server_port=42027 \
     label="Remote TCP 42027 (default): GED-188 CTI server A side, Agent PG events"
# Same row, B side: GED-188 CTI server B side, TCP 43027 (default).
rule app=finesse service=cti-side-b product_side=client category=signalling proto=tcp server_port=43027 \
     label="Remote TCP 43027 (default): GED-188 CTI server B side, Agent PG events"

# ---------------------------------------------------------------------------------------------
# Prose passages (notes, not table rows), at the end so the rows keep their line numbers.

# Section "ポート使用状況表の列" (Port usage table columns), its closing note.
# 原文: (注) オペレーティング システムは、ローカルアプリケーションまたはサービスがリモートデバイスの
# 宛先ポートへの接続に使用する送信元ポートを動的に割り当てます。ほとんどの場合、このポートは、
# TCP/UDP 1024 より大きい番号でランダムに割り当てられます。
note app=finesse id=source-ports section="ポート使用状況表の列" \
     text="(Note) The operating system dynamically allocates the source port that a local application or service uses to connect to the destination port of a remote device. In most cases this port is assigned at random a number greater than TCP/UDP 1024."

# Footnote 1 (¹) under Table 5, which marks the ports 1433, 42027 and 43027.
# 原文: ¹ 一覧のポートはこれらの接続のデフォルトポートです。この表で指定されているポートとは異なる
# ポートも使用できます。
note app=finesse id=ucce-default-ports section="表 5 : Unified Contact Center Enterprise" \
     text="(1) The listed ports are the default ports for these connections. Ports other than those given in this table can also be used."

# payload= on the rules above (the protocol each row's traffic carries, checked against the flow's
# payload): HTTP and BOSH (HTTP) rows: http; HTTPS, secure BOSH and secure XMPP 5223 (TLS from the
# first byte): tls; XMPP 5222: xmpp-client (the first packet is the client's stream header, TLS
# comes later through STARTTLS). JDBC (SQL, TDS) and GED-188 CTI are no protocol the payload
# stage recognises: those rows are not validated.

# =============================================================================================
# Server roles (role statements, ucflow-signatures(5) ROLES). ucflow's interpretation of the
# tables above, not rows of the document: the ports on which a server that answers can only be
# a Finesse server, so that its flows on the ports Finesse shares with other products (XMPP
# 5222/5223, BOSH 7071/7443, HTTP 8082, 80, 443) and the rows where Finesse is the client
# (Table 4, Table 5) are labelled from what the capture showed the server to be (role+port).
#
# Key port: TCP 8445 (Table 1, HTTPS). No other product's table lists it and it is no port
# unrelated services commonly use (it is not in shared-ports); one answered connection on it is
# enough (min=1).
# Support ports (shown as evidence, never a role on their own): 5222, 5223, 7071, 7443 are
# also the defaults of Openfire, the XMPP server Finesse's notification service is built on and
# a common product of its own, and SocialMiner's; 8082 is a generic alternate HTTP port.
# 80 and 443 are left out: every web server answers on them.
# not_served_to: a server that answers 8445 (or 8082) to a Finesse server is Table 4's
# third-party web server the Finesse server fetches gadgets from, not a Finesse server.
role app=finesse role=finesse-server key=tcp/8445 \
     support=tcp/8082,tcp/5222,tcp/5223,tcp/7071,tcp/7443 min=1 not_served_to=finesse-server \
     label="Finesse server: answers on TCP 8445 (Tomcat HTTPS, Table 1)"
