/* incidents.h - which incident an alert line belongs to.
 *
 * Alert floods are rarely one text repeated: 1,400 failed logins differ in
 * the user name, disks fill on many hosts.  A person reads each as one
 * incident; this unit groups lines the same way, online, with the method
 * of Drain (He, Zhu, Zheng, Lyu, "Drain: An Online Log Parsing Approach
 * with Fixed Depth Tree", ICWS 2017):
 *   1. tokens are split at white space, and "key=value" into "key=" and
 *      "value"; obvious variables (numbers, hex, IPv4/IPv6 addresses,
 *      UUIDs, MAC addresses, long hex ids, very long tokens) are masked
 *      first; in the other tokens every run of hex digits holding a digit
 *      compares as "<*>" (sda1 = sdb1, session-12.scope = session-7.scope);
 *   2. a fixed-depth tree routes a line by its token count and its
 *      leading words, the first INCIDENTS_LEAD tokens that are plain words
 *      (no digit, not a path, a name in brackets, a key=value, a user@host,
 *      a host.domain or file.ext: Drain routes by the first tokens, a
 *      token with a digit as a variable), to a leaf holding a few templates;
 *   3. the most similar template of the leaf wins if the line matches
 *      enough of its positions (a constant token equal counts 1, a
 *      variable position INCIDENTS_VARIABLE_WEIGHT) to reach the
 *      similarity threshold; the positions that differ become variables
 *      ("<*>").  Otherwise the line starts a new incident.
 * Lines whose leading words differ are never one incident, whatever the
 * threshold.
 *
 * Bounded: at most maxentries incidents (the least recently seen one
 * makes room: the evict callback learns which), at most INCIDENTS_TOKENS
 * tokens of a line take part (the rest is one variable tail) and tokens
 * longer than INCIDENTS_TOKEN_MAX bytes are variables, at most
 * INCIDENTS_LEAF_MAX templates per leaf.  Deterministic: the same lines in
 * the same order give the same incidents.  Not thread-safe.
 */
#ifndef INCIDENTS_H
#define INCIDENTS_H
#include <stddef.h>
#include <stdint.h>

#include "omtw_err.h"

#define INCIDENTS_LEAD 3          /* leading words that route (Drain's depth 5) */
#define INCIDENTS_TOKENS 64       /* tokens of a line that take part */
#define INCIDENTS_TOKEN_MAX 64    /* longer tokens are variables (blobs, base64) */
#define INCIDENTS_LEAF_MAX 64     /* templates per leaf */
#define INCIDENTS_VARIABLE "<*>"
#define INCIDENTS_SIMILARITY_DEFAULT 0.5 /* measured: tests/grouping/run.sh */
#define INCIDENTS_VARIABLE_WEIGHT 0.5    /* what a variable position counts in the similarity */

typedef struct incidents_config {
	double similarity;            /* 0..1: share of a template's positions a line must match */
	size_t maxentries;            /* incidents remembered (> 0) */
	void (*evict)(void *arg, uint64_t id); /* an incident made room (may be NULL) */
	void *arg;
} incidents_config;

typedef struct incidents incidents;

typedef struct incident_match {
	uint64_t id;       /* the incident's: 1, 2, ... in order of creation, never reused */
	int is_new;        /* this line started it */
	int changed;       /* this line made its template more general */
	const char *values; /* the line's tokens at the template's variable positions,
			     * joined by one space ("" if none); valid until the next call */
} incident_match;

/* OMTW_EINVAL: maxentries 0 or similarity outside 0..1. */
omtw_err incidents_new(const incidents_config *c, incidents **out);
void incidents_free(incidents *m);
/* The incident of text[0..len) (any bytes). */
omtw_err incidents_match(incidents *m, const char *text, size_t len, incident_match *out);
/* The template of incident id ("<*>" for the variable parts, tokens joined
 * by one space) in buf (cut to size, NUL-terminated); its length, or 0 if
 * id is not remembered. */
size_t incidents_template(const incidents *m, uint64_t id, char *buf, size_t size);
/* One incident as it is saved and restored (a state file). */
typedef enum {
	INCIDENT_VARIABLE,  /* "<*>": tok NULL */
	INCIDENT_CONSTANT,  /* tok: the token as every line of it had it */
	INCIDENT_NUMBERS    /* tok: the token with its numbers, which varied, as "<*>" */
} incident_slot;
typedef struct incident_record {
	uint64_t id;
	size_t ntok;                        /* tokens of its lines */
	size_t nlead, lead[INCIDENTS_LEAD]; /* where its leading words are */
	incident_slot kind[INCIDENTS_TOKENS];
	const char *tok[INCIDENTS_TOKENS];
	/* INCIDENT_NUMBERS: how it shows while its lines agree on all but
	 * their decimal numbers ("web<*>"), NULL: "<*>" */
	const char *shown[INCIDENTS_TOKENS];
} incident_record;

/* Each incident remembered, least recently seen first (valid during cb). */
void incidents_each(const incidents *m, void (*cb)(void *arg, const incident_record *r), void *arg);
/* Remember r as the most recently seen incident (making room as a new one
 * would).  OMTW_EINVAL: r is not one incidents_each could give (an id
 * taken or 0, a token the tokenizer never makes, leading words that are
 * not constant words in order). */
omtw_err incidents_restore(incidents *m, const incident_record *r);
/* The evict callback's arg is now arg (its owner moved). */
void incidents_set_arg(incidents *m, void *arg);
/* The last id given; ids after a restore continue above it. */
uint64_t incidents_last_id(const incidents *m);
void incidents_set_last_id(incidents *m, uint64_t id);
/* Incidents remembered. */
size_t incidents_count(const incidents *m);

#endif
