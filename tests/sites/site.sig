# site.sig - the site of pcaps/site.scn as its auditor would declare it (ucflow-signatures(5)):
# the internal networks and the servers of each product. Only the products' own components are
# named; the servers they use as clients (UCCE AWDB and CTI server, LDAP, MongoDB, mail,
# Unified CCX, Unified CM) are not the products' and are left out on purpose.
internal 10.0.0.0/8
# Cisco Finesse: the primary and secondary nodes
server app=finesse addrs=10.1.0.10,10.1.0.11
# Cisco SocialMiner
server app=socialminer addrs=10.1.0.31
# HCL Sametime: two Community Servers, the Proxy Server, two Meeting Servers, the Domino server
server app=sametime addrs=10.1.0.40,10.1.0.41,10.1.0.42,10.1.0.43,10.1.0.44,10.1.0.45
# Cisco IM and Presence: the node with federation enabled
server app=cisco-imp addrs=10.1.0.60
# Webex Calling: the local gateway (CUBE), external and internal NIC
server app=webex-calling addrs=10.9.0.70,10.1.0.71
