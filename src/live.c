/* live.c - long-running live capture: signals, periodic work between batches, SIGHUP reload,
 * health counters and privilege dropping. See live.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "live.h"
#include "classify.h"
#include "export.h"

/* ---- signals: flags only ---- */

static volatile sig_atomic_t sig_stop, sig_reload, sig_stats;
static struct cap_source *volatile sig_src;

static void on_stop_signal(int sig)
{
	sig_stop = 1;
	if (sig_src)
		cap_break(sig_src);
	/* a second SIGINT/SIGTERM (e.g. while a huge table is written) terminates at once */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
}

static void on_hup_signal(int sig)
{
	(void)sig;
	sig_reload = 1;
}

static void on_usr1_signal(int sig)
{
	(void)sig;
	sig_stats = 1;
}

static void install(int sig, void (*fn)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() in pcap_dispatch returns EINTR, the loop sees flags */
	sigaction(sig, &sa, NULL);
}

void live_install_signals(struct cap_source *src)
{
	sig_src = src;
	install(SIGINT, on_stop_signal);
	install(SIGTERM, on_stop_signal);
	install(SIGHUP, on_hup_signal);
	install(SIGUSR1, on_usr1_signal);
}

unsigned live_take_requests(void)
{
	unsigned r = 0;
	if (sig_stop)
		r |= LIVE_REQ_STOP;
	if (sig_reload) {
		sig_reload = 0;
		r |= LIVE_REQ_RELOAD;
	}
	if (sig_stats) {
		sig_stats = 0;
		r |= LIVE_REQ_STATS;
	}
	return r;
}

/* ---- the run's state ---- */


static struct {
	struct live_config cfg;
	struct cap_source *src;
	struct pipeline *pl;
	struct out_writer *out;
	struct sig_db **db;
	uint64_t start_mono, end_mono;
	uint64_t next_flush, next_stats; /* monotonic microseconds */
	struct live_snapshot prev;            /* at the previous health line */
	int error;
	char errbuf[UCF_ERRBUF_SIZE];
	bool ran;
} L;

static uint64_t clock_us(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static void take_snapshot(struct live_snapshot *s)
{
	s->mono_us = clock_us(CLOCK_MONOTONIC);
	pipeline_get_counters(L.pl, &s->pc);
	pipeline_get_flow_stats(L.pl, &s->fs);
	cap_get_stats(L.src, &s->cs);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

typedef unsigned long long ull;

void live_print_health(FILE *fp, const struct live_snapshot *p, const struct live_snapshot *now_)
{
	const struct live_snapshot now = *now_;
	double secs = (double)(now.mono_us - p->mono_us) / 1e6;
	if (secs <= 0)
		secs = 1e-6;
	fprintf(fp,
		"ucflow: stats: %.1f s: %.1f pkt/s, %.1f bytes/s; flows: %llu active, %llu written "
		"(+%llu), %llu interim (+%llu), %llu evicted (+%llu); %llu truncated (+%llu)",
		secs, (double)(now.pc.packets - p->pc.packets) / secs,
		(double)(now.pc.bytes - p->pc.bytes) / secs, (ull)now.fs.active, (ull)now.fs.emitted,
		(ull)(now.fs.emitted - p->fs.emitted), (ull)now.fs.interim,
		(ull)(now.fs.interim - p->fs.interim), (ull)now.fs.evicted,
		(ull)(now.fs.evicted - p->fs.evicted), (ull)now.pc.truncated,
		(ull)(now.pc.truncated - p->pc.truncated));
	if (now.cs.valid) {
		uint64_t drecv = now.cs.recv - p->cs.recv, ddrop = now.cs.drop - p->cs.drop;
		uint64_t difdrop = now.cs.ifdrop - p->cs.ifdrop;
		fprintf(fp,
			"; pcap: %llu received (+%llu), %llu dropped (+%llu, %.2f%%), %llu dropped by "
			"the interface (+%llu, %.2f%%)",
			(ull)now.cs.recv, (ull)drecv, (ull)now.cs.drop, (ull)ddrop, pct(ddrop, drecv),
			(ull)now.cs.ifdrop, (ull)difdrop, pct(difdrop, drecv + difdrop));
	} else {
		fprintf(fp, "; pcap: no statistics");
	}
	fputc('\n', fp);
	for (size_t i = 0; i < L.cfg.nexports; i++)
		export_print_stats(L.cfg.exports[i], fp);
	fflush(fp);
}

/* One health line: rates and deltas since the previous line, totals beside them. */
static void print_health(FILE *fp)
{
	struct live_snapshot now;
	take_snapshot(&now);
	live_print_health(fp, &L.prev, &now);
	L.prev = now;
}

/* SIGHUP: a new signature db (kept only when it loads completely), then the output file. */
static void reload(void)
{
	char eb[UCF_ERRBUF_SIZE] = "";
	struct sig_db *ndb = NULL;
	if (sig_db_load(&ndb, L.cfg.sigdir, L.cfg.site, eb, sizeof eb) != UCF_OK) {
		fprintf(stderr, "ucflow: SIGHUP: signatures not reloaded, still using the previous "
				"tables: %s\n", eb);
	} else {
		struct sig_db *old = *L.db;
		uint64_t n = pipeline_set_db(L.pl, ndb); /* flows and output now refer to ndb only */
		*L.db = ndb;
		if (L.cfg.db_changed)
			L.cfg.db_changed(L.cfg.db_changed_user, ndb);
		sig_db_free(old);
		fprintf(stderr, "ucflow: SIGHUP: signatures reloaded from %s%s%s (%zu rules); %llu open "
				"flows re-classified\n", L.cfg.sigdir, L.cfg.site ? " and " : "",
			L.cfg.site ? L.cfg.site : "", sig_rule_count(ndb), (ull)n);
	}
	if (out_reopen(L.out, eb) != UCF_OK)
		fprintf(stderr, "ucflow: SIGHUP: %s; still writing to the previous file\n", eb);
	else
		fprintf(stderr, "ucflow: SIGHUP: output reopened\n");
	fflush(stderr);
}

static void fail(const char *msg)
{
	if (L.error)
		return;
	L.error = UCF_ERR_RUNTIME;
	snprintf(L.errbuf, sizeof L.errbuf, "%s", msg);
	cap_break(L.src);
}

/* After every batch, and after every read timeout on a quiet link. */
static void live_tick(void *user)
{
	(void)user;
	if (sig_stop)
		return;
	pipeline_tick(L.pl, clock_us(CLOCK_REALTIME));
	if (sig_reload) {
		sig_reload = 0;
		reload();
	}
	uint64_t mono = clock_us(CLOCK_MONOTONIC);
	if (sig_stats || (L.cfg.stats_s && mono >= L.next_stats)) {
		sig_stats = 0;
		print_health(stderr);
		if (L.cfg.stats_s)
			L.next_stats = mono + (uint64_t)L.cfg.stats_s * 1000000ULL;
	}
	if (mono >= L.next_flush) {
		char eb[UCF_ERRBUF_SIZE];
		if (out_flush(L.out, eb) != UCF_OK)
			fail(eb);
		L.next_flush = mono + (uint64_t)L.cfg.flush_s * 1000000ULL;
	}
}

static bool live_on_input(void *user, const char *name, int linktype, char *errbuf)
{
	if (!pipeline_on_input(user, name, linktype, errbuf))
		return false;
	if (!L.cfg.quiet) {
		fprintf(stderr, "ucflow: listening on %s, link-type %s, snapshot length %d bytes\n",
			name, decode_linktype_name(linktype), L.cfg.snaplen);
		fflush(stderr);
	}
	return true;
}

int live_run(const struct live_config *cfg, struct cap_source *src, struct pipeline *pl,
	     struct out_writer *out, struct sig_db **db, uint64_t count, char *errbuf)
{
	memset(&L, 0, sizeof L);
	L.cfg = *cfg;
	L.src = src;
	L.pl = pl;
	L.out = out;
	L.db = db;
	L.ran = true;
	take_snapshot(&L.prev);
	L.start_mono = L.prev.mono_us;
	L.next_flush = L.start_mono + (uint64_t)cfg->flush_s * 1000000ULL;
	L.next_stats = L.start_mono + (uint64_t)cfg->stats_s * 1000000ULL;
	int rc = cap_run_batch(src, live_on_input, pipeline_on_batch, live_tick, pl, count, errbuf);
	L.end_mono = clock_us(CLOCK_MONOTONIC);
	if (rc == UCF_OK && L.error) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "%s", L.errbuf);
		rc = UCF_ERR_RUNTIME;
	}
	return rc;
}

void live_print_summary(FILE *fp)
{
	if (!L.ran)
		return;
	struct live_snapshot now;
	take_snapshot(&now);
	live_print_summary_of(fp, cap_current_name(L.src), L.start_mono,
			      L.end_mono ? L.end_mono : now.mono_us, &now);
}

void live_print_summary_of(FILE *fp, const char *name, uint64_t start_mono, uint64_t end_mono,
			   const struct live_snapshot *now)
{
	double secs = (double)(end_mono - start_mono) / 1e6;
	double div = secs > 0 ? secs : 1e-6;
	fprintf(fp, "ucflow: live capture on %s for %.1f s: %.1f pkt/s, %.1f bytes/s on average; "
		    "%llu interim records\n",
		name, secs, (double)now->pc.packets / div, (double)now->pc.bytes / div,
		(ull)now->fs.interim);
	if (now->cs.valid)
		fprintf(fp, "ucflow: %llu packets received by the capture, %llu dropped by the kernel "
			    "(%.2f%%), %llu dropped by the interface (%.2f%%)\n",
			(ull)now->cs.recv, (ull)now->cs.drop, pct(now->cs.drop, now->cs.recv),
			(ull)now->cs.ifdrop, pct(now->cs.ifdrop, now->cs.recv + now->cs.ifdrop));
}

/* ---- -Z ---- */

#ifdef __linux__
/* Empties the permitted, effective, inheritable and ambient sets; no exec can add any back. */
static int drop_capabilities(char *errbuf)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
#ifdef PR_CAP_AMBIENT
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); /* EINVAL before Linux 4.3 */
#endif
	if (syscall(SYS_capset, &h, d) != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0 || d[0].effective || d[0].permitted || d[1].effective ||
	    d[1].permitted) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "capabilities still held after dropping them");
		return -1;
	}
	return 0;
}
#endif

int live_drop_privileges(const char *user, char *errbuf)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %s: %s", user,
			 errno ? strerror(errno) : "no such user");
		return UCF_ERR_CONFIG;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	bool already = getuid() == uid && geteuid() == uid && getgid() == gid && getegid() == gid;
	if (!already) {
		if (initgroups(pw->pw_name, gid) != 0) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %s: initgroups: %s", user, strerror(errno));
			return UCF_ERR_RUNTIME;
		}
		if (setgid(gid) != 0) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %s: setgid(%u): %s", user, (unsigned)gid,
				 strerror(errno));
			return UCF_ERR_RUNTIME;
		}
		if (setuid(uid) != 0) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %s: setuid(%u): %s", user, (unsigned)uid,
				 strerror(errno));
			return UCF_ERR_RUNTIME;
		}
	}
#ifdef __linux__
	if (uid != 0) {
		char eb[UCF_ERRBUF_SIZE];
		if (drop_capabilities(eb) != 0) {
			snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %.64s: %.400s", user, eb);
			return UCF_ERR_RUNTIME;
		}
	}
#endif
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %s: user or group ids did not change", user);
		return UCF_ERR_RUNTIME;
	}
	if (uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %s: root could be regained; refusing to go on",
			 user);
		return UCF_ERR_RUNTIME;
	}
	if (gid != 0 && uid != 0 && (setgid(0) != -1 || setegid(0) != -1)) {
		snprintf(errbuf, UCF_ERRBUF_SIZE, "-Z %s: group root could be regained; refusing to go on",
			 user);
		return UCF_ERR_RUNTIME;
	}
	return UCF_OK;
}
