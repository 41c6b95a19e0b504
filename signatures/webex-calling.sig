# Cisco Webex Calling network requirements: domains, IP subnets, connection ports and QoS, from the Japanese edition (the text prints neither its title nor a date).
doc 004_657a5ed6fe137e34.txt "Network requirements for Webex Calling" vendor="Cisco" edition="Japanese" revised="not stated"
# The shared Webex platform (ucflow's own app id, for rows and names of this document that Webex
# Calling shares with Webex Meetings and Messaging; see "Scope" at the end of this file), and
# Webex Calling, a product of that platform: a platform name (*.webex.com ...) on a flow that a
# Calling row matches (SIP-TLS to 8934 with an SNI under webex.com) stays Calling.
app webex "Cisco Webex platform (shared by Calling, Meetings and Messaging)" onprem=no scope=webex-platform
app webex-calling "Cisco Webex Calling" onprem=no scope=calling platform=webex

# The seed file carries no title line; the title above is the English article name.
# The document says all Webex Calling traffic is encrypted (すべての Webex Calling トラフィックは
# 暗号化されています, SIP ALG section); media is SRTP over UDP (TCP/TLS media not supported).
# Not transcribed (not port/subnet/domain/QoS tables): the proxy settings / authentication type
# table, the TLS-inspection support table, and the revision history (its IPs are history; the host
# names it adds to Calling's app/device configuration rows are rows at the end of the file).

# =============================================================================================
table "IP subnets for Webex Calling services"
# 原文: Webex Calling サービスの IP サブネット
# Three lists, each transcribed exactly (IPv4 only; the document lists no IPv6 prefix).

# List 1: "IP subnets for Webex Calling services*" (Webex Calling サービスの IP サブネット*).
# The heading carries an asterisk whose footnote does not appear in the document.
addrset webex_calling_service 23.89.0.0/16 62.109.192.0/18 85.119.56.0/23 128.177.14.0/24 \
     128.177.36.0/24 135.84.168.0/21 139.177.64.0/21 139.177.72.0/23 144.196.0.0/16 \
     150.253.128.0/17 163.129.0.0/17 170.72.0.0/16 170.133.128.0/18 185.115.196.0/22 \
     199.19.196.0/23 199.19.199.0/24 199.59.64.0/21

# List 2: "Device configuration and firmware management (Cisco devices)"
# (デバイス構成とファームウェア管理(Ciscoデバイス)); four single hosts are /32.
addrset webex_device_config 3.20.185.219 3.130.87.169 3.134.166.179 52.26.82.54 \
     62.109.192.0/18 72.163.10.96/27 72.163.15.64/26 72.163.15.128/26 72.163.24.0/23 \
     72.163.10.128/25 173.37.146.128/25 173.36.127.0/26 173.36.127.128/26 173.37.26.0/23 \
     173.37.149.96/27 192.133.220.0/26 192.133.220.64/26

# List 3: "Webex app configuration" (Webex アプリの設定).
addrset webex_app_config 62.109.192.0/18 64.68.96.0/19 150.253.128.0/17 207.182.160.0/19

# Union of the three lists (ucflow convenience set, not a document row).
addrset webex_all @webex_calling_service @webex_device_config @webex_app_config

# Subnet-only rules (ucflow policy, one per documented list, basis=interpretation): the document
# says filtering Webex Calling by IP address alone is not supported (IP アドレスのみを使用した
# Webex Calling トラフィックのフィルタリングはサポートされません) and that Meetings and Messaging use
# these networks too, so an address alone never names Calling: these rows name the shared
# platform (app webex), and only when the payload is a protocol Webex speaks (needs=payload).
rule app=webex service=calling-subnet-other category=other proto=both \
     server=@webex_calling_service payload=tls,dtls,rtp,rtcp,stun,http,sip needs=payload \
     basis=interpretation \
     label="Webex platform: documented Webex Calling service subnet (shared), port not in the connection table"
# Subnet-only rule for list 2 (device configuration and firmware management).
rule app=webex service=device-config-subnet-other category=other proto=both \
     server=@webex_device_config payload=tls,dtls,rtp,rtcp,stun,http,sip needs=payload \
     basis=interpretation \
     label="Webex platform: documented device configuration / firmware subnet (shared), port not in the connection table"
# Subnet-only rule for list 3 (Webex app configuration).
rule app=webex service=app-config-subnet-other category=other proto=both \
     server=@webex_app_config payload=tls,dtls,rtp,rtcp,stun,http,sip needs=payload \
     basis=interpretation \
     label="Webex platform: documented Webex app configuration subnet (shared), port not in the connection table"

# =============================================================================================
table "Connection purpose / source / destination port table (IP subnets for Webex Calling services)"
# 原文 (列): 接続目的 | ソース アドレス | ソース ポート | プロトコル | 接続先アドレス | 宛先ポート | (メモ)
# Written in the table's orientation: source = client, destination = server.
# Where the destination is "refer to IP subnets for Webex Calling services", the device
# configuration and app configuration rows use their own list from that section (the revision
# history of 2025-01-08 says those lists were moved into that section); all other rows use
# @webex_calling_service.

# --- Row: Call signalling to Webex Calling (SIP TLS) (Webex Calling へのコール信号 (SIP TLS)) ---
# Notes: outbound SIP-TLS signalling from local gateways, devices and the Webex app to the Webex
# Calling cloud. Port 5062 required for certificate-based trunks, 8934 for registration-based trunks.
# Sub-row: Devices, source 5060-5080, dest port 8934 (デバイス 5060-5080 8934).
rule app=webex-calling service=device-sip-tls category=signalling proto=tcp \
     client_port=5060-5080 server=@webex_calling_service server_port=8934 encrypted=yes dscp=24 payload=tls \
     label="Device SIP-TLS signalling to Webex Calling (source 5060-5080)"
# Sub-row: Webex app, source ephemeral (OS dependent) (Webex アプリ 一時的 (OS 依存)).
# Listed before the local gateway's sub-row on purpose: from an ephemeral source port (32768-65535)
# an app and a registration-based gateway on 8934 look the same (the gateway's 8000-65535 then
# counts as any port, ucflow-signatures(5)), and file order names the far more common app; the
# gateway stays a candidate. A gateway source port below 32768 still names the gateway.
# The flattened row has no destination port cell for this sub-row; 8934 is taken from the QoS
# table's "Webex app / signalling / ephemeral / 8934" row (interpretation).
rule app=webex-calling service=app-sip-tls category=signalling proto=tcp \
     server=@webex_calling_service server_port=8934 encrypted=yes dscp=0 payload=tls \
     label="Webex app SIP-TLS signalling to Webex Calling (source ephemeral, OS dependent)"
# Sub-row: Local gateway external (NIC), source 8000-65535, TCP, dest Webex Calling subnets, 5062, 8934
# (004:472; 004:476: 5062 for certificate-based, 8934 for registration-based trunks).
rule app=webex-calling service=lgw-sip-tls category=signalling proto=tcp \
     client_port=8000-65535 server=@webex_calling_service server_port=5062,8934 encrypted=yes payload=tls \
     label="Local gateway (external NIC) SIP-TLS to Webex Calling: 5062 cert-based trunk, 8934 registration-based trunk"

# --- Row: Call signalling from Webex Calling (SIP TLS) to local gateway ---
# (Webex Calling (SIP TLS) からローカル ゲートウェイへの通話シグナリング)
# Source: Webex Calling address range (subnets), source port 8934, TCP; destination: IP or range
# the customer chose for the local gateway, port or port range the customer chose.
# Applies to certificate-based local gateways (registration-based gateways reuse the connection
# they opened). The destination is customer-chosen: server=any, server_port=any.
rule app=webex-calling service=lgw-inbound-sip-tls category=signalling proto=tcp \
     client=@webex_calling_service client_port=8934 server=any encrypted=yes payload=tls \
     label="Webex Calling (source 8934) SIP-TLS to a certificate-based local gateway (customer-chosen IP/port)"

# --- Row: Call media to Webex Calling (STUN, SRTP/SRTCP, T38, DTLS) ---
# (Webex Callingへのメディアの呼び出し(STUN、SRTP/SRTCP, T38、DTLS))
# Destination: Webex Calling subnets, UDP; destination port cell (shared by all sub-rows):
#   5004, 9000 (STUN ports); audio 8500-8599; video 8600-8699; 19560-65535 (SRTP over UDP).
# Sub-rows (sources): local gateway external NIC 8000-48199*; devices* 19560-19661;
# VG400 ATA devices 19560-19849; Webex app* audio 8500-8599 / video 8600-8699;
# WebRTC ephemeral (per browser policy).
# Lines: 004:494-502 (row, LGW sub-row, destination cell), 004:504-518 (notes), 004:520-533
# (the other sub-rows).
# Split: the STUN ports are rules by source (stun: app and devices; lgw-stun: the gateway's own
# part of its range; any other source: the platform's webex/media-ports, see Scope below); each
# source sub-row is one rule with the media destination ports.
# Footnotes: *CUBE media port range is configurable with rtp-port range; *device and app media
# ports are allocated dynamically in the SRTP range (SRTP even port, SRTCP the next odd port).
# Notes: after successful ICE, media flows directly between apps/devices (app 8500-8699, devices
# 19560-19661): written as the direct-media rules at the end of this file (needs=payload).
# Scope: Webex Meetings sends its media to these subnets on 9000 and 5004 too, so only the
# sub-rows' own source ranges make this Calling; other sources (the WebRTC sub-row's ephemeral
# ports, Meetings clients) are the platform's (rule app=webex service=media-ports at the end of
# the file). The app's 8500-8699 and the devices' and VG400's 19560-19849 name Calling's own
# clients (rule stun). The rest of the local gateway's 8000-48199 is the gateway's alone, and it
# holds the Linux ephemeral ports (32768-48199) a Meetings client draws: from there the port says
# the gateway only of a host the capture shows to be a local gateway (role local-gateway at the
# end of the file) or that the site file declares (rule lgw-stun, product_side=client,
# basis=interpretation); any other host's STUN there is the platform's.
rule app=webex-calling service=stun category=media proto=udp client_port=8500-8699,19560-19849 \
     server=@webex_calling_service server_port=5004,9000 payload=rtp,rtcp,stun,dtls \
     label="STUN ports 5004, 9000 of the call-media-to-Webex-Calling row (app and device sources)"
# Same row (004:494-496), the local gateway's own part of its source range 8000-48199 (see above).
rule app=webex-calling service=lgw-stun category=media proto=udp \
     client_port=8000-8499,8700-19559,19850-48199 product_side=client \
     server=@webex_calling_service server_port=5004,9000 payload=rtp,rtcp,stun,dtls \
     basis=interpretation \
     label="STUN ports 5004, 9000 of the call-media-to-Webex-Calling row (local gateway external NIC, source 8000-48199)"
# encrypted: the row carries SRTP/SRTCP (encrypted) and T.38 fax (UDPTL, clear text) and does not
# say which leg is which. The local gateway and the VG400 ATA relay fax, so their sub-rows are
# left unknown; the Webex app, WebRTC and MPP devices send no fax (ucflow's interpretation), so
# theirs stay encrypted=yes, as 004 says of all Webex Calling traffic (SIP ALG section).
# Sub-row: local gateway external NIC, source 8000-48199* (ローカル ゲートウェイ外部 NIC 8000-48199*).
# Written, like lgw-stun, for the part of the range that is the gateway's alone and for a host
# shown to be a local gateway (product_side=client, basis=interpretation; role local-gateway):
# the app's and devices' sources have their own sub-rows below, and any other host's media there
# is the WebRTC sub-row's (webrtc-media).
rule app=webex-calling service=lgw-media category=media proto=udp \
     client_port=8000-8499,8700-19559,19850-48199 product_side=client \
     server=@webex_calling_service server_port=8500-8599,8600-8699,19560-65535 payload=rtp,rtcp,stun,dtls \
     basis=interpretation \
     label="Local gateway (external NIC, source 8000-48199) SRTP/SRTCP, T38 media to Webex Calling"
# Sub-row: devices*, source 19560-19661 (デバイス*19560-19661); QoS: EF (46) & AF41 (34).
rule app=webex-calling service=device-media category=media proto=udp client_port=19560-19661 \
     server=@webex_calling_service server_port=8500-8599,8600-8699,19560-65535 encrypted=yes \
     dscp=46,34 payload=rtp,rtcp,stun,dtls \
     label="Device (source 19560-19661) SRTP media to Webex Calling"
# Sub-row: VG400 ATA devices, source 19560-19849 (VG400 ATAデバイス 19560-19849).
rule app=webex-calling service=vg400-media category=media proto=udp client_port=19560-19849 \
     server=@webex_calling_service server_port=8500-8599,8600-8699,19560-65535 payload=rtp,rtcp,stun,dtls \
     label="VG400 ATA device (source 19560-19849) SRTP media to Webex Calling"
# Sub-row: Webex app*, audio source 8500-8599 (Webex アプリ* 音声: 8500-8599); QoS: EF (46).
rule app=webex-calling service=app-audio category=media proto=udp client_port=8500-8599 \
     server=@webex_calling_service server_port=8500-8599,8600-8699,19560-65535 encrypted=yes \
     dscp=46 payload=rtp,rtcp,stun,dtls \
     label="Webex app audio (source 8500-8599) SRTP media to Webex Calling"
# Sub-row: Webex app*, video source 8600-8699 (ビデオ: 8600-8699); QoS: AF41 (34).
rule app=webex-calling service=app-video category=media proto=udp client_port=8600-8699 \
     server=@webex_calling_service server_port=8500-8599,8600-8699,19560-65535 encrypted=yes \
     dscp=34 payload=rtp,rtcp,stun,dtls \
     label="Webex app video (source 8600-8699) SRTP media to Webex Calling"
# Sub-row: WebRTC, source ephemeral per browser policy (WebRTC 一時的(ブラウザポリシーによる)).
rule app=webex-calling service=webrtc-media category=media proto=udp \
     server=@webex_calling_service server_port=8500-8599,8600-8699,19560-65535 encrypted=yes payload=rtp,rtcp,stun,dtls \
     label="WebRTC (source ephemeral per browser policy) SRTP media to Webex Calling"

# --- Row: Call media from Webex Calling (SRTP/SRTCP, T38) (Webex Calling からのメディア通話) ---
# Source: Webex Calling address range, source port 19560-65535 (SRTP over UDP), UDP;
# destination: IP or range the customer chose for the local gateway, media port range the
# customer chose. Applies to certificate-based local gateways. Destination is customer-chosen.
# encrypted left unknown: the row carries SRTP/SRTCP and T.38 fax (UDPTL, clear text).
rule app=webex-calling service=lgw-inbound-media category=media proto=udp \
     client=@webex_calling_service client_port=19560-65535 server=any payload=rtp,rtcp \
     label="Webex Calling (source 19560-65535) SRTP/SRTCP, T38 media to a certificate-based local gateway"

# --- Row: Call signalling to PSTN gateway (SIP TLS) (PSTN ゲートウェイへのコール信号 (SIP TLS)) ---
# Source: local gateway internal NIC, 8000-65535, TCP; destination: ITSP, PSTN GW or Unified CM;
# destination port depends on the PSTN option (e.g. 5060 or 5061 for Unified CM).
# The row is titled SIP TLS and gives 5060 and 5061 only as examples (たとえば): both example
# ports are written as rules, and neither is said to be clear text, so 5060's encrypted is left
# unknown and its payload may be SIP or TLS. client=@internal: "internal NIC".
rule app=webex-calling service=pstn-sip category=signalling proto=tcp \
     client=@internal client_port=8000-65535 server=any server_port=5060 payload=sip,tls \
     label="Local gateway (internal NIC) SIP (TLS per the row title) to ITSP / PSTN GW / Unified CM (example port 5060)"
# Same row, example port 5061 (SIP over TLS).
rule app=webex-calling service=pstn-sip-tls category=signalling proto=tcp \
     client=@internal client_port=8000-65535 server=any server_port=5061 encrypted=yes payload=tls \
     label="Local gateway (internal NIC) SIP-TLS to ITSP / PSTN GW / Unified CM (example port 5061)"

# --- Row: Call media to PSTN gateway (SRTP/SRTCP) (PSTNゲートウェイへの通話メディア (SRTP/SRTCP)) ---
# Source: local gateway internal NIC, 8000-48199*, UDP; destination: ITSP, PSTN GW or Unified CM;
# destination port "depends on the PSTN option (for example, typically 5060 or 5061 for Unified
# CM)". The destination cell repeats the signalling example ports - very probably an error in the
# document (media does not go to 5060/5061) - but it is transcribed as printed; the real media
# destination ports are site-specific.
rule app=webex-calling service=pstn-media category=media proto=udp \
     client=@internal client_port=8000-48199 server=any server_port=5060,5061 encrypted=yes payload=rtp,rtcp \
     label="Local gateway (internal NIC, source 8000-48199) SRTP/SRTCP media to ITSP / PSTN GW / Unified CM (port as printed)"

# --- Row: Device configuration and firmware management (Cisco devices) ---
# (デバイスの構成とファームウェアの管理 (Cisco デバイス))
# Source: Webex Calling devices, ephemeral, TCP; destination: subnets (-> device configuration
# list); ports 443, 6970, 80. Needed for: migrating enterprise phones (Unified CM) to Webex
# Calling (upgrade.cisco.com; cloudupgrader.webex.com uses 6970, 443 for firmware migration);
# GDS 16-digit activation code firmware upgrade / secure onboarding; CDA/EDOS MAC-based
# provisioning; Cisco ATA firmware 11.1.0MSR3-9 or later; zero-touch provisioning via
# activate.cisco.com (webapps.cisco.com before firmware 11.2(1)); MPP before 12.0.3 reaching
# sudirenewal.cisco.com over port 80 to renew the MIC / obtain SUDI.
# Split by port because 80 / 443 differ in encryption.
# needs=name on 443: 62.109.192.0/18 and the other shared networks carry Webex Meetings' HTTPS
# too, so HTTPS there is Calling's device configuration only with a name the row gives
# (activate.cisco.com, webapps.cisco.com, upgrade.cisco.com, binaries.webex.com,
# cloudupgrader.webex.com: domain rows of service device-config-https at the end of the file);
# without one it is the platform's (app webex).
rule app=webex-calling service=device-config-https category=configuration proto=tcp \
     server=@webex_device_config server_port=443 encrypted=yes payload=tls needs=name \
     label="Device configuration and firmware management (Cisco devices), HTTPS 443"
# Same row, port 6970 (used by cloudupgrader.webex.com for firmware migration).
rule app=webex-calling service=tftp-http category=configuration proto=tcp \
     server=@webex_device_config server_port=6970 payload=http \
     label="Device configuration and firmware management (Cisco devices), port 6970 (cloudupgrader firmware migration)"
# Same row, port 80 (MPP before 12.0.3 to sudirenewal.cisco.com for MIC renewal / SUDI); needs=name as on 443: HTTP there with a platform Host (www.webex.com) or none of the row's names is the platform's.
rule app=webex-calling service=device-config-http category=configuration proto=tcp \
     server=@webex_device_config server_port=80 encrypted=no payload=http needs=name \
     label="Device configuration and firmware management (Cisco devices), HTTP 80 (MPP before 12.0.3, sudirenewal.cisco.com)"

# --- Row: Webex app configuration (Webex アプリの設定) ---
# Source: Webex app, ephemeral, TCP; destination: subnets (-> app configuration list); 443, 8443.
# Used for ID broker authentication, Webex app configuration services for clients, browser-based
# self-care web access, admin interface access. TCP 8443 is used by the Webex app on a Cisco
# Unified CM setup to download configuration (only customers connecting to Webex Calling with
# that setup need to open it).
# needs=name: HTTPS to these shared networks is Calling's app configuration only with a Calling
# client-configuration name (*.broadcloudpbx.net, the domain table's "Calling client configuration
# and management services", service app-config); without one it is the platform's (app webex).
rule app=webex-calling service=app-config category=configuration proto=tcp \
     server=@webex_app_config server_port=443,8443 encrypted=yes payload=tls needs=name \
     label="Webex app configuration: ID broker auth, app config service, self-care web, admin access (443, 8443)"

# --- Row: Device time synchronisation (NTP) (デバイス時間同期 (NTP)) ---
# Source: Webex Calling devices, source port 51494, UDP; destination Webex Calling subnets, 123.
# Needed for time sync of devices (MPP phones, ATA, SPA ATA).
rule app=webex-calling service=device-ntp category=time proto=udp client_port=51494 \
     server=@webex_calling_service server_port=123 encrypted=no \
     label="Device time synchronisation (NTP), source 51494 to Webex Calling subnets"

# --- Row: Domain Name System (DNS) resolution (ドメインネームシステム(DNS)解決) ---
# Source: Webex Calling devices, Webex app, Webex devices, ephemeral, UDP and TCP; destination
# customer-defined (主催者が定義); port 53. Used to find Webex Calling service addresses in the
# cloud; normally UDP, TCP when the answer does not fit a UDP packet.
rule app=webex-calling service=dns category=dns proto=both server=any server_port=53 \
     encrypted=no payload=dns \
     label="DNS resolution by devices and the Webex app (customer-defined DNS server)"

# --- Row: Network Time Protocol (NTP) (ネットワーク タイム プロトコル (NTP)) ---
# Source: Webex app and Webex devices, source port 123, UDP; destination customer-defined; 123.
rule app=webex-calling service=ntp product_side=client category=time proto=udp client_port=123 server=any \
     server_port=123 encrypted=no \
     label="NTP time synchronisation by the Webex app and devices (customer-defined NTP server)"

# --- Row: CScan (Webex Calling web-based network readiness pre-qualification tool) ---
# Source: ephemeral; TCP to Webex Calling subnets 8934 and 443; UDP 19569-19760 (the UDP part is a
# second line of the same row). See cscan.webex.com.
# needs=name: CScan tests the same subnets and ports every Webex client uses (HTTPS on 443 to the
# first list, media ports 19569-19760): only its own name (cscan.webex.com, the domain row of
# service cscan at the end of the file) tells it apart.
rule app=webex-calling service=cscan category=other proto=tcp \
     server=@webex_calling_service server_port=8934,443 payload=tls needs=name \
     label="CScan network readiness tool, TCP 8934 and 443"
# Same row, second line: UDP 19569-19760.
rule app=webex-calling service=cscan category=other proto=udp \
     server=@webex_calling_service server_port=19569-19760 needs=name \
     label="CScan network readiness tool, UDP 19569-19760"

# --- Section: Additional Webex Calling & Webex Aware services (third party) ---
# (追加のWebex通話 & Webex Aware サービス (サードパーティ))
# Row: Push notifications, APNS and FCM services. Source: Webex Calling application, ephemeral,
# TCP; destination: "refer to the IP subnets under the links" (Apple Push Notification Service,
# Google Firebase Cloud Messaging) - the subnets are not in the document, so server=any;
# ports 443, 2197, 5228, 5229, 5230, 5223. Notifications to the Webex app on mobile devices.
# Third-party destination: the format has no kind=dependency for rules (see report).
# needs=corroboration: these are Apple's and Google's push services, which every mobile app uses;
# the port says nothing of Webex (and APNS servers are public: a port-only match would otherwise
# claim internal servers on 5223, Finesse's secure XMPP port).
rule app=webex-calling service=push-notification category=notification proto=tcp server=any \
     server_port=443,2197,5228,5229,5230,5223 payload=tls needs=corroboration \
     label="Push notifications via Apple APNS / Google FCM (third party) to the Webex app on mobile devices"

# =============================================================================================
table "Domains and URLs for Webex Calling services"
# 原文: Webex Calling サービスのドメインと URL
# Columns: Domain/URL | description | Webex apps and devices using these domains/URLs.
# A leading * means the top-level domain and all subdomains.

# --- Section: Cisco Webex services (Cisco Webex サービス) ---
# *.broadcloudpbx.com: Webex authentication microservice for cross-launch from Control Hub to the
# Calling admin portal. Used by: Control Hub.
domain app=webex-calling service=calling-portal-auth pattern=*.broadcloudpbx.com kind=service \
     label="Webex auth microservice for Control Hub cross-launch to the Calling admin portal (Control Hub)"
# *.broadcloud.com.au: Webex Calling services in Australia. Used by: all.
domain app=webex-calling service=calling-au pattern=*.broadcloud.com.au kind=service \
     label="Webex Calling services in Australia (all)"
# *.broadcloud.eu: Webex Calling services in Europe. Used by: all.
domain app=webex-calling service=calling-eu pattern=*.broadcloud.eu kind=service \
     label="Webex Calling services in Europe (all)"
# *.broadcloudpbx.net: Calling client configuration and management services. Used by: Webex app.
# (service app-config: the port table's Webex app configuration row, which needs this name)
domain app=webex-calling service=app-config pattern=*.broadcloudpbx.net kind=service \
     label="Calling client configuration and management services (Webex app)"
# *.webex.com, *.cisco.com: core Webex Calling & Webex Aware services (identity provisioning,
# identity storage, authentication, OAuth, device onboarding, cloud-connected UC); phones use
# activate.cisco.com (webapps.cisco.com before 11.2(1)) for zero-touch provisioning, download
# firmware/locale from binaries.webex.com, MPP before 12.0.3 use sudirenewal.cisco.com on port 80.
# Used by: all.
# *.webex.com is the whole Webex platform (Meetings, Messaging, www.webex.com): app webex. The
# hosts the row names for Calling's devices are exact rows at the end of the file.
domain app=webex service=core-services pattern=*.webex.com kind=service \
     label="Core Webex Calling and Webex Aware services: identity, auth, OAuth, onboarding, firmware (all)"
# Same row, second pattern: *.cisco.com. kind=allow-list: a firewall must let *.cisco.com through
# for Calling, but www.cisco.com, software.cisco.com or umbrella.cisco.com are not Calling (nor
# Webex): the name never labels. The Calling hosts the row names (activate, webapps, sudirenewal,
# upgrade) are exact rows at the end of the file.
domain app=webex-calling service=core-services pattern=*.cisco.com kind=allow-list scope=allow-list \
     label="Core Webex Calling and Webex Aware services: activation, provisioning, SUDI renewal (all)"
# *.ucmgmt.cisco.com: Webex Calling servers. Used by: Control Hub.
domain app=webex-calling service=calling-servers pattern=*.ucmgmt.cisco.com kind=service \
     label="Webex Calling servers (Control Hub)"
# *.wbx2.com and *.ciscospark.com: cloud awareness for access to Webex Calling & Webex Aware
# services during and after onboarding (app and device management; app notification mechanism
# service management). Used by: all.
domain app=webex service=cloud-awareness pattern=*.wbx2.com kind=service \
     label="Cloud awareness for Webex Calling and Webex Aware services, app/device management (all)"
# Same row, second pattern: *.ciscospark.com.
domain app=webex service=cloud-awareness pattern=*.ciscospark.com kind=service \
     label="Cloud awareness for Webex Calling and Webex Aware services, app/device management (all)"
# *.webexapis.com: Webex microservices managing the Webex app and devices (profile picture,
# whiteboard, proximity, presence, registration, calendar, search). Used by: all.
domain app=webex service=microservices pattern=*.webexapis.com kind=service \
     label="Webex microservices: profile picture, whiteboard, proximity, presence, registration, calendar, search (all)"
# *.webexcontent.com: Webex messaging services for general file storage (user files, transcoded
# files, images, screenshots, whiteboard content, client & device logs, profile pictures,
# branding logos, log files, bulk CSV import/export). Used by: Webex app messaging services.
# (The cell also says file storage moved to clouddrive.com in October 2019; no row for it.)
domain app=webex service=file-storage pattern=*.webexcontent.com kind=service \
     label="Webex messaging file storage: files, images, logs, CSV import/export (Webex app messaging)"
# *.accompany.com: People insights integration. Used by: Webex app.
domain app=webex service=people-insights pattern=*.accompany.com kind=service \
     label="People insights integration (Webex app)"

# --- Section: Additional Webex-related services (third-party domains) ---
# (追加の Webex 関連サービス (サードパーティドメイン)) - all rows of this section are kind=dependency.
# *.appdynamics.com, *.eum-appdynamics.com: performance tracking, error and crash capture, session
# metrics. Used by: Control Hub.
domain app=webex-calling service=perf-tracking pattern=*.appdynamics.com kind=dependency \
     label="Performance tracking, error and crash capture, session metrics (Control Hub)"
# Same row, second pattern: *.eum-appdynamics.com.
domain app=webex-calling service=perf-tracking pattern=*.eum-appdynamics.com kind=dependency \
     label="Performance tracking, error and crash capture, session metrics (Control Hub)"
# *.sipflash.com: device management services, firmware upgrades and secure onboarding.
# Used by: Webex app. (Listed in the third-party section of the document.)
domain app=webex-calling service=device-management pattern=*.sipflash.com kind=dependency \
     label="Device management services: firmware upgrades and secure onboarding (Webex app)"
# *.walkme.com, *.walkmeusercontent.com: Webex user guide client, onboarding and usage tours for
# new users. Used by: Webex app.
domain app=webex-calling service=user-guide pattern=*.walkme.com kind=dependency \
     label="WalkMe user guide client: onboarding and usage tours (Webex app)"
# Same row, second pattern: *.walkmeusercontent.com.
domain app=webex-calling service=user-guide pattern=*.walkmeusercontent.com kind=dependency \
     label="WalkMe user guide client: onboarding and usage tours (Webex app)"
# *.google.com, *.googleapis.com: notifications to the Webex app on mobile devices (Google
# Firebase Cloud Messaging; the cell also names Apple Push Notification Service, for which Apple
# lists IP subnets - no Apple domain is printed). Used by: Webex app.
domain app=webex-calling service=push-notification pattern=*.google.com kind=dependency \
     label="Notifications to the Webex app on mobile devices (Google FCM) (Webex app)"
# Same row, second pattern: *.googleapis.com.
domain app=webex-calling service=push-notification pattern=*.googleapis.com kind=dependency \
     label="Notifications to the Webex app on mobile devices (Google FCM) (Webex app)"

# =============================================================================================
table "Quality of Service (QoS)"
# 原文: サービス品質(QoS)
# Columns: source address | traffic type | destination address | source port | destination port
# | DSCP class and value. Destination address for every row: Webex Calling service IP subnets,
# domains and URLs (merged cell) -> @webex_calling_service.
# Notes: audio and video/share use different source port ranges so they can be marked
# separately; Windows clients need UDP source-port differentiation enabled (account team);
# Webex devices: QoS settings are changed from Control Hub device settings.

# Webex app, audio, source 8500-8599, dest 8500-8599, 19560-65535, Expedited Forwarding (46).
# Sub-row: Webex app*, audio source 8500-8599 (Webex アプリ* 音声: 8500-8599); QoS: EF (46).
qos app=webex-calling service=app-audio proto=udp dscp=46 server=@webex_calling_service \
     client_port=8500-8599 server_port=8500-8599,19560-65535 \
     label="Webex app audio: EF (46)"
# Webex app, video, source 8600-8699, dest 8600-8699, 19560-65535, Assured Forwarding 41 (34).
# Sub-row: Webex app*, video source 8600-8699 (ビデオ: 8600-8699); QoS: AF41 (34).
qos app=webex-calling service=app-video proto=udp dscp=34 server=@webex_calling_service \
     client_port=8600-8699 server_port=8600-8699,19560-65535 \
     label="Webex app video: AF41 (34)"
# Webex app, signalling, source ephemeral (OS dependent), dest 8934, CS0 (0).
qos app=webex-calling service=app-sip-tls proto=tcp dscp=0 server=@webex_calling_service \
     server_port=8934 \
     label="Webex app signalling: CS0 (0)"
# Webex devices (MPP and Room), audio & video, source 19560-19661, dest 19560-65535,
# Expedited Forwarding (46) & Assured Forwarding 41 (34). A qos statement takes one dscp, so the
# row is written twice (46 for audio, 34 for video); both have the same ports.
# Sub-row: devices*, source 19560-19661 (デバイス*19560-19661); QoS: EF (46) & AF41 (34).
qos app=webex-calling service=device-media proto=udp dscp=46 server=@webex_calling_service \
     client_port=19560-19661 server_port=19560-65535 \
     label="Webex devices (MPP and Room) audio and video: EF (46) [audio]"
# Sub-row: devices*, source 19560-19661 (デバイス*19560-19661); QoS: EF (46) & AF41 (34).
# Same row, second value: AF41 (34) for video.
qos app=webex-calling service=device-media proto=udp dscp=34 server=@webex_calling_service \
     client_port=19560-19661 server_port=19560-65535 \
     label="Webex devices (MPP and Room) audio and video: AF41 (34) [video]"
# Webex devices, signalling, source 5060-5080, dest 8934, Class Selector 3 (24).
qos app=webex-calling service=device-sip-tls proto=tcp dscp=24 server=@webex_calling_service \
     client_port=5060-5080 server_port=8934 \
     label="Webex devices signalling: CS3 (24)"

# =============================================================================================
# Prose passages the audit report cites (notes, not table rows). Kept at the end of the file so
# that the rows above keep their line numbers.

# Section "ファイアウォールの設定" (Firewall configuration), its last paragraph.
# 原文: Webex Calling の場合、Cisco ではメディア用のトランスポート プロトコルとして UDP を推奨しており、
# UDP 経由の場合は SRTP のみの使用を推奨しています。メディアのトランスポート プロトコルとしての TCP
# および TLS は、実稼働環境の Webex Calling ではサポートされていません。これらのプロトコルは接続指向で
# あるため、損失の多いネットワーク上のメディア品質に影響します。トランスポート プロトコルに関して質問が
# ある場合は、サポート チケットを発行してください。
note app=webex-calling id=media-transport section="ファイアウォールの設定" \
     text="For Webex Calling, Cisco recommends UDP as the transport protocol for media, and over UDP recommends using SRTP only. TCP and TLS as the transport protocol for media are not supported in production Webex Calling: these protocols are connection-oriented and so affect media quality on lossy networks. If you have questions about the transport protocol, open a support ticket."

# Section "Webex Calling の MTU サイズ & Webex Aware サービス" (MTU size for Webex Calling and
# Webex Aware services; the heading is printed in this order), its two paragraphs.
# 原文: 最大転送単位 (MTU) は、IP パケットが断片化を必要とせずにネットワーク リンクを介して転送できる
# 最大サイズです。MTU がデフォルト値に設定されていない場合は問題が発生する可能性があります。Webex
# Calling では、ネットワーク上のすべての IP パケットに対してデフォルトの MTU サイズ 1500 バイトを維持
# することを推奨しています。
# Webex Calling および Webex Aware サービスでは、パケットの断片化が必要な場合は、Don't Fragment (DF)
# ビットを設定して ICMP 通信を必須にします。
note app=webex-calling id=mtu section="Webex Calling の MTU サイズ & Webex Aware サービス" \
     text="The maximum transmission unit (MTU) is the largest size an IP packet can have to cross a network link without needing fragmentation; problems can occur when the MTU is not set to its default value. Webex Calling recommends keeping the default MTU size of 1500 bytes for every IP packet on the network. For Webex Calling and Webex Aware services, where packet fragmentation is needed, set the Don't Fragment (DF) bit and make ICMP communication mandatory."

# =============================================================================================
# payload= (the protocol the row's traffic carries, checked against the flow's payload): each
# rule above carries the protocols its row names. SIP-TLS rows: tls. "Call media to Webex
# Calling (STUN, SRTP/SRTCP, T38, DTLS)" rows: rtp,rtcp,stun,dtls (SRTP shows as rtp; ICE STUN
# checks precede media on one 5-tuple). The STUN-port rule (5004, 9000) carries the same set: the
# revision history of 2021-02-26 says 5004 was added as a call-media destination port "(STUN,
# SRTP)" for ICE (原文: 通話メディアの宛先ポートとして Webex Calling (STUN、SRTP) に 5004 が追加).
# "(SRTP/SRTCP, T38)" rows (media from Webex Calling, media to the PSTN gateway): rtp,rtcp. T38
# fax (UDPTL) is no protocol the payload stage recognises: a T38 leg reads as payload-mismatch.
# PSTN SIP 5060: sip; 5061: tls. Device configuration 443 / app configuration 443, 8443 / CScan
# TCP / push notifications (APNS 443, 2197, 5223; FCM 5228-5230, all TLS): tls. Port 80: http.
# Port 6970 (cloudupgrader, firmware migration): http (Cisco phones' HTTP configuration port,
# interpretation). DNS: dns. No payload= (not validated): the subnet-only rules, NTP, CScan UDP.

# =============================================================================================
table "Connection purpose / source / destination port table (IP subnets for Webex Calling services)"
# Direct media between Webex apps, from the notes cell of the row "Call media to Webex Calling
# (STUN, SRTP/SRTCP, T38, DTLS)" (at the end of the file so that no row above moves).
# 原文: STUN、ICE ネゴシエーションが成功した組織内の通話の場合、クラウド内のメディアリレーは通信パスとして
# 削除されます。このような場合、メディアフローはユーザーの Apps/devices.
# 例: メディアの最適化が成功すると、Webex アプリはポート範囲 8500 ~ 8699 でメディアを直接送信し、
# デバイスはポート範囲 19560 ~ 19661 でメディアを直接送信します。
# (For calls inside the organisation whose STUN/ICE negotiation succeeded, the media relay in the
# cloud is removed from the path and media flows between the users' apps/devices; e.g. after
# successful media optimisation the Webex app sends media directly on ports 8500-8699.)
# Both ends are the enterprise's own clients, so neither side is a documented subnet: ports
# alone prove nothing (any internal application may use these ranges), hence needs=payload - a
# rule labels only when the payload shows RTP/SRTP (or its ICE STUN checks, or DTLS). One rule
# per example of the passage: the Webex app (8500-8699), then devices (19560-19661).
rule app=webex-calling service=app-direct-media category=media proto=udp \
     client=@internal client_port=8500-8699 server=@internal server_port=8500-8699 \
     encrypted=yes payload=rtp,rtcp,stun,dtls needs=payload \
     label="Webex app-to-app direct media after ICE media optimisation (8500-8699 both sides, inside the enterprise)"
# Same passage, second example: devices send media directly on 19560-19661.
rule app=webex-calling service=device-direct-media category=media proto=udp \
     client=@internal client_port=19560-19661 server=@internal server_port=19560-19661 \
     encrypted=yes payload=rtp,rtcp,stun,dtls needs=payload \
     label="Webex device-to-device direct media after ICE media optimisation (19560-19661 both sides, inside the enterprise)"

# =============================================================================================
# Scope (issue 15): what a Webex label claims. app webex-calling (scope=calling): the rows the
# document makes Webex Calling (signalling, media, device configuration, Calling's own names and
# ports). app webex (scope=webex-platform): names and networks Calling shares with Webex
# Meetings and Messaging (*.webex.com, *.wbx2.com, ... and the subnet-only rows). *.cisco.com
# (kind=allow-list, scope=allow-list): on Calling's firewall allow-list only, never a label.
# Rows added for it (at the end, so that no row above moves):
table "Domains and URLs for Webex Calling services"
# Hosts the "*.webex.com, *.cisco.com" row and the device configuration row name for Calling's
# devices (原文: 新しい電話機は activate.cisco.com を使用し、ファームウェア リリース 11.2(1) より前の
# 電話機はプロビジョニングに引き続き webapps.cisco.com を使用します / binaries.webex.comからデバイスの
# ファームウェアとロケールの更新プログラムをダウンロードします / upgrade.cisco.com /
# cloudupgrader.webex.com は次のポートを使用します: ファームウェア移行プロセスの場合は 6970,443):
# service device-config-https, the port table's device configuration row on 443.
domain app=webex-calling service=device-config-https pattern=activate.cisco.com kind=service \
     label="Device activation server for zero-touch provisioning (new phones)"
# Same row: phones with firmware before 11.2(1).
domain app=webex-calling service=device-config-https pattern=webapps.cisco.com kind=service \
     label="Provisioning for phones with firmware before 11.2(1)"
# Device configuration row, need 1: migrating enterprise phones (Unified CM) to Webex Calling.
domain app=webex-calling service=device-config-https pattern=upgrade.cisco.com kind=service \
     label="Migration of enterprise phones (Unified CM) to Webex Calling"
# Same need: cloudupgrader.webex.com, ports 6970 and 443 for the firmware migration.
domain app=webex-calling service=device-config-https pattern=cloudupgrader.webex.com kind=service \
     label="Firmware migration (ports 6970, 443)"
# Phones download firmware and locale updates from binaries.webex.com.
domain app=webex-calling service=device-config-https pattern=binaries.webex.com kind=service \
     label="Device firmware and locale updates"
# MPP before 12.0.3 reach sudirenewal.cisco.com on port 80 (MIC renewal, SUDI): the port table's
# device configuration row on 80.
domain app=webex-calling service=device-config-http pattern=sudirenewal.cisco.com kind=service \
     label="MIC renewal and SUDI for MPP phones before 12.0.3 (port 80)"
# The CScan row: "see cscan.webex.com" (詳細については、cscan.webex.com を参照してください).
domain app=webex-calling service=cscan pattern=cscan.webex.com kind=service \
     label="CScan network readiness tool"

table "Connection purpose / source / destination port table (IP subnets for Webex Calling services)"
# The STUN ports of the call-media row from any other source (WebRTC's ephemeral ports, which
# Webex Meetings clients share): the platform's (basis=interpretation, see the stun rule above).
rule app=webex service=media-ports category=media proto=udp \
     server=@webex_calling_service server_port=5004,9000 payload=rtp,rtcp,stun,dtls \
     basis=interpretation \
     label="Webex platform: media/STUN ports 5004, 9000 from sources the Calling row does not name (WebRTC, Meetings)"

table "Domains and URLs for Webex Calling services"
# Names the revision history adds to Calling's own rows (the port table's Webex app configuration
# and device configuration rows): a host name there is Calling's even under a platform wildcard
# (*.webex.com); the longest pattern wins. 004:1015-1023 (アプリケーション構成に次のドメインを追加
# しました: idbroker-b-us.webex.com, idbroker-eu.webex.com, ty6-wxt-jp.bcld.webex.com,
# os1-wxt-jp.bcld.webex.com) and 004:1101-1107 (jp.bcld.webex.com, client-jp.bcld.webex.com,
# idbroker.webex.com): service app-config, the Webex app configuration row (443, 8443).
domain app=webex-calling service=app-config pattern=idbroker.webex.com kind=service \
     label="Webex app configuration: ID broker authentication (idbroker.webex.com)"
# Same change (004:1017): idbroker-b-us.webex.com.
domain app=webex-calling service=app-config pattern=idbroker-b-us.webex.com kind=service \
     label="Webex app configuration: ID broker authentication (idbroker-b-us.webex.com)"
# Same change (004:1019): idbroker-eu.webex.com.
domain app=webex-calling service=app-config pattern=idbroker-eu.webex.com kind=service \
     label="Webex app configuration: ID broker authentication (idbroker-eu.webex.com)"
# bcld.webex.com (BroadCloud, Calling's platform): 004:1021, 1023, 1103, 1105 name
# ty6-wxt-jp, os1-wxt-jp, jp and client-jp under it for the app configuration row. The wildcard
# is ucflow's generalisation of those four hosts (interpretation): every listed host under
# bcld.webex.com is Calling's; the SIP-TLS rows on 8934 keep their own service.
domain app=webex-calling service=app-config pattern=*.bcld.webex.com kind=service \
     label="Webex Calling (BroadCloud) app configuration and registration hosts (*.bcld.webex.com)"
# 004:1109-1115 (追加の IP アドレスを持つ以下のドメインをデバイスの設定とファームウェア管理に更新しま
# した): cisco.webexcalling.eu and activation.webex.com for the device configuration row (443).
domain app=webex-calling service=device-config-https pattern=activation.webex.com kind=service \
     label="Device activation (device configuration and firmware management, 004:1115)"
# Same change (004:1111): cisco.webexcalling.eu.
domain app=webex-calling service=device-config-https pattern=cisco.webexcalling.eu kind=service \
     label="Device configuration in Europe (device configuration and firmware management, 004:1111)"

# The DNS row (004:576, rule "dns" above) for the shared platform's names: a lookup of a name of
# the webex app's rows (*.webex.com, *.wbx2.com, *.ciscospark.com, *.webexapis.com) is the same
# row, but of the platform Calling shares with Meetings and Messaging, not of Calling (issue 15:
# scope). ucflow's reading of the row: 004 has one DNS row for all of Webex Calling's names.
rule app=webex service=dns category=dns proto=both server=any server_port=53 \
     encrypted=no payload=dns basis=interpretation \
     label="DNS lookup of a shared Webex platform name (004's DNS row, the platform's names)"

table "Connection purpose / source / destination port table (IP subnets for Webex Calling services)"
# CScan's own address (the CScan row, 004:578-579, rules "cscan" above). The current table gives
# CScan no address of its own ("see cscan.webex.com"); the revision history does: 004:1065
# (2020-09-23: CScan では、199.59.64.156 を 199.59.64.197 に置き換えました, CScan's 199.59.64.156
# replaced by 199.59.64.197) after 004:1093-1098 (2020-06-09: the CScan entry's address corrected
# from 199.59.67.156 to 199.59.64.156, and new ports with UDP 19560-19760 for new features).
# basis=interpretation: the address comes from the history, not the current table, and the
# history's last word (2020) is taken to hold. 199.59.64.197 lies in the first subnet list
# (199.59.64.0/21); the replaced 199.59.64.156 and 199.59.67.156 are CScan's no more and get no
# row. At CScan's own address the address names the service, so these rows need no name (the
# CScan rows on the whole list above do: every Webex client uses those subnets and ports). Ports:
# the current table's (TCP 8934 and 443; UDP 19569-19760, where the 2020-06-09 entry said
# 19560-19760). The UDP line makes no payload claim: the table names no protocol for it.
addrset webex_cscan 199.59.64.197
rule app=webex-calling service=cscan category=other proto=tcp \
     server=@webex_cscan server_port=8934,443 payload=tls basis=interpretation \
     label="CScan network readiness tool at its address from the revision history (004:1065), TCP 8934 and 443"
# Same address, the row's second line: UDP 19569-19760.
rule app=webex-calling service=cscan category=other proto=udp \
     server=@webex_cscan server_port=19569-19760 basis=interpretation \
     label="CScan network readiness tool at its address from the revision history (004:1065), UDP 19569-19760"

# =============================================================================================
# Client roles (role statements, ucflow-signatures(5) ROLES). ucflow's interpretation of the port
# table, not a row of it.
#
# NTP row (004:577, rule "ntp" above, product_side=client): "Webex app and Webex devices, source
# port 123, UDP, destination customer-defined (主催者が定義), 123, time synchronisation"; and
# "if you use NTP and DNS services inside the enterprise network, open ports 53 and 123 through
# the firewall" (004:596). The destination is the customer's own NTP server, which every host of
# the site uses from port 123 too, so neither the server nor the port says Webex Calling: only
# the client does. The row is therefore written with product_side=client, and a host is taken for
# a Webex Calling device when the capture shows it as the client of an answered SIP-TLS
# connection that the device sub-row of "Call signalling to Webex Calling (SIP TLS)" labels
# ("Devices, source 5060-5080, 8934", 004:478; rule device-sip-tls) by a documented subnet, a
# Webex name or its TLS payload (uses=; never by a port alone or another role). The Webex app's
# and the local gateway's sub-rows are not evidence: the app runs on a PC whose NTP is the
# operating system's, not the app's, and 004's NTP row does not name the local gateway.
# The role covers the NTP row only (services=): the DNS row (004:576) would otherwise label every
# lookup a phone makes.
role app=webex-calling role=calling-device uses=device-sip-tls services=ntp \
     label="Webex Calling device: client of Webex Calling's device SIP-TLS signalling (source 5060-5080 to 8934, 004:478)"
#
# The local gateway's media source range (rules lgw-stun and lgw-media; 004:494, the call-media
# row's sub-row "local gateway external NIC 8000-48199*") holds ports any Linux host draws for its
# own UDP (32768-48199), Webex Meetings clients sending media to the shared subnets among them,
# so those rows are written product_side=client: they label only the media of a host the capture
# shows to be a local gateway, i.e. the client of an answered SIP-TLS connection that the local
# gateway's sub-row of "Call signalling to Webex Calling (SIP TLS)" (004:472, "local gateway
# external (NIC) 8000-65535, TCP, 5062, 8934"; rule lgw-sip-tls) labels by a documented subnet, a
# Webex name or its TLS payload. The other sub-rows (devices 5060-5080, 004:478; the Webex app
# from an ephemeral port, 004:479) are no evidence: the app's SIP-TLS and its Meetings media leave
# the same PC, and 004 gives the app and devices media ranges of their own (rules stun,
# app-audio, app-video, device-media). Hence a registration-based gateway whose SIP-TLS to 8934
# leaves from an ephemeral port (32768-65535, labelled app-sip-tls: see that rule) is not
# recognised: its STUN to 5004/9000 stays the platform's (webex/media-ports), its media the
# WebRTC sub-row's (webrtc-media: still Calling, under another sub-row's name). A site file's
# `server app=webex-calling` (or service=lgw-stun / lgw-media) declares such a gateway.
role app=webex-calling role=local-gateway uses=lgw-sip-tls services=lgw-stun,lgw-media \
     label="Webex Calling local gateway (external NIC): client of the local gateway's SIP-TLS signalling to Webex Calling (source 8000-65535 to 5062/8934, 004:472)"
