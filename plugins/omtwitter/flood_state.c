/* flood_state.c - flood state to and from its file (JSON, libfastjson).
 *
 * {"format":"omtwitter-flood-state","version":1,"saved":T,
 *  "period_start":T,"blocked_until":T,"others":[alerts,distinct],
 *  "local":[T,...],"daily":[T,...],"server":[[remaining,reset],x3],
 *  "entries":[["hex id","text",window_end,pending(,{"values":[["value",N],...],
 *             "shown":T,"seen":T,"total":N(,"quiet_told":1)})],...],
 *      oldest first; values: an incident's; shown: last on the phone (0:
 *      not in this episode), seen: its last alert, total: its alerts in
 *      the episode; quiet_told: a digest said it went quiet
 *  "next_check":T   a digest interval closed without news: the next close
 *  "others_since":T the counts of evicted alerts wait since then
 *  "pace":[thousandths of a post, T]   pacing's tokens, as of T
 *  "incidents":{"last":N,"list":[[id,ntok,[lead positions],[slot,...]],...]},
 *      the incidents of the entries written (FLOOD_GROUP_TEMPLATE), least
 *      recently seen first; a slot is null (a variable), "token" (a
 *      constant) or ["token with <*>"(,"shown")] (its numbers vary)
 *  "posting":[["hex id",next,nparts,"last id"(,until)],...],
 *  "digest_posting":[next,nparts,"last id",{"from":T,"to":T,"total":N,
 *    "distinct":N,"others":[N,N],"maxposts":N(,"incidents":1),
 *    "items":[["text",N(,quiet since T,N in all)],...],
 *    "taken":[["hex id",N(,1: quiet)],...]}]}            only while a digest is out:
 *  after a restart that digest goes out again, unchanged, before any other
 *
 * Entries that neither hold a count nor an open dedup window nor a post in
 * progress are not written: they no longer change any decision.  The
 * window of an alert still being posted is written as closed (see
 * flood_posted), and "posting" says how far its post got: after a restart
 * the part after them may have reached X already, and a thread continues
 * as replies to the last part.  (A loader without "posting" ignores it.)
 * Loading validates every field before anything is used; the file is
 * never trusted.  A file without "incidents" or values (saved before
 * incidents, or with group="exact") loads: its entries keep their counts
 * and go out in the next digest under their text.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfastjson/json.h>

#include "atomicfile.h"
#include "flood_impl.h"

#define STATE_FORMAT "omtwitter-flood-state"
#define STATE_VERSION 1
#define STATE_MAX_BYTES FLOOD_STATE_MAX_BYTES

static struct fjson_object *stamps_json(const stamps *s)
{
	struct fjson_object *a = fjson_object_new_array();

	for (size_t i = 0; a && i < s->n; i++)
		fjson_object_array_add(a, fjson_object_new_int64((int64_t)s->t[(s->head + i) % s->cap]));
	return a;
}

static struct fjson_object *pair(long long a, long long b)
{
	struct fjson_object *o = fjson_object_new_array();

	if (o) {
		fjson_object_array_add(o, fjson_object_new_int64(a));
		fjson_object_array_add(o, fjson_object_new_int64(b));
	}
	return o;
}

static struct fjson_object *digest_json(const flood_digest *d)
{
	struct fjson_object *o = fjson_object_new_object(), *items, *taken;

	if (o == NULL)
		return NULL;
	fjson_object_object_add(o, "from", fjson_object_new_int64((int64_t)d->from));
	fjson_object_object_add(o, "to", fjson_object_new_int64((int64_t)d->to));
	fjson_object_object_add(o, "total", fjson_object_new_int64((int64_t)d->total));
	fjson_object_object_add(o, "distinct", fjson_object_new_int64((int64_t)d->distinct));
	fjson_object_object_add(o, "others", pair((long long)d->others, (long long)d->others_distinct));
	fjson_object_object_add(o, "maxposts", fjson_object_new_int(d->maxposts));
	if (d->incidents) /* its text says so: the same text goes out again */
		fjson_object_object_add(o, "incidents", fjson_object_new_int(1));
	items = fjson_object_new_array();
	for (size_t i = 0; items && i < d->nitems; i++) {
		struct fjson_object *a = fjson_object_new_array();
		if (a == NULL)
			break;
		fjson_object_array_add(a, fjson_object_new_string(d->items[i].text));
		fjson_object_array_add(a, fjson_object_new_int64((int64_t)d->items[i].count));
		if (d->items[i].quiet) { /* its text says so: the same text goes out again */
			fjson_object_array_add(a, fjson_object_new_int64((int64_t)d->items[i].quiet));
			fjson_object_array_add(a, fjson_object_new_int64((int64_t)d->items[i].total));
		}
		fjson_object_array_add(items, a);
	}
	fjson_object_object_add(o, "items", items);
	taken = fjson_object_new_array();
	for (size_t i = 0; taken && i < d->ntaken; i++) {
		char hex[2 * FLOOD_ID_LEN + 1];
		struct fjson_object *a = fjson_object_new_array();
		if (a == NULL)
			break;
		for (int k = 0; k < FLOOD_ID_LEN; k++)
			sprintf(hex + 2 * k, "%02x", d->taken[i].id[k]);
		fjson_object_array_add(a, fjson_object_new_string(hex));
		fjson_object_array_add(a, fjson_object_new_int64((int64_t)d->taken[i].count));
		if (d->taken[i].quiet)
			fjson_object_array_add(a, fjson_object_new_int(1));
		fjson_object_array_add(taken, a);
	}
	fjson_object_object_add(o, "taken", taken);
	return o;
}

static int in_flight(const fentry *x, time_t now)
{
	return x->unconfirmed || (x->post && (x->post->p.next < x->post->p.nparts || x->post->until > now));
}

/* Is x written?  Not when it no longer changes any decision: no count, no
 * open dedup window, no post in progress. */
static int written(const fentry *x, time_t now)
{
	time_t window_end = x->unconfirmed ? 0 : x->window_end;

	/* (one shown that may yet go quiet is kept until a digest says so) */
	return x->pending > 0 || window_end > now || in_flight(x, now) ||
	       (x->shown_at != 0 && x->total > 1 && !x->quiet_told);
}

static struct fjson_object *values_json(const fvalues *v)
{
	struct fjson_object *a = fjson_object_new_array();

	for (size_t i = 0; a && i < v->n; i++) {
		struct fjson_object *p = fjson_object_new_array();
		if (p == NULL)
			break;
		fjson_object_array_add(p, fjson_object_new_string(v->kept[i].v));
		fjson_object_array_add(p, fjson_object_new_int64((int64_t)v->kept[i].count));
		fjson_object_array_add(a, p);
	}
	return a;
}

struct save_incidents {
	const flood *f;
	time_t now;
	struct fjson_object *list;
	size_t skip;                  /* the least recent to leave out (the size bound) */
	unsigned long long bytes;     /* what the others may take at most */
	int failed;
};

/* The incident of an entry that is written is written too (whatever its
 * size: a thread cut by a stop resumes only if its line finds its incident
 * again); *bytes: at most its JSON. */
static int incident_written(struct save_incidents *si, const incident_record *r, unsigned long long *bytes)
{
	unsigned char id[FLOOD_ID_LEN];
	const fentry *e;

	flood_incident_ticket(r->id, id);
	if ((e = flood_find((flood *)si->f, id)) == NULL || !written(e, si->now))
		return 0;
	*bytes = 96;
	for (size_t i = 0; i < r->ntok; i++) /* escaped, at worst 6 bytes a byte, quoted */
		*bytes += (r->tok[i] ? 6 * strlen(r->tok[i]) : 4) + 8;
	return 1;
}

/* First pass: their size. */
static void size_incident(void *arg, const incident_record *r)
{
	struct save_incidents *si = arg;
	unsigned long long b;

	if (incident_written(si, r, &b))
		si->bytes += b;
}

/* Second: how many of the least recent to leave out so that the rest fit
 * FLOOD_INCIDENTS_JSON_MAX (never, in practice: ~1 KB an incident). */
static void trim_incident(void *arg, const incident_record *r)
{
	struct save_incidents *si = arg;
	unsigned long long b;

	if (si->bytes > FLOOD_INCIDENTS_JSON_MAX && incident_written(si, r, &b)) {
		si->bytes -= b;
		si->skip++;
	}
}

static void save_incident(void *arg, const incident_record *r)
{
	struct save_incidents *si = arg;
	struct fjson_object *a, *lead, *toks;
	unsigned long long b;

	if (si->failed || !incident_written(si, r, &b))
		return;
	if (si->skip > 0) {
		si->skip--;
		return;
	}
	a = fjson_object_new_array();
	lead = fjson_object_new_array();
	toks = fjson_object_new_array();
	if (a == NULL || lead == NULL || toks == NULL) {
		fjson_object_put(a);
		fjson_object_put(lead);
		fjson_object_put(toks);
		si->failed = 1;
		return;
	}
	fjson_object_array_add(a, fjson_object_new_int64((int64_t)r->id));
	fjson_object_array_add(a, fjson_object_new_int64((int64_t)r->ntok));
	for (size_t k = 0; k < r->nlead; k++)
		fjson_object_array_add(lead, fjson_object_new_int64((int64_t)r->lead[k]));
	fjson_object_array_add(a, lead);
	for (size_t i = 0; i < r->ntok; i++) {
		struct fjson_object *t = NULL;
		if (r->kind[i] == INCIDENT_CONSTANT) {
			t = fjson_object_new_string(r->tok[i]);
		} else if (r->kind[i] == INCIDENT_NUMBERS && (t = fjson_object_new_array()) != NULL) {
			fjson_object_array_add(t, fjson_object_new_string(r->tok[i]));
			if (r->shown[i])
				fjson_object_array_add(t, fjson_object_new_string(r->shown[i]));
		}
		if (t == NULL && r->kind[i] != INCIDENT_VARIABLE)
			si->failed = 1;
		fjson_object_array_add(toks, t); /* NULL: null, a variable */
	}
	fjson_object_array_add(a, toks);
	fjson_object_array_add(si->list, a);
}

omtw_err flood_state_json(const flood *f, time_t now, char **out)
{
	struct fjson_object *o = fjson_object_new_object(), *srv, *ents, *posting;
	const char *s;
	omtw_err e = OMTW_ENOMEM;

	*out = NULL;
	if (o == NULL)
		goto out;
	fjson_object_object_add(o, "format", fjson_object_new_string(STATE_FORMAT));
	fjson_object_object_add(o, "version", fjson_object_new_int(STATE_VERSION));
	fjson_object_object_add(o, "saved", fjson_object_new_int64((int64_t)now));
	fjson_object_object_add(o, "period_start", fjson_object_new_int64((int64_t)f->period_start));
	fjson_object_object_add(o, "blocked_until", fjson_object_new_int64((int64_t)f->blocked_until));
	if (f->next_check)
		fjson_object_object_add(o, "next_check", fjson_object_new_int64((int64_t)f->next_check));
	if (f->cfg.pace && f->cfg.budget_daily > 1) /* pacing: thousandths of a post, and when */
		fjson_object_object_add(o, "pace", pair((long long)(f->tokens * 1000), (long long)f->tokens_at));
	if (f->others)
		fjson_object_object_add(o, "others_since", fjson_object_new_int64((int64_t)f->others_since));
	fjson_object_object_add(o, "others", pair((long long)f->others, (long long)f->others_distinct));
	fjson_object_object_add(o, "local", stamps_json(&f->local));
	fjson_object_object_add(o, "daily", stamps_json(&f->daily));
	srv = fjson_object_new_array();
	for (int i = 0; srv && i < FLOOD_SRV_N; i++)
		fjson_object_array_add(srv, pair(f->server[i].remaining, f->server[i].reset));
	fjson_object_object_add(o, "server", srv);
	ents = fjson_object_new_array();
	fjson_object_object_add(o, "entries", ents);
	posting = fjson_object_new_array();
	fjson_object_object_add(o, "posting", posting);
	for (const fentry *x = f->oldest; ents && posting && x; x = x->newer) {
		char hex[2 * FLOOD_ID_LEN + 1];
		struct fjson_object *a;
		int inflight = in_flight(x, now);
		time_t window_end = x->unconfirmed ? 0 : x->window_end;

		if (!written(x, now))
			continue;
		for (int i = 0; i < FLOOD_ID_LEN; i++)
			sprintf(hex + 2 * i, "%02x", x->id[i]);
		if ((a = fjson_object_new_array()) == NULL)
			goto out;
		fjson_object_array_add(a, fjson_object_new_string(hex));
		fjson_object_array_add(a, fjson_object_new_string(x->text));
		fjson_object_array_add(a, fjson_object_new_int64((int64_t)window_end));
		fjson_object_array_add(a, fjson_object_new_int64((int64_t)x->pending));
		if ((x->values && x->values->n) || x->shown_at || x->total || x->last_seen) {
			struct fjson_object *ep = fjson_object_new_object();
			if (ep == NULL)
				goto out;
			if (x->values && x->values->n)
				fjson_object_object_add(ep, "values", values_json(x->values));
			fjson_object_object_add(ep, "shown", fjson_object_new_int64((int64_t)x->shown_at));
			fjson_object_object_add(ep, "seen", fjson_object_new_int64((int64_t)x->last_seen));
			fjson_object_object_add(ep, "total", fjson_object_new_int64((int64_t)x->total));
			if (x->quiet_told)
				fjson_object_object_add(ep, "quiet_told", fjson_object_new_int(1));
			fjson_object_array_add(a, ep);
		}
		fjson_object_array_add(ents, a);
		if (!inflight)
			continue;
		if ((a = fjson_object_new_array()) == NULL)
			goto out;
		fjson_object_array_add(a, fjson_object_new_string(hex));
		fjson_object_array_add(a, fjson_object_new_int(x->post ? x->post->p.next : 0));
		fjson_object_array_add(a, fjson_object_new_int(x->post ? x->post->p.nparts : 0));
		fjson_object_array_add(a, fjson_object_new_string(x->post ? x->post->p.last_id : ""));
		if (x->post && x->post->until) /* posted, without a dedup window */
			fjson_object_array_add(a, fjson_object_new_int64((int64_t)x->post->until));
		fjson_object_array_add(posting, a);
	}
	if (ents == NULL || posting == NULL)
		goto out;
	if (f->miner) {
		struct save_incidents si = { f, now, fjson_object_new_array(), 0, 0, 0 };
		struct fjson_object *inc = fjson_object_new_object();
		incidents_each(f->miner, size_incident, &si);
		incidents_each(f->miner, trim_incident, &si);
		if (si.list)
			incidents_each(f->miner, save_incident, &si);
		if (inc == NULL || si.list == NULL || si.failed) {
			fjson_object_put(inc);
			fjson_object_put(si.list);
			goto out;
		}
		fjson_object_object_add(inc, "last", fjson_object_new_int64((int64_t)incidents_last_id(f->miner)));
		fjson_object_object_add(inc, "list", si.list);
		fjson_object_object_add(o, "incidents", inc);
	}
	if (f->digest_post) {
		struct fjson_object *a = fjson_object_new_array();
		if (a == NULL)
			goto out;
		fjson_object_array_add(a, fjson_object_new_int(f->digest_post->p.next));
		fjson_object_array_add(a, fjson_object_new_int(f->digest_post->p.nparts));
		fjson_object_array_add(a, fjson_object_new_string(f->digest_post->p.last_id));
		if (f->inflight)
			fjson_object_array_add(a, digest_json(f->inflight));
		fjson_object_object_add(o, "digest_posting", a);
	}
	if ((s = fjson_object_to_json_string_ext(o, FJSON_TO_STRING_PLAIN)) != NULL &&
	    (*out = strdup(s)) != NULL)
		e = OMTW_OK;
out:
	fjson_object_put(o);
	return e;
}

omtw_err flood_state_write(const char *path, const char *json, char *err, size_t errlen)
{
	return atomicfile_write(path, json, strlen(json), 0600, (uid_t)-1, (gid_t)-1, 1, err, errlen);
}

omtw_err flood_save(const flood *f, const char *path, char *err, size_t errlen)
{
	char *s = NULL;
	omtw_err e = flood_state_json(f, time(NULL), &s);

	if (e == OMTW_OK)
		e = flood_state_write(path, s, err, errlen);
	else
		omtw_errmsg(err, errlen, "out of memory while saving the flood state");
	free(s);
	return e;
}

/* ---- loading ---- */

/* Bounds that keep all later arithmetic far from overflow: times up to the
 * year 9999, counts up to 10^12 per alert (10^18 in a full table). */
#define T_MAX 253402300799LL
#define COUNT_MAX 1000000000000LL

static int get_i64(struct fjson_object *o, long long min, long long max, long long *v)
{
	if (o == NULL || !fjson_object_is_type(o, fjson_type_int))
		return 0;
	*v = (long long)fjson_object_get_int64(o);
	return *v >= min && *v <= max;
}

static struct fjson_object *field(struct fjson_object *o, const char *k, fjson_type t)
{
	struct fjson_object *v = NULL;

	if (!fjson_object_object_get_ex(o, k, &v) || !fjson_object_is_type(v, t))
		return NULL;
	return v;
}

/* A time in the file later than now + max (a clock that was ahead when it
 * was saved, or a VM restored from the future) becomes now + max: a budget
 * spent "in the future" must not block posts longer than it would now. */
static time_t clamp(long long t, time_t now, long max)
{
	return t > (long long)now + max ? now + max : (time_t)t;
}

static int load_stamps(struct fjson_object *a, stamps *s, time_t now)
{
	size_t n = (size_t)fjson_object_array_length(a);

	for (size_t i = 0; i < n; i++) {
		long long t;
		if (!get_i64(fjson_object_array_get_idx(a, i), 0, T_MAX, &t))
			return 0;
		stamps_push(s, clamp(t, now, 0)); /* a smaller budget keeps the newest */
	}
	return 1;
}

static int unhex(const char *h, unsigned char *out)
{
	if (strlen(h) != 2 * FLOOD_ID_LEN)
		return 0;
	for (int i = 0; i < FLOOD_ID_LEN; i++) {
		unsigned v;
		if (sscanf(h + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdef", h[2 * i]) ||
		    !strchr("0123456789abcdef", h[2 * i + 1]))
			return 0;
		out[i] = (unsigned char)v;
	}
	return 1;
}

/* A post id as X gives it: 1 to 19 digits (kept as text). */
static int post_id_ok(const char *s, size_t len)
{
	if (len >= FLOOD_POST_ID_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* [next, nparts, "last id"] from x's elements at i.. into a new *pp:
 * next <= nparts <= FLOOD_PARTS_MAX, an id only after a posted part. */
static int load_progress(struct fjson_object *x, size_t i, fposting **pp, const char **why)
{
	struct fjson_object *s = fjson_object_array_get_idx(x, i + 2);
	long long next, n;

	if (*pp != NULL || !get_i64(fjson_object_array_get_idx(x, i + 1), 0, FLOOD_PARTS_MAX, &n) ||
	    !get_i64(fjson_object_array_get_idx(x, i), 0, n, &next) ||
	    !fjson_object_is_type(s, fjson_type_string) ||
	    !post_id_ok(fjson_object_get_string(s), (size_t)fjson_object_get_string_len(s)) ||
	    (next == 0 && fjson_object_get_string_len(s) > 0))
		return 0;
	if ((*pp = calloc(1, sizeof(**pp))) == NULL) {
		*why = "out of memory";
		return 0;
	}
	(*pp)->p.next = (int)next;
	(*pp)->p.nparts = (int)n;
	strcpy((*pp)->p.last_id, fjson_object_get_string(s));
	(*pp)->loaded = 1;
	return 1;
}

/* The digest that was going out: every field checked, counts as in the
 * entries' bounds.  Partly filled on failure (the caller frees it). */
static int load_digest(struct fjson_object *o, time_t now, flood_digest *d)
{
	struct fjson_object *v, *items, *taken;
	long long a, b;

	if (!fjson_object_is_type(o, fjson_type_object) ||
	    !get_i64(field(o, "from", fjson_type_int), 0, T_MAX, &a) ||
	    !get_i64(field(o, "to", fjson_type_int), a, T_MAX, &b))
		return 0;
	d->from = clamp(a, now, 0);
	d->to = clamp(b, now, 0);
	if (!get_i64(field(o, "total", fjson_type_int), 0, COUNT_MAX * FLOOD_ENTRIES_MAX, &a))
		return 0;
	d->total = (unsigned long long)a;
	if (!get_i64(field(o, "distinct", fjson_type_int), 0, COUNT_MAX * FLOOD_ENTRIES_MAX, &a))
		return 0;
	d->distinct = (unsigned long long)a;
	if ((v = field(o, "others", fjson_type_array)) == NULL || fjson_object_array_length(v) != 2 ||
	    !get_i64(fjson_object_array_get_idx(v, 0), 0, COUNT_MAX, &a) ||
	    !get_i64(fjson_object_array_get_idx(v, 1), 0, a, &b))
		return 0;
	d->others = (unsigned long long)a;
	d->others_distinct = (unsigned long long)b;
	if (!get_i64(field(o, "maxposts", fjson_type_int), 1, FLOOD_PARTS_MAX, &a))
		return 0;
	d->maxposts = (int)a;
	if ((v = field(o, "incidents", fjson_type_int)) != NULL) {
		if (!get_i64(v, 0, 1, &a))
			return 0;
		d->incidents = (int)a;
	}
	if ((items = field(o, "items", fjson_type_array)) == NULL ||
	    (taken = field(o, "taken", fjson_type_array)) == NULL ||
	    (size_t)fjson_object_array_length(taken) > FLOOD_ENTRIES_MAX ||
	    (size_t)fjson_object_array_length(items) > (size_t)fjson_object_array_length(taken))
		return 0;
	size_t ni = (size_t)fjson_object_array_length(items), nt = (size_t)fjson_object_array_length(taken);
	if ((ni && (d->items = calloc(ni, sizeof(*d->items))) == NULL) ||
	    (nt && (d->taken = calloc(nt, sizeof(*d->taken))) == NULL))
		return 0;
	for (; d->nitems < ni; d->nitems++) {
		struct fjson_object *x = fjson_object_array_get_idx(items, d->nitems), *s;
		long long q = 0, tot = 0;
		size_t len = fjson_object_is_type(x, fjson_type_array) ? (size_t)fjson_object_array_length(x) : 0;
		/* a row that only says an alert went quiet has no count */
		if ((len != 2 && len != 4) ||
		    !fjson_object_is_type(s = fjson_object_array_get_idx(x, 0), fjson_type_string) ||
		    fjson_object_get_string_len(s) > FLOOD_TEXT_MAX ||
		    !get_i64(fjson_object_array_get_idx(x, 1), len == 4 ? 0 : 1, COUNT_MAX, &a) ||
		    (len == 4 && (!get_i64(fjson_object_array_get_idx(x, 2), 1, T_MAX, &q) ||
				  !get_i64(fjson_object_array_get_idx(x, 3), 2, COUNT_MAX, &tot))) ||
		    (d->items[d->nitems].text = strdup(fjson_object_get_string(s))) == NULL)
			return 0;
		d->items[d->nitems].count = (unsigned long long)a;
		d->items[d->nitems].quiet = (time_t)q;
		/* "in all" below the row's count: repaired as an entry's total */
		d->items[d->nitems].total = (unsigned long long)(tot > a || len != 4 ? tot : a);
	}
	for (; d->ntaken < nt; d->ntaken++) {
		struct fjson_object *x = fjson_object_array_get_idx(taken, d->ntaken), *h;
		long long q = 0;
		size_t len = fjson_object_is_type(x, fjson_type_array) ? (size_t)fjson_object_array_length(x) : 0;
		if ((len != 2 && len != 3) ||
		    !fjson_object_is_type(h = fjson_object_array_get_idx(x, 0), fjson_type_string) ||
		    !unhex(fjson_object_get_string(h), d->taken[d->ntaken].id) ||
		    !get_i64(fjson_object_array_get_idx(x, 1), len == 3 ? 0 : 1, COUNT_MAX, &a) ||
		    (len == 3 && !get_i64(fjson_object_array_get_idx(x, 2), 1, 1, &q)))
			return 0;
		d->taken[d->ntaken].count = (unsigned long long)a;
		d->taken[d->ntaken].quiet = (int)q;
	}
	return 1;
}

/* "posting": alerts being posted when the state was saved, each one of
 * the listed alerts; "digest_posting": the digest then being posted. */
static int load_posting(flood *t, struct fjson_object *o, time_t now, const char **why)
{
	struct fjson_object *ps, *x;

	*why = "malformed state (posting)";
	if ((x = field(o, "digest_posting", fjson_type_array)) != NULL &&
	    (fjson_object_array_length(x) < 3 || fjson_object_array_length(x) > 4 ||
	     !load_progress(x, 0, &t->digest_post, why)))
		return 0;
	if (x != NULL && fjson_object_array_length(x) == 4) {
		*why = "malformed state (the digest being posted)";
		if ((t->inflight = calloc(1, sizeof(*t->inflight))) == NULL ||
		    !load_digest(fjson_object_array_get_idx(x, 3), now, t->inflight))
			return 0;
		t->inflight_loaded = 1;
		*why = "malformed state (posting)";
	}
	if ((ps = field(o, "posting", fjson_type_array)) == NULL)
		return 1;
	for (size_t i = 0; i < (size_t)fjson_object_array_length(ps); i++) {
		struct fjson_object *h;
		unsigned char id[FLOOD_ID_LEN];
		fentry *e;

		long long until = 0;

		x = fjson_object_array_get_idx(ps, i);
		if (!fjson_object_is_type(x, fjson_type_array) || fjson_object_array_length(x) < 4 ||
		    fjson_object_array_length(x) > 5 ||
		    !fjson_object_is_type(h = fjson_object_array_get_idx(x, 0), fjson_type_string) ||
		    !unhex(fjson_object_get_string(h), id) || (e = flood_find(t, id)) == NULL ||
		    !load_progress(x, 1, &e->post, why))
			return 0;
		/* until: only for a finished post */
		if (fjson_object_array_length(x) == 5 &&
		    (!get_i64(fjson_object_array_get_idx(x, 4), 1, T_MAX, &until) ||
		     e->post->p.next != e->post->p.nparts))
			return 0;
		e->post->until = clamp(until, now, FLOOD_REPLAY_GRACE);
	}
	return 1;
}

/* An incident's values: [["value",N],...], distinct, not more than its count. */
static int load_values(struct fjson_object *a, fentry *e, const char **why)
{
	size_t n;
	unsigned long long sum = 0;
	fvalues *v;

	if (!fjson_object_is_type(a, fjson_type_array) || (n = (size_t)fjson_object_array_length(a)) > FLOOD_VALUES_KEPT)
		return 0;
	if (n == 0)
		return 1;
	if ((v = e->values = calloc(1, sizeof(*v))) == NULL) {
		*why = "out of memory";
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct fjson_object *p = fjson_object_array_get_idx(a, i), *str;
		long long c;
		size_t len;
		if (!fjson_object_is_type(p, fjson_type_array) || fjson_object_array_length(p) != 2 ||
		    !fjson_object_is_type(str = fjson_object_array_get_idx(p, 0), fjson_type_string) ||
		    (len = (size_t)fjson_object_get_string_len(str)) == 0 || len > FLOOD_VALUE_MAX ||
		    strlen(fjson_object_get_string(str)) != len ||
		    !get_i64(fjson_object_array_get_idx(p, 1), 1, COUNT_MAX, &c))
			return 0;
		for (size_t j = 0; j < v->n; j++)
			if (strcmp(v->kept[j].v, fjson_object_get_string(str)) == 0)
				return 0;
		memcpy(v->kept[v->n].v, fjson_object_get_string(str), len + 1);
		v->kept[v->n++].count = (unsigned long long)c;
		sum += (unsigned long long)c;
	}
	return sum <= e->pending;
}

/* A string without a NUL inside (which would pass as a shorter token). */
static int whole(struct fjson_object *o)
{
	return fjson_object_is_type(o, fjson_type_string) &&
	       strlen(fjson_object_get_string(o)) == (size_t)fjson_object_get_string_len(o);
}

/* An entry's episode: {"values":[...],"shown":T,"seen":T,"total":N(,"quiet_told":1)}
 * (T 0: never; total at least its count). */
static int load_episode(struct fjson_object *o, fentry *e, time_t now, const char **why)
{
	struct fjson_object *v;
	long long a;

	if (!fjson_object_is_type(o, fjson_type_object))
		return 0;
	if ((v = field(o, "values", fjson_type_array)) != NULL && !load_values(v, e, why))
		return 0;
	if (!get_i64(field(o, "shown", fjson_type_int), 0, T_MAX, &a))
		return 0;
	e->shown_at = a ? clamp(a, now, 0) : 0;
	if (!get_i64(field(o, "seen", fjson_type_int), 0, T_MAX, &a))
		return 0;
	e->last_seen = clamp(a, now, 0);
	/* below pending in files saved before 2026-12-04 (a new episode
	 * started at 0 while counts waited): repaired, not refused */
	if (!get_i64(field(o, "total", fjson_type_int), 0, COUNT_MAX, &a))
		return 0;
	e->total = (unsigned long long)a > e->pending ? (unsigned long long)a : e->pending;
	if ((v = field(o, "quiet_told", fjson_type_int)) != NULL) {
		if (!get_i64(v, 0, 1, &a))
			return 0;
		e->quiet_told = (int)a;
	}
	return 1;
}

/* The incidents: every record as incidents_restore checks it. */
static int load_incidents(flood *t, struct fjson_object *o, const char **why)
{
	struct fjson_object *list = field(o, "list", fjson_type_array);
	long long last;

	*why = "malformed state (an incident)";
	if (list == NULL || !get_i64(field(o, "last", fjson_type_int), 0, LLONG_MAX, &last))
		return 0;
	for (size_t i = 0; i < (size_t)fjson_object_array_length(list); i++) {
		struct fjson_object *x = fjson_object_array_get_idx(list, i), *lead, *toks;
		incident_record r;
		long long id, ntok, p;
		omtw_err e;

		memset(&r, 0, sizeof(r));
		if (!fjson_object_is_type(x, fjson_type_array) || fjson_object_array_length(x) != 4 ||
		    !get_i64(fjson_object_array_get_idx(x, 0), 1, last, &id) ||
		    !get_i64(fjson_object_array_get_idx(x, 1), 0, INCIDENTS_TOKENS, &ntok) ||
		    !fjson_object_is_type(lead = fjson_object_array_get_idx(x, 2), fjson_type_array) ||
		    fjson_object_array_length(lead) > INCIDENTS_LEAD ||
		    !fjson_object_is_type(toks = fjson_object_array_get_idx(x, 3), fjson_type_array) ||
		    fjson_object_array_length(toks) != ntok)
			return 0;
		r.id = (uint64_t)id;
		r.ntok = (size_t)ntok;
		r.nlead = (size_t)fjson_object_array_length(lead);
		for (size_t k = 0; k < r.nlead; k++) {
			if (!get_i64(fjson_object_array_get_idx(lead, k), 0, INCIDENTS_TOKENS - 1, &p))
				return 0;
			r.lead[k] = (size_t)p;
		}
		for (size_t k = 0; k < r.ntok; k++) {
			struct fjson_object *y = fjson_object_array_get_idx(toks, k);
			if (y == NULL) {
				r.kind[k] = INCIDENT_VARIABLE;
			} else if (fjson_object_is_type(y, fjson_type_string)) {
				r.kind[k] = INCIDENT_CONSTANT;
				r.tok[k] = fjson_object_get_string(y);
			} else if (fjson_object_is_type(y, fjson_type_array) && fjson_object_array_length(y) >= 1 &&
				   fjson_object_array_length(y) <= 2 && whole(fjson_object_array_get_idx(y, 0)) &&
				   (fjson_object_array_length(y) == 1 || whole(fjson_object_array_get_idx(y, 1)))) {
				r.kind[k] = INCIDENT_NUMBERS;
				r.tok[k] = fjson_object_get_string(fjson_object_array_get_idx(y, 0));
				if (fjson_object_array_length(y) == 2)
					r.shown[k] = fjson_object_get_string(fjson_object_array_get_idx(y, 1));
			} else {
				return 0;
			}
			if (r.kind[k] == INCIDENT_CONSTANT && !whole(y))
				return 0;
		}
		if ((e = incidents_restore(t->miner, &r)) != OMTW_OK) {
			if (e == OMTW_ENOMEM)
				*why = "out of memory";
			return 0;
		}
	}
	incidents_set_last_id(t->miner, (uint64_t)last);
	*why = "malformed state";
	return 1;
}

/* Fill t from the parsed document; 0 with *why set when it is not state. */
static int apply(flood *t, struct fjson_object *o, time_t now, const char **why)
{
	struct fjson_object *v, *srv, *ents;
	long long a, b;

	*why = "not an omtwitter flood state file";
	if (!fjson_object_is_type(o, fjson_type_object) ||
	    (v = field(o, "format", fjson_type_string)) == NULL ||
	    strcmp(fjson_object_get_string(v), STATE_FORMAT) != 0)
		return 0;
	*why = "unsupported state version";
	if (!get_i64(field(o, "version", fjson_type_int), 0, 1000, &a) || a != STATE_VERSION)
		return 0;
	*why = "malformed state";
	if (!get_i64(field(o, "period_start", fjson_type_int), 0, T_MAX, &a) ||
	    !get_i64(field(o, "blocked_until", fjson_type_int), 0, T_MAX, &b))
		return 0;
	t->period_start = clamp(a, now, 0);
	if ((v = field(o, "next_check", fjson_type_int)) != NULL) {
		if (!get_i64(v, 0, T_MAX, &b))
			return 0;
		t->next_check = clamp(b, now, t->cfg.digest_interval);
	}
	if ((v = field(o, "pace", fjson_type_array)) != NULL) {
		long long cap = 1000LL * FLOOD_PACE_CAPACITY(t->cfg.budget_daily);
		if (fjson_object_array_length(v) != 2 || !get_i64(fjson_object_array_get_idx(v, 0), 0, LLONG_MAX, &b) ||
		    !get_i64(fjson_object_array_get_idx(v, 1), 0, T_MAX, &a))
			return 0;
		/* a smaller budget than when it was saved: no more than it holds */
		t->tokens = (double)(b < cap ? b : cap) / 1000;
		t->tokens_at = clamp(a, now, 0);
		if (!get_i64(field(o, "period_start", fjson_type_int), 0, T_MAX, &a))
			return 0;
	}
	if ((v = field(o, "others_since", fjson_type_int)) != NULL) {
		if (!get_i64(v, 0, T_MAX, &b))
			return 0;
		t->others_since = clamp(b, now, 0);
	}
	if (!get_i64(field(o, "blocked_until", fjson_type_int), 0, T_MAX, &b))
		return 0;
	/* as a reset header: one beyond a day and an hour is not believed */
	t->blocked_until = b > (long long)now + FLOOD_DAY + 3600 ? 0 : (time_t)b;
	if ((v = field(o, "others", fjson_type_array)) == NULL || fjson_object_array_length(v) != 2 ||
	    !get_i64(fjson_object_array_get_idx(v, 0), 0, COUNT_MAX, &a) ||
	    !get_i64(fjson_object_array_get_idx(v, 1), 0, a, &b))
		return 0;
	t->others = (unsigned long long)a;
	t->others_distinct = (unsigned long long)b;
	t->pending = t->others;
	if ((v = field(o, "local", fjson_type_array)) == NULL || !load_stamps(v, &t->local, now) ||
	    (v = field(o, "daily", fjson_type_array)) == NULL || !load_stamps(v, &t->daily, now))
		return 0;
	if ((srv = field(o, "server", fjson_type_array)) == NULL ||
	    fjson_object_array_length(srv) != FLOOD_SRV_N)
		return 0;
	for (int i = 0; i < FLOOD_SRV_N; i++) {
		v = fjson_object_array_get_idx(srv, i);
		if (!fjson_object_is_type(v, fjson_type_array) || fjson_object_array_length(v) != 2 ||
		    !get_i64(fjson_object_array_get_idx(v, 0), -1, LLONG_MAX, &a) ||
		    !get_i64(fjson_object_array_get_idx(v, 1), -1, T_MAX, &b))
			return 0;
		if (b > (long long)now + FLOOD_DAY + 3600) /* not believed: unknown */
			a = b = -1;
		t->server[i].remaining = a;
		t->server[i].reset = b;
	}
	if ((ents = field(o, "entries", fjson_type_array)) == NULL)
		return 0;
	/* before the entries: a smaller maxentries than when it was saved
	 * makes the miner forget incidents, and with them their entries */
	if (t->miner && (v = field(o, "incidents", fjson_type_object)) != NULL && !load_incidents(t, v, why))
		return 0;
	for (size_t i = 0; i < (size_t)fjson_object_array_length(ents); i++) {
		struct fjson_object *x = fjson_object_array_get_idx(ents, i), *h, *s;
		unsigned char id[FLOOD_ID_LEN];
		fentry *e;

		if (!fjson_object_is_type(x, fjson_type_array) ||
		    (fjson_object_array_length(x) != 4 && fjson_object_array_length(x) != 5) ||
		    !fjson_object_is_type(h = fjson_object_array_get_idx(x, 0), fjson_type_string) ||
		    !fjson_object_is_type(s = fjson_object_array_get_idx(x, 1), fjson_type_string) ||
		    !unhex(fjson_object_get_string(h), id) ||
		    !get_i64(fjson_object_array_get_idx(x, 2), 0, T_MAX, &a) ||
		    !get_i64(fjson_object_array_get_idx(x, 3), 0, COUNT_MAX, &b))
			return 0;
		if (flood_find(t, id) != NULL) {
			*why = "malformed state (an alert listed twice)";
			return 0;
		}
		if (flood_insert(t, id, fjson_object_get_string(s),
				 (size_t)fjson_object_get_string_len(s), &e) != OMTW_OK) {
			*why = "out of memory";
			return 0;
		}
		e->window_end = clamp(a, now, t->cfg.dedup_window);
		flood_add_pending(t, e, (unsigned long long)b);
		if (fjson_object_array_length(x) == 5 && !load_episode(fjson_object_array_get_idx(x, 4), e, now, why))
			return 0;
	}
	return load_posting(t, o, now, why);
}

/* Move a bad file out of the way, so the next save does not destroy it. */
static void move_aside(const char *path, char *where, size_t size)
{
	snprintf(where, size, "%s.bad-%lld", path, (long long)time(NULL));
	if (rename(path, where) != 0)
		snprintf(where, size, "(could not be moved: %s)", strerror(errno));
}

omtw_err flood_state_parse(flood *f, const char *buf, size_t len, time_t now, const char **why)
{
	struct fjson_object *o = NULL;
	flood *t = NULL, tmp;
	omtw_err e;

	*why = "not valid JSON";
	if (memchr(buf, '\0', len) != NULL) /* the parser would stop there */
		return OMTW_EINVAL;
	if ((o = fjson_tokener_parse(buf)) == NULL)
		return OMTW_EINVAL;
	if ((e = flood_new(&f->cfg, now, &t)) != OMTW_OK) {
		*why = "out of memory";
		fjson_object_put(o);
		return e;
	}
	if (!apply(t, o, now, why)) {
		fjson_object_put(o);
		flood_free(t);
		return OMTW_EINVAL;
	}
	/* adopt the loaded state (the miner tells f, no longer t, what it forgets) */
	tmp = *f;
	*f = *t;
	*t = tmp;
	if (f->miner)
		incidents_set_arg(f->miner, f);
	if (t->miner)
		incidents_set_arg(t->miner, t);
	flood_free(t);
	fjson_object_put(o);
	f->dirty = 0;
	return OMTW_OK;
}

omtw_err flood_load(flood *f, const char *path, time_t now, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "re");
	struct stat st;
	char *buf = NULL, where[4200];
	const char *why = "too large or unreadable";
	size_t n;
	omtw_err e = OMTW_EINVAL;

	if (fp == NULL) {
		if (errno == ENOENT)
			return OMTW_OK; /* first start: nothing to restore */
		omtw_errmsg(err, errlen, "cannot open state file %s: %s", path, strerror(errno));
		return OMTW_EIO;
	}
	if (fstat(fileno(fp), &st) == 0 && st.st_size <= STATE_MAX_BYTES &&
	    (buf = malloc((size_t)st.st_size + 1)) != NULL) {
		n = fread(buf, 1, (size_t)st.st_size, fp);
		buf[n] = '\0';
		if (n == (size_t)st.st_size)
			e = flood_state_parse(f, buf, n, now, &why);
	}
	fclose(fp);
	free(buf);
	if (e == OMTW_OK)
		return OMTW_OK;
	if (e == OMTW_ENOMEM) {
		omtw_errmsg(err, errlen, "out of memory loading %s", path);
		return e;
	}
	move_aside(path, where, sizeof(where));
	omtw_errmsg(err, errlen, "state file %s is %s; it was moved to %s and flood control "
		    "starts with a clean state", path, why, where);
	return OMTW_EINVAL;
}
