/* fuzz_harness.h - what fuzz_packet and fuzz_pcap share: the run-wide state main() would build
 * (signature tables, payload-evidence stage, tunnel table, a JSON writer to /dev/null) and a
 * pipeline configuration over it. Included by one target each, so everything here is static. */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "classify.h"
#include "evidence.h"
#include "tunnel_intern.h"

#ifndef FUZZ_SIGDIR
#define FUZZ_SIGDIR "signatures"
#endif

static struct sig_db *harness_db;
static struct out_writer *harness_out;
static struct tunnel_intern *harness_tunnels;
static struct evidence_ctx *harness_ev;

static const char *harness_tunnel_name(void *user, uint16_t id)
{
	return tunnel_intern_name(user, id);
}

/* Loads $UCFLOW_SIGNATURES (default FUZZ_SIGDIR) and builds the shared stages, with payload
 * inspection on as main() runs by default (its state lives across inputs); aborts on failure,
 * naming the target. */
static void harness_init(const char *target)
{
	char errbuf[UCF_ERRBUF_SIZE];
	const char *dir = getenv("UCFLOW_SIGNATURES");
	if (sig_db_load(&harness_db, dir && *dir ? dir : FUZZ_SIGDIR, NULL, errbuf,
			sizeof errbuf) != UCF_OK) {
		fprintf(stderr, "%s: signatures: %s\n", target, errbuf);
		abort();
	}
	struct evidence_config ecfg;
	evidence_config_defaults(&ecfg);
	harness_tunnels = tunnel_intern_create(errbuf);
	if (!harness_tunnels || evidence_create(&harness_ev, &ecfg, errbuf) != UCF_OK) {
		fprintf(stderr, "%s: %s\n", target, errbuf);
		abort();
	}
	struct out_names names = { .db = harness_db, .ev = harness_ev, .tunnel_of = harness_tunnel_name,
				   .user = harness_tunnels };
	if (out_open(&harness_out, out_format_find("json"), "/dev/null", &names, errbuf) !=
	    UCF_OK) {
		fprintf(stderr, "%s: %s\n", target, errbuf);
		abort();
	}
}

/* A fresh pipeline over the shared stages, its flow table bounded to max_flows. */
static struct pipeline *harness_pipeline(uint32_t max_flows)
{
	char errbuf[UCF_ERRBUF_SIZE];
	struct pipeline_config pc;
	memset(&pc, 0, sizeof pc);
	flow_table_config_defaults(&pc.flows);
	pc.flows.max_flows = max_flows;
	pc.db = harness_db;
	pc.out = harness_out;
	pc.tunnels = harness_tunnels;
	pc.ev = harness_ev;
	struct pipeline *pl = pipeline_create(&pc, errbuf);
	if (!pl)
		abort();
	return pl;
}
#endif
