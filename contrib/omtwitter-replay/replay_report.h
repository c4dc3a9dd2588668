/* replay_report.h - what omtwitter-replay saw: the posts the engine made
 * and the distinct alerts, and how it reports them (a timeline and a
 * summary, or one JSON document).
 */
#ifndef REPLAY_REPORT_H
#define REPLAY_REPORT_H
#include <stdio.h>
#include <time.h>

#include "flood.h"

/* X's pay-per-use prices (xapi.md, as of 2026-04-20), for the estimate */
#define REPORT_PRICE_DATE "2026-04-20"
#define REPORT_PRICE_POST 0.015
#define REPORT_PRICE_POST_URL 0.20

typedef struct report_post {
	time_t t;
	int digest;
	char **parts;
	size_t nparts;
} report_post;

typedef struct report_entry {
	flood_ticket id;
	unsigned long long number; /* its incident's id, or its place among the alerts (from 1) */
	char *text;              /* its first line's text */
	char *key;               /* its incident's template (report_keys), or NULL */
	time_t first, shown;     /* shown -1: not on the phone yet */
	unsigned long long count;
} report_entry;

typedef struct report {
	unsigned long long lines, bad, alerts, refused, posted, digested, held;
	int urls_kept;           /* urls="keep": a URL in a post is a link (and costs more) */
	int incidents;           /* alerts are grouped into incidents (the wording) */
	int failed;              /* out of memory */
	report_post *posts;
	size_t nposts, capposts;
	unsigned long long digests;
	report_entry *alerts_v;  /* in order of first appearance */
	size_t nalerts, capalerts;
	size_t *slots;           /* hash table of alerts_v indexes + 1 */
	size_t nslots;
} report;

void report_init(report *r, int urls_kept);
void report_free(report *r);
/* The recorder's part (index 0 begins a post); 0 or OMTW_ENOMEM. */
int report_part(report *r, time_t t, const char *text, size_t index, int digest);
/* An alert was admitted: its index among the distinct alerts (from 0), or
 * -1 for one never admitted (empty: refused).  alerts_v[index].number is
 * the id --assign writes. */
long report_alert(report *r, const flood_ticket *id, flood_verdict v, const char *text, size_t len,
		  time_t t);
/* Each incident's template, for the report (tpl: the engine's). */
void report_keys(report *r, size_t (*tpl)(void *arg, const flood_ticket *id, char *buf, size_t size),
		 void *arg);
/* A digest went out naming the first `named` of its items. */
void report_digest(report *r, const flood_digest *d, size_t named, time_t t);
/* 0, or 1 when the output could not be written. */
int report_text(report *r, FILE *out);
int report_json(report *r, FILE *out);

#endif
