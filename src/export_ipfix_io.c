/* export_ipfix_io.c - IPFIX transports (RFC 7011 10): an IPFIX file (RFC 5655), UDP datagrams to
 * a collector, or a TCP connection kept up with backoff behind a bounded queue.
 *
 * Nothing here blocks the packet path: sockets are non-blocking, a collector that is away costs a
 * failed send or a queued message, and what cannot be delivered is counted as dropped. */
#define _GNU_SOURCE /* IP_MTU */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "export_internal.h"

#define BACKOFF_MIN_US 250000ULL
#define BACKOFF_MAX_US 30000000ULL

/* "HOST:PORT" or "[V6]:PORT" -> address (numeric port). */
static int resolve(struct exporter *x, const char *target, int socktype, char *errbuf)
{
	char host[256];
	const char *port;
	if (target[0] == '[') {
		const char *end = strchr(target, ']');
		if (!end || end[1] != ':' || (size_t)(end - target - 1) >= sizeof host)
			goto bad;
		memcpy(host, target + 1, (size_t)(end - target - 1));
		host[end - target - 1] = '\0';
		port = end + 2;
	} else {
		const char *colon = strrchr(target, ':');
		if (!colon || (size_t)(colon - target) >= sizeof host)
			goto bad;
		memcpy(host, target, (size_t)(colon - target));
		host[colon - target] = '\0';
		port = colon + 1;
	}
	char *end;
	long pn = strtol(port, &end, 10);
	if (!*host || !*port || *end || pn <= 0 || pn > 65535)
		goto bad;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "--ipfix %s: %s", x->spec, gai_strerror(rc));
		return UCF_ERR_CONFIG;
	}
	memcpy(&x->addr, res->ai_addr, res->ai_addrlen);
	x->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return UCF_OK;
bad:
	snprintf(errbuf, UCF_ERRBUF_SIZE, "--ipfix %s: expected HOST:PORT (an IPv6 address in "
		 "brackets) and a port 1..65535", x->spec);
	return UCF_ERR_CONFIG;
}

/* ---- TCP ---- */

static size_t q_msg_len(const struct exporter *x)
{
	return (size_t)x->q[2] << 8 | x->q[3];
}

/* Removes the first queued message (sent or dropped). */
static void q_pop(struct exporter *x, bool sent)
{
	size_t len = q_msg_len(x);
	uint32_t nrec = x->qrec[x->qrec_head];
	if (sent)
		x->st.sent += nrec;
	else
		x->st.dropped += nrec;
	x->qrec_head = (x->qrec_head + 1) % x->qrec_cap;
	x->qrec_n--;
	memmove(x->q, x->q + len, x->qlen - len);
	x->qlen -= len;
}

static void tcp_down(struct exporter *x, uint64_t now_us)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	/* a message cut in the middle cannot be resumed on another connection */
	if (x->qoff && x->qrec_n)
		q_pop(x, false);
	x->qoff = 0;
	x->connected = x->connecting = false;
	x->next_connect_us = now_us + x->backoff_us;
	x->backoff_us = x->backoff_us * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US : x->backoff_us * 2;
}

static void tcp_connect(struct exporter *x, uint64_t now_us)
{
	x->fd = socket(x->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		tcp_down(x, now_us);
		return;
	}
	if (connect(x->fd, (struct sockaddr *)&x->addr, x->addrlen) == 0 || errno == EINPROGRESS)
		x->connecting = true;
	else
		tcp_down(x, now_us);
}

static void tcp_drain(struct exporter *x, uint64_t now_us);

/* A connect in progress has finished: the new session gets the templates and options first,
 * straight into its empty socket buffer, then whatever waited in the queue. */
static void tcp_established(struct exporter *x, uint64_t now_us)
{
	x->connecting = false;
	x->connected = true;
	if (x->ever_connected)
		x->st.reconnects++;
	x->ever_connected = true;
	x->backoff_us = BACKOFF_MIN_US;
	/* templates bypass the queue: they must precede the queued data on this connection */
	x->fd_direct = true;
	export_send_templates(x, true);
	x->fd_direct = false;
	tcp_drain(x, now_us);
}

static void tcp_poll_connect(struct exporter *x, uint64_t now_us, int timeout_ms)
{
	struct pollfd pfd = { x->fd, POLLOUT, 0 };
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	int err = 0;
	socklen_t el = sizeof err;
	if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err)
		tcp_down(x, now_us);
	else
		tcp_established(x, now_us);
}

/* Whether the collector closed its side: it sends nothing in IPFIX, so a readable socket with
 * nothing to read is a closed one (checked before writing, as the first write after the peer
 * went away would still succeed and be lost). */
static bool tcp_peer_closed(const struct exporter *x)
{
	char c;
	ssize_t n = recv(x->fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void tcp_drain(struct exporter *x, uint64_t now_us)
{
	if (!x->connected || !x->qlen)
		return;
	if (tcp_peer_closed(x)) {
		tcp_down(x, now_us);
		return;
	}
	while (x->qlen) {
		ssize_t n = send(x->fd, x->q + x->qoff, x->qlen - x->qoff, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			tcp_down(x, now_us);
			return;
		}
		x->qoff += (size_t)n;
		while (x->qrec_n && x->qoff >= q_msg_len(x)) {
			x->qoff -= q_msg_len(x);
			q_pop(x, true);
		}
	}
}

static void tcp_send(struct exporter *x, const uint8_t *msg, size_t len, uint32_t nrec)
{
	uint64_t now = export_now_us();
	if (x->fd_direct) {
		/* a fresh connection's buffer takes the templates whole */
		if (tcp_peer_closed(x) ||
		    send(x->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len) {
			tcp_down(x, now);
			x->st.dropped += nrec;
		} else {
			x->st.sent += nrec;
		}
		return;
	}
	if (x->qlen + len > x->qcap || x->qrec_n == x->qrec_cap) {
		x->st.dropped += nrec; /* the queue is full: the collector is away or too slow */
	} else {
		memcpy(x->q + x->qlen, msg, len);
		x->qlen += len;
		x->qrec[(x->qrec_head + x->qrec_n) % x->qrec_cap] = nrec;
		x->qrec_n++;
	}
	if (x->connecting)
		tcp_poll_connect(x, now, 0);
	else if (!x->connected && x->fd < 0 && now >= x->next_connect_us)
		tcp_connect(x, now);
	tcp_drain(x, now);
}

/* ---- UDP ---- */

/* After a refusal the collector is taken as down for this long: a datagram per attempt, and
 * few enough ICMP errors that the kernel's limit on them (icmp_msgs_per_sec) never leaves one
 * out, as each refused datagram is counted by the error it gets. */
#define UDP_RETRY_US 200000ULL

static void udp_send(struct exporter *x, const uint8_t *msg, size_t len, uint32_t nrec)
{
	uint64_t now = x->down_until ? export_now_us() : 0;
	if (now && now < x->down_until) {
		x->st.dropped += nrec;
		x->need_templates = true;
		return;
	}
	x->down_until = 0;
	if (send(x->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len) {
		x->st.sent += nrec;
		x->last_msg_records = nrec;
		/* the periodic templates also when no tick comes (reading a file) */
		if (nrec && x->cfg.template_refresh_s && export_now_us() >= x->next_refresh_us)
			x->need_templates = true;
		return;
	}
	x->st.dropped += nrec;
	if (errno == ECONNREFUSED) {
		/* the ICMP error answered the previous datagram: nobody received it either; a
		 * collector that comes back needs the templates again */
		x->st.sent -= x->last_msg_records;
		x->st.dropped += x->last_msg_records;
		x->need_templates = true;
		x->down_until = export_now_us() + UDP_RETRY_US;
	}
	x->last_msg_records = 0;
}

/* RFC 7011 10.3.3: a message must fit the path MTU. The connected socket knows its route's MTU
 * (IP_MTU, IPV6_MTU): on a route with a larger MTU than Ethernet's (loopback, jumbo frames) the
 * message size is what fits it (IP and UDP headers off), up to IPFIX_UDP_MSG_MAX; on a smaller
 * one what fits it (at least 512); otherwise, or unknown, IPFIX_UDP_MSG. Fewer, larger datagrams
 * where the route allows it: on bench's mix to 127.0.0.1 about 6 times fewer datagrams (each
 * costs the sender, and on loopback the receiver's kernel work too). */
static void udp_size(struct exporter *x)
{
	int mtu = 0;
	socklen_t len = sizeof mtu;
	bool v6 = x->addr.ss_family == AF_INET6;
	if (getsockopt(x->fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &mtu, &len) != 0 ||
	    mtu <= 0)
		return;
	long cap = (long)mtu - (v6 ? 48 : 28);
	if (cap < IPFIX_UDP_MSG)
		x->msg_cap = cap < 512 ? 512 : (size_t)cap;
	else if (mtu > 1500) /* up to Ethernet's 1500, 1400 keeps room for a tunnel on the path */
		x->msg_cap = cap > IPFIX_UDP_MSG_MAX ? IPFIX_UDP_MSG_MAX : (size_t)cap;
}

/* ---- file ---- */

static void file_send(struct exporter *x, const uint8_t *msg, size_t len, uint32_t nrec)
{
	size_t off = 0;
	while (!x->error && off < len) {
		ssize_t n = write(x->fd, msg + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			x->error = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	if (x->error)
		x->st.dropped += nrec;
	else
		x->st.sent += nrec;
}

/* ---- the transport interface ---- */

int export_io_open(struct exporter *x, const char *target, char *errbuf)
{
	int rc;
	switch (x->kind) {
	case EXPORT_FILE:
		x->fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (x->fd < 0) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "--ipfix %s: %s", x->spec, strerror(errno));
			return UCF_ERR_RUNTIME;
		}
		return UCF_OK;
	case EXPORT_UDP:
		if ((rc = resolve(x, target, SOCK_DGRAM, errbuf)) != UCF_OK)
			return rc;
		x->fd = socket(x->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (x->fd < 0 || connect(x->fd, (struct sockaddr *)&x->addr, x->addrlen) != 0) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "--ipfix %s: %s", x->spec, strerror(errno));
			return UCF_ERR_RUNTIME;
		}
		udp_size(x);
		return UCF_OK;
	case EXPORT_TCP:
		if ((rc = resolve(x, target, SOCK_STREAM, errbuf)) != UCF_OK)
			return rc;
		x->qcap = x->cfg.queue_bytes < 2 * IPFIX_STREAM_MSG ? 2 * IPFIX_STREAM_MSG
								    : x->cfg.queue_bytes;
		x->qrec_cap = x->qcap / 64 + 16;
		x->q = malloc(x->qcap);
		x->qrec = malloc(x->qrec_cap * sizeof *x->qrec);
		if (!x->q || !x->qrec) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "out of memory");
			return UCF_ERR_RUNTIME;
		}
		x->backoff_us = BACKOFF_MIN_US;
		/* a collector that is there is connected to before the first record (an offline run
		 * may be over before a tick); one that is not is retried with backoff */
		tcp_connect(x, export_now_us());
		if (x->connecting)
			tcp_poll_connect(x, export_now_us(), 2000);
		return UCF_OK;
	}
	return UCF_ERR_RUNTIME;
}

void export_io_send(struct exporter *x, const uint8_t *msg, size_t len, uint32_t nrec)
{
	switch (x->kind) {
	case EXPORT_FILE: file_send(x, msg, len, nrec); break;
	case EXPORT_UDP: udp_send(x, msg, len, nrec); break;
	case EXPORT_TCP: tcp_send(x, msg, len, nrec); break;
	}
}

void export_io_tick(struct exporter *x, uint64_t now_us)
{
	if (x->kind != EXPORT_TCP)
		return;
	if (x->connecting)
		tcp_poll_connect(x, now_us, 0);
	else if (!x->connected && x->fd < 0 && now_us >= x->next_connect_us)
		tcp_connect(x, now_us);
	else if (x->connected && tcp_peer_closed(x))
		tcp_down(x, now_us);
	tcp_drain(x, now_us);
}

void export_io_close(struct exporter *x)
{
	if (x->kind == EXPORT_TCP && x->q) {
		/* about two seconds for what is queued, with a connection tried at once whatever
		 * the backoff; then it counts as dropped */
		uint64_t deadline = export_now_us() + 2000000;
		if (!x->connected && !x->connecting && x->fd < 0)
			tcp_connect(x, export_now_us());
		while (x->qlen && export_now_us() < deadline) {
			uint64_t now = export_now_us();
			if (x->connecting) {
				tcp_poll_connect(x, now, 100);
			} else if (!x->connected) {
				if (x->fd < 0 && now >= x->next_connect_us)
					tcp_connect(x, now);
				else
					usleep(20000);
			} else {
				struct pollfd pfd = { x->fd, POLLOUT, 0 };
				poll(&pfd, 1, 100);
				tcp_drain(x, now);
			}
		}
		while (x->qrec_n)
			q_pop(x, false);
		x->qlen = 0;
	}
	if (x->kind == EXPORT_UDP && x->fd >= 0) {
		/* the last datagram's refusal, if it came */
		usleep(0);
		int err = 0;
		socklen_t el = sizeof err;
		if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == ECONNREFUSED) {
			x->st.sent -= x->last_msg_records;
			x->st.dropped += x->last_msg_records;
		}
	}
	if (x->kind == EXPORT_FILE && x->fd >= 0 && close(x->fd) != 0 && !x->error)
		x->error = errno;
	else if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}
