/* replay_report.c - what omtwitter-replay saw, and its report (see
 * replay_report.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfastjson/json.h>

#include "omtw_err.h"
#include "replay_report.h"
#include "urls.h"

#define ALERT_TEXT_MAX 200 /* bytes of an alert's first line kept for the report */

void report_init(report *r, int urls_kept)
{
	memset(r, 0, sizeof(*r));
	r->urls_kept = urls_kept;
}

void report_free(report *r)
{
	for (size_t i = 0; i < r->nposts; i++) {
		for (size_t k = 0; k < r->posts[i].nparts; k++)
			free(r->posts[i].parts[k]);
		free(r->posts[i].parts);
	}
	free(r->posts);
	for (size_t i = 0; i < r->nalerts; i++) {
		free(r->alerts_v[i].text);
		free(r->alerts_v[i].key);
	}
	free(r->alerts_v);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	if ((nv = realloc(*v, (*cap ? *cap * 2 : 64) * size)) == NULL)
		return -1;
	*v = nv;
	*cap = *cap ? *cap * 2 : 64;
	return 0;
}

int report_part(report *r, time_t t, const char *text, size_t index, int digest)
{
	report_post *p;
	char **np, *copy = strdup(text);

	if (copy == NULL)
		goto nomem;
	if (index == 0 || r->nposts == 0) {
		if (grow((void **)&r->posts, &r->capposts, r->nposts, sizeof(*r->posts)) != 0)
			goto nomem;
		r->posts[r->nposts++] = (report_post){ t, digest, NULL, 0 };
		r->digests += digest != 0;
	}
	p = &r->posts[r->nposts - 1];
	if ((np = realloc(p->parts, (p->nparts + 1) * sizeof(*np))) == NULL)
		goto nomem;
	p->parts = np;
	p->parts[p->nparts++] = copy;
	return OMTW_OK;
nomem:
	free(copy);
	r->failed = 1;
	return OMTW_ENOMEM;
}

static size_t slotOf(const flood_ticket *id, size_t nslots)
{
	uint64_t h;

	memcpy(&h, id->id, sizeof(h)); /* the id is a hash already */
	return (size_t)(h & (nslots - 1));
}

/* The index of id among the alerts, adding it if new; -1: out of memory. */
static long find(report *r, const flood_ticket *id, int add)
{
	size_t s;

	if (add && (r->nalerts + 1) * 2 > r->nslots) { /* keep the table at most half full */
		size_t n = r->nslots ? r->nslots * 2 : 1024;
		size_t *ns = calloc(n, sizeof(*ns));
		if (ns == NULL)
			return -1;
		for (size_t i = 0; i < r->nalerts; i++) {
			for (s = slotOf(&r->alerts_v[i].id, n); ns[s]; s = (s + 1) & (n - 1))
				;
			ns[s] = i + 1;
		}
		free(r->slots);
		r->slots = ns;
		r->nslots = n;
	}
	if (r->nslots == 0)
		return -2;
	for (s = slotOf(id, r->nslots); r->slots[s]; s = (s + 1) & (r->nslots - 1))
		if (!memcmp(r->alerts_v[r->slots[s] - 1].id.id, id->id, sizeof(id->id)))
			return (long)r->slots[s] - 1;
	if (!add)
		return -2;
	if (grow((void **)&r->alerts_v, &r->capalerts, r->nalerts, sizeof(*r->alerts_v)) != 0)
		return -1;
	r->alerts_v[r->nalerts] = (report_entry){ .id = *id, .shown = -1 };
	r->slots[s] = ++r->nalerts;
	return (long)r->nalerts - 1;
}

long report_alert(report *r, const flood_ticket *id, flood_verdict v, const char *text, size_t len,
		  time_t t)
{
	static const flood_ticket zero;
	report_entry *a;
	long i;

	if (!memcmp(id, &zero, sizeof(zero))) { /* empty: refused, never admitted */
		r->refused++;
		return -1;
	}
	if ((i = find(r, id, 1)) < 0) {
		r->failed = 1;
		return -1;
	}
	a = &r->alerts_v[i];
	if (a->count++ == 0) {
		a->first = t;
		a->number = flood_incident(id) ? flood_incident(id) : (unsigned long long)i + 1;
		if ((a->text = strndup(text, len < ALERT_TEXT_MAX ? len : ALERT_TEXT_MAX)) == NULL)
			r->failed = 1;
	}
	if (v == FLOOD_POST) { /* the replay's requests always succeed: on the phone now */
		r->posted++;
		if (a->shown < 0)
			a->shown = t;
	}
	return i;
}

void report_keys(report *r, size_t (*tpl)(void *arg, const flood_ticket *id, char *buf, size_t size),
		 void *arg)
{
	char buf[FLOOD_TEXT_MAX + 1];

	for (size_t i = 0; i < r->nalerts; i++)
		if (tpl(arg, &r->alerts_v[i].id, buf, sizeof(buf)) > 0 && (r->alerts_v[i].key = strdup(buf)) == NULL)
			r->failed = 1;
}

void report_digest(report *r, const flood_digest *d, size_t named, time_t t)
{
	r->digested += d->total;
	for (size_t k = 0; k < named && k < d->nitems; k++) {
		long i = find(r, &d->items[k].id, 0);
		if (i >= 0 && r->alerts_v[i].shown < 0)
			r->alerts_v[i].shown = t;
	}
}

/* ---- the figures ---- */

typedef struct figures {
	unsigned long long parts, with_url, max24;
	time_t max24_from;
	long long p50, max;        /* delays in seconds, -1: none shown */
	const report_entry *worst;
	size_t never;              /* distinct alerts not shown by the end */
	double cost;
} figures;

static int cmpll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static int hasUrl(const char *s)
{
	url_span *spans = NULL;
	size_t n = 0;

	if (urls_find(s, strlen(s), &spans, &n) != OMTW_OK)
		return 0;
	free(spans);
	return n > 0;
}

static int figure(const report *r, figures *f)
{
	size_t np = 0, lo = 0, ns = 0;
	time_t *pt;
	long long *delays;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < r->nposts; i++)
		f->parts += r->posts[i].nparts;
	/* every part is a post (an API call); the busiest rolling 24 h */
	if ((pt = malloc((f->parts ? f->parts : 1) * sizeof(*pt))) == NULL)
		return -1;
	for (size_t i = 0; i < r->nposts; i++)
		for (size_t k = 0; k < r->posts[i].nparts; k++) {
			pt[np++] = r->posts[i].t;
			if (r->urls_kept && hasUrl(r->posts[i].parts[k]))
				f->with_url++;
		}
	for (size_t hi = 0; hi < np; hi++) { /* in time order already */
		while (pt[hi] - pt[lo] >= 86400)
			lo++;
		if (hi - lo + 1 > f->max24) {
			f->max24 = hi - lo + 1;
			f->max24_from = pt[lo];
		}
	}
	free(pt);
	f->cost = (double)(f->parts - f->with_url) * REPORT_PRICE_POST + (double)f->with_url * REPORT_PRICE_POST_URL;
	/* first line -> phone, per distinct alert */
	if ((delays = malloc((r->nalerts ? r->nalerts : 1) * sizeof(*delays))) == NULL)
		return -1;
	f->p50 = f->max = -1;
	for (size_t i = 0; i < r->nalerts; i++) {
		const report_entry *a = &r->alerts_v[i];
		if (a->shown < 0) {
			f->never++;
			continue;
		}
		delays[ns++] = (long long)(a->shown - a->first);
		if (f->worst == NULL || a->shown - a->first > f->worst->shown - f->worst->first)
			f->worst = a;
	}
	if (ns) {
		qsort(delays, ns, sizeof(*delays), cmpll);
		f->p50 = ns % 2 ? delays[ns / 2] : (delays[ns / 2 - 1] + delays[ns / 2]) / 2;
		f->max = delays[ns - 1];
	}
	free(delays);
	return 0;
}

static void iso(time_t t, char *out, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void duration(long long s, char *out, size_t size)
{
	if (s < 60)
		snprintf(out, size, "%lld s", s);
	else if (s < 3600)
		snprintf(out, size, "%lld min %02lld s", s / 60, s % 60);
	else
		snprintf(out, size, "%lld h %02lld min", s / 3600, s / 60 % 60);
}

int report_text(report *r, FILE *out)
{
	figures f;
	char when[32], d1[32], d2[32];

	if (figure(r, &f) != 0)
		return 1;
	for (size_t i = 0; i < r->nposts; i++) {
		const report_post *p = &r->posts[i];
		iso(p->t, when, sizeof(when));
		fprintf(out, "%s %-6s  %s\n", when, p->digest ? "digest" : "alert", p->parts[0]);
		for (size_t k = 1; k < p->nparts; k++)
			fprintf(out, "%*s%s\n", (int)strlen(when) + 9, "", p->parts[k]);
	}
	fprintf(out, "\nlines read               %llu", r->lines);
	if (r->bad)
		fprintf(out, " (%llu without a time stamp, skipped)", r->bad);
	fprintf(out, "\nalerts                   %llu (%zu %s)\n", r->alerts, r->nalerts,
		r->incidents ? (r->nalerts == 1 ? "incident" : "incidents") : "distinct");
	fprintf(out, "posts (API calls)        %llu: %llu alert%s, %llu digest%s", f.parts,
		r->posted, r->posted == 1 ? "" : "s", r->digests, r->digests == 1 ? "" : "s");
	if (f.parts > r->posted + r->digests)
		fputs(" (a thread is a post per part)", out);
	fprintf(out, "\nalerts posted themselves %llu\n", r->posted);
	fprintf(out, "alerts in digests        %llu\n", r->digested);
	fprintf(out, "alerts held at the end   %llu\n", r->held);
	if (r->refused)
		fprintf(out, "alerts refused (empty)   %llu\n", r->refused);
	if (r->posted + r->digested + r->held + r->refused != r->alerts)
		fprintf(out, "WARNING: these do not add up to the %llu alerts\n", r->alerts);
	iso(f.max24_from, when, sizeof(when));
	fprintf(out, "busiest rolling 24 h     %llu post%s", f.max24, f.max24 == 1 ? "" : "s");
	if (f.max24)
		fprintf(out, " (from %s)", when);
	fprintf(out, "\nfirst line -> phone      %zu of %zu %s shown", r->nalerts - f.never, r->nalerts,
		r->incidents ? "incidents" : "distinct alerts");
	if (f.p50 >= 0) {
		duration(f.p50, d1, sizeof(d1));
		duration(f.max, d2, sizeof(d2));
		fprintf(out, ": median %s, max %s (\"%s\")", d1, d2, f.worst->text);
	}
	fprintf(out, "\nestimated cost           $%.2f (%llu post%s at $%.3f", f.cost, f.parts - f.with_url,
		f.parts - f.with_url == 1 ? "" : "s", REPORT_PRICE_POST);
	if (f.with_url)
		fprintf(out, ", %llu with a URL at $%.2f", f.with_url, REPORT_PRICE_POST_URL);
	fprintf(out, "; X pay-per-use prices of %s)\n", REPORT_PRICE_DATE);
	return ferror(out) ? 1 : 0;
}

/* A JSON string, escaped by libfastjson. */
static void jstr(FILE *out, const char *s)
{
	struct json_object *o = json_object_new_string(s);

	fputs(o ? json_object_to_json_string(o) : "null", out);
	json_object_put(o);
}

static void jtime(FILE *out, time_t t)
{
	char when[32];

	if (t < 0) {
		fputs("null", out);
		return;
	}
	iso(t, when, sizeof(when));
	fprintf(out, "\"%s\"", when);
}

int report_json(report *r, FILE *out)
{
	figures f;

	if (figure(r, &f) != 0)
		return 1;
	fputs("{\"posts\":[", out);
	for (size_t i = 0; i < r->nposts; i++) {
		const report_post *p = &r->posts[i];
		fprintf(out, "%s\n{\"time\":", i ? "," : "");
		jtime(out, p->t);
		fprintf(out, ",\"kind\":\"%s\",\"parts\":[", p->digest ? "digest" : "alert");
		for (size_t k = 0; k < p->nparts; k++) {
			if (k)
				fputc(',', out);
			jstr(out, p->parts[k]);
		}
		fputs("]}", out);
	}
	fputs("],\n\"alerts\":[", out);
	for (size_t i = 0; i < r->nalerts; i++) {
		const report_entry *a = &r->alerts_v[i];
		fprintf(out, "%s\n{\"id\":%llu,\"key\":", i ? "," : "", a->number);
		jstr(out, a->key ? a->key : a->text ? a->text : "");
		fputs(",\"first\":", out);
		jtime(out, a->first);
		fprintf(out, ",\"count\":%llu,\"shown\":", a->count);
		jtime(out, a->shown);
		fputc('}', out);
	}
	fprintf(out, "],\n\"summary\":{\"lines\":%llu,\"bad\":%llu,\"alerts\":%llu,\"distinct\":%zu,"
		"\"posts\":%llu,\"digests\":%llu,\"posted\":%llu,\"digested\":%llu,\"held\":%llu,"
		"\"refused\":%llu,\"max_posts_24h\":%llu,\"never_shown\":%zu,",
		r->lines, r->bad, r->alerts, r->nalerts, f.parts, r->digests, r->posted, r->digested,
		r->held, r->refused, f.max24, f.never);
	if (f.p50 >= 0)
		fprintf(out, "\"delay_p50_s\":%lld,\"delay_max_s\":%lld,", f.p50, f.max);
	else
		fputs("\"delay_p50_s\":null,\"delay_max_s\":null,", out);
	fprintf(out, "\"cost_usd\":%.3f,\"prices_of\":\"%s\"}}\n", f.cost, REPORT_PRICE_DATE);
	return ferror(out) ? 1 : 0;
}
