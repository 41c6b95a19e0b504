# Test tables for check_classify (not vendor data): two on-premises apps documenting the same
# port, and a cloud app with nested documented subnets.
doc test-classify.txt "Classifier test document"
app alpha "Alpha (on premises)" onprem=yes
app beta "Beta (on premises)" onprem=yes
app cloud "Cloud service"
addrset cloud_big 198.18.0.0/15 2001:db8::/32
addrset cloud_small 198.18.5.0/24

table "Port table"
rule app=alpha service=xmpp category=messaging proto=tcp server_port=5222 label="Alpha XMPP" payload=xmpp-client
rule app=beta service=xmpp category=messaging proto=tcp server_port=5222 label="Beta XMPP"
rule app=alpha service=web category=web proto=tcp server_port=443 label="Alpha HTTPS"
rule app=beta service=ctl category=management proto=tcp server_port=7000-7999
rule app=alpha service=ctl category=management proto=tcp server_port=7100
rule app=beta service=mail category=email proto=tcp client=@internal server=any server_port=25
rule app=beta service=notify category=notification proto=tcp client=@internal server=any \
     server_port=5222

table "Subnets"
rule app=cloud service=big-any category=other proto=both server=@cloud_big
rule app=cloud service=small-any category=other proto=both server=@cloud_small
rule app=cloud service=big-port category=signalling proto=tcp server=@cloud_big server_port=5061
rule app=cloud service=small-port category=signalling proto=tcp server=@cloud_small \
     server_port=8934
rule app=cloud service=media-wide category=media proto=udp server=@cloud_big \
     server_port=8000-9999
rule app=cloud service=media-narrow category=media proto=udp server=@cloud_big \
     server_port=8500-8599 dscp=34
rule app=cloud service=p2p category=media proto=udp server=@internal client=@internal \
     server_port=8500-8699 client_port=8500-8699
rule app=cloud service=push category=notification proto=tcp server=any server_port=5223
rule app=cloud service=inbound category=media proto=udp client=@cloud_big \
     client_port=19560-65535 server=any
rule app=cloud service=web category=web proto=tcp server=@cloud_small server_port=443

table "QoS"
qos app=cloud service=media-narrow proto=udp dscp=46 server_port=8500-8549
