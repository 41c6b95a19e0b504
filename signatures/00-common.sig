# Common policy: ports shared by many unrelated services.
#
# This is ucflow POLICY, not a row of any vendor document. A rule on one of these ports never
# names a product by port alone; it needs a documented subnet, a site-declared server, or
# payload evidence.
#
# Groups (all in the single statement below):
#   web / alt-web ........ 80 443 8080 8443
#   dns / time ........... 53 123
#   mail ................. 25 465 587 110 143 993 995
#   directory ............ 389 636
#   databases ............ 1433 (MS SQL) 3306 (MySQL) 5432 (PostgreSQL) 27017 (MongoDB)
#   remote access / files  22 21
#   generic SIP .......... 5060 5061 (any SIP UA/proxy/PBX; Webex PSTN legs have no documented subnet)
#   XMPP federation ...... 5269 (any XMPP server federates on it; the IM and Presence rule that
#                          lets an internal node reach any server would otherwise claim them all)
#   mobile push .......... 2197 5228 5229 5230 (Apple APNS / Google FCM, used by every mobile app)
#   STUN ................. 19302 (Google public STUN, used by many WebRTC apps)
#   message bus .......... 9092 (Apache Kafka's default port; Sametime's event server is one of
#                          many Kafka users: kafka.pcapng in the nDPI captures is plain Kafka)
#   media ................ 10000 30000 (single ports inside the RTP ranges every PBX and SBC
#                          uses: sip.pcap in the nDPI captures carries a SIP call's RTP on 30000)
#
# Not listed on purpose: 5222, 5223, 7071, 7443, 8082, 8088. 5223 is also Apple push (APNS), but
# APNS servers are public and a port-only match labels internal servers only, so listing it here
# only kept Finesse's documented secure XMPP on 5223 from ever labelling. (8088, 9094, 1352, 1526
# are common ports too: their rules say needs=corroboration instead.) They are also used on the
# internet (WhatsApp on 5222 ...), but a rule on them labels by port alone only
# when the server is inside the internal networks (the classifier's policy for every port-only
# match, on-premises product or not), which keeps public traffic on those ports unlabelled.
shared-ports 80,443,8443,8080,53,123,25,465,587,110,143,993,995,389,636,1433,3306,5432,27017,22,21,5060,5061,5269,2197,5228,5229,5230,19302,9092,10000,30000
