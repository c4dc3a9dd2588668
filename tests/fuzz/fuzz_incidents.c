/* fuzz_incidents.c - the incident miner on hostile lines: the first byte
 * is the similarity (0..255 -> 0..1), the rest is split at '\n' into lines
 * fed in order, to a miner of 8 incidents, to one of 80 (enough for a
 * leaf of INCIDENTS_LEAF_MAX to fill) and to one of 1 (every new incident
 * evicts), each with a twin fed the same lines.
 * After every line:
 *   - incidents_count() <= maxentries, and it is the ids created minus
 *     those evicted; a new incident has the next id, a known one was
 *     neither evicted nor never seen; the evict callback names a live id;
 *   - the template of the id exists (length > 0 unless the line is
 *     blank: then "", 0 and no values), it has as many tokens as the line
 *     (split here by the rules of incidents.h, not by the unit), and each
 *     of its tokens is the line's token at that position, "<*>" standing
 *     for one or more bytes; cut to a smaller buffer it is its first
 *     bytes, NUL-terminated, and the full length is returned;
 *   - values is the line's tokens at the template's "<*>" positions,
 *     joined by one space;
 *   - a template that changed says so (changed), a new one does not;
 *   - the same line fed again right away is the same incident, neither
 *     new nor changed, with the same values (a line fits its template);
 *   - the twin gives the same id, flags and values, and in the end the
 *     same templates (determinism);
 *   - in the end, a miner restored from incidents_each's records has the
 *     same templates, and fed the lines once more gives the same ids,
 *     flags and values as the original (a state file's round trip).
 * A NUL byte separates tokens, like a blank.  Lines holding a literal
 * "<*>" skip the values check.  A broken property abort()s. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TPL_MAX (INCIDENTS_TOKENS * (3 * INCIDENTS_TOKEN_MAX + 1) + 1)

typedef struct ltok {
	const char *s;
	size_t len;
} ltok;

typedef struct run {
	double similarity;
	size_t maxentries;
	uint64_t lastid;       /* ids created */
	size_t nevicted;
	unsigned char *gone;   /* gone[id]: evicted */
	char **shadow;         /* shadow[id]: its template when last returned */
	size_t cap;            /* of gone and shadow: ids < cap */
} run;

static void on_evict(void *arg, uint64_t id)
{
	run *r = arg;

	if (id == 0 || id > r->lastid || id >= r->cap || r->gone[id])
		abort(); /* only a live incident makes room */
	r->gone[id] = 1;
	r->nevicted++;
}

static void on_evict_twin(void *arg, uint64_t id)
{
	(void)arg;
	(void)id;
}

static int blank(int c)
{
	return c == ' ' || c == '\t' || c == '\0'; /* a NUL separates tokens too */
}

static int key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

/* The line's tokens as incidents.h describes them: words between spaces
 * and tabs; "key=value" (key: a letter or '_', then letters, digits, '_',
 * '-', '.'; a value follows) is "key=" and "value"; the 64th token is the
 * rest of the line, trailing blanks cut. */
static size_t split(const char *p, size_t len, ltok *t)
{
	size_t n = 0, i = 0;

	while (n < INCIDENTS_TOKENS) {
		size_t end, k;
		while (i < len && blank((unsigned char)p[i]))
			i++;
		if (i == len)
			break;
		t[n].s = p + i;
		if (n == INCIDENTS_TOKENS - 1) {
			end = len;
			while (end > i && blank((unsigned char)p[end - 1]))
				end--;
			t[n++].len = end - i;
			break;
		}
		for (end = i; end < len && !blank((unsigned char)p[end]); end++)
			;
		if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_') {
			for (k = i; k < end && p[k] != '=' && key_char((unsigned char)p[k]); k++)
				;
			if (k < end && p[k] == '=' && k + 1 < end)
				end = k + 1; /* "key=", the value is the next token */
		}
		t[n++].len = end - i;
		i = end;
	}
	return n;
}

/* Does the template token pat (where "<*>" is one or more bytes) match s? */
static int glob(const char *pat, size_t pn, const char *s, size_t sn)
{
	/* DP(i, j): pat[i..] matches s[j..] */
	unsigned char *dp = calloc((pn + 1) * (sn + 1), 1);
	int res;

	if (dp == NULL)
		abort();
#define DP(i, j) dp[(i) * (sn + 1) + (j)]
	DP(pn, sn) = 1;
	for (size_t i = pn; i-- > 0;) {
		int wild = i + 3 <= pn && memcmp(pat + i, INCIDENTS_VARIABLE, 3) == 0;
		for (size_t j = sn + 1; j-- > 0;) {
			if (wild)
				DP(i, j) = j < sn && (DP(i + 3, j + 1) || DP(i, j + 1));
			else
				DP(i, j) = j < sn && pat[i] == s[j] && DP(i + 1, j + 1);
		}
	}
	res = DP(0, 0);
#undef DP
	free(dp);
	return res;
}

static void feed_lines(incidents *m, incidents *twin, run *r, const char *text, size_t size)
{
	static char tbuf[TPL_MAX];
	ltok t[INCIDENTS_TOKENS];

	for (size_t start = 0; start <= size;) {
		const char *line = text + start;
		const char *nl = memchr(line, '\n', size - start);
		size_t len = nl ? (size_t)(nl - line) : size - start;
		size_t ntok = split(line, len, t), tl, w, o = 0;
		int has_var = memmem(line, len, INCIDENTS_VARIABLE, 3) != NULL;
		incident_match a, b;
		const char *p;
		char *va, *want;

		start += len + 1;
		if (incidents_match(m, line, len, &a) != OMTW_OK || a.values == NULL)
			abort();
		if ((va = strdup(a.values)) == NULL || incidents_match(twin, line, len, &b) != OMTW_OK)
			abort();
		/* determinism */
		if (a.id != b.id || a.is_new != b.is_new || a.changed != b.changed || strcmp(va, b.values) != 0)
			abort();
		/* the same line right away is the same incident, unchanged */
		{
			incident_match again;
			if (incidents_match(m, line, len, &again) != OMTW_OK || incidents_match(twin, line, len, &b) != OMTW_OK ||
			    again.id != a.id || again.is_new || again.changed || strcmp(again.values, va) != 0)
				abort();
			a.values = again.values;
		}
		free(va);
		/* bounded; ids in order of creation, never reused */
		if (incidents_count(m) > r->maxentries)
			abort();
		if (a.is_new) {
			if (a.id != ++r->lastid || a.changed)
				abort();
		} else if (a.id == 0 || a.id > r->lastid || r->gone[a.id]) {
			abort();
		}
		if (a.id >= r->cap || incidents_count(m) != r->lastid - r->nevicted)
			abort();
		/* the template */
		tl = incidents_template(m, a.id, tbuf, sizeof(tbuf));
		if (tl != strlen(tbuf))
			abort();
		if (ntok == 0) {
			if (tl != 0)
				abort();
		} else if (tl == 0) {
			abort();
		}
		/* cut to a smaller buffer: the same length, its first bytes */
		for (size_t cut = 1; cut <= tl; cut += 1 + cut / 2) {
			static char small[TPL_MAX];
			memset(small, 'X', cut + 1);
			if (incidents_template(m, a.id, small, cut) != tl || memcmp(small, tbuf, cut - 1) != 0 ||
			    small[cut - 1] != '\0' || small[cut] != 'X')
				abort();
		}
		if (r->shadow[a.id] && strcmp(r->shadow[a.id], tbuf) != 0 && !a.changed)
			abort(); /* it changed without saying so */
		free(r->shadow[a.id]);
		if ((r->shadow[a.id] = strdup(tbuf)) == NULL)
			abort();
		if (ntok == 0) {
			if (a.values[0] != '\0')
				abort();
			continue;
		}
		/* as many tokens as the line */
		for (w = 1, p = tbuf; (p = strchr(p, ' ')) != NULL; p++)
			w++;
		if (w != ntok)
			abort();
		/* token by token */
		if ((want = malloc(len + INCIDENTS_TOKENS + 1)) == NULL)
			abort();
		p = tbuf;
		for (w = 0; w < ntok; w++) {
			const char *e = strchr(p, ' ');
			size_t pl = e ? (size_t)(e - p) : strlen(p);
			int var = memmem(p, pl, INCIDENTS_VARIABLE, 3) != NULL;
			if (var ? !glob(p, pl, t[w].s, t[w].len) : (pl != t[w].len || memcmp(p, t[w].s, pl) != 0))
				abort();
			if (var) {
				if (o)
					want[o++] = ' ';
				memcpy(want + o, t[w].s, t[w].len);
				o += t[w].len;
			}
			p = e ? e + 1 : p + pl;
		}
		want[o] = '\0';
		if (!has_var && strcmp(a.values, want) != 0)
			abort();
		free(want);
	}
}

static void restore_one(void *arg, const incident_record *rec)
{
	if (incidents_restore(arg, rec) != OMTW_OK)
		abort(); /* what incidents_each gives always restores */
}

static void one(const char *text, size_t size, double similarity, size_t maxentries)
{
	run r = { similarity, maxentries, 0, 0, NULL, NULL, 2 * size + 6 }; /* ids of two passes */
	incidents_config c = { similarity, maxentries, on_evict, &r };
	incidents_config ct = { similarity, maxentries, on_evict_twin, NULL };
	incidents *m = NULL, *twin = NULL;
	static char ta[TPL_MAX], tb[TPL_MAX];

	r.gone = calloc(r.cap, 1);
	r.shadow = calloc(r.cap, sizeof(*r.shadow));
	if (r.gone == NULL || r.shadow == NULL || incidents_new(&c, &m) != OMTW_OK || incidents_new(&ct, &twin) != OMTW_OK)
		abort();
	feed_lines(m, twin, &r, text, size);
	/* the twin agrees on every template; the live ones are as last seen,
	 * the evicted ones and the next id are unknown */
	for (uint64_t id = 1; id <= r.lastid + 1; id++) {
		size_t la = incidents_template(m, id, ta, sizeof(ta));
		size_t lb = incidents_template(twin, id, tb, sizeof(tb));
		int live = id <= r.lastid && !r.gone[id];
		if (la != lb || strcmp(ta, tb) != 0)
			abort();
		if (live ? strcmp(ta, r.shadow[id]) != 0 : la != 0 || ta[0] != '\0')
			abort();
	}
	/* a miner restored from m's records (a state file's round trip) has
	 * the same incidents and goes on exactly as m: the lines once more */
	{
		incidents *back = NULL;
		if (incidents_new(&ct, &back) != OMTW_OK)
			abort();
		incidents_each(m, restore_one, back);
		incidents_set_last_id(back, incidents_last_id(m));
		if (incidents_count(back) != incidents_count(m) || incidents_last_id(back) != r.lastid)
			abort();
		for (uint64_t id = 1; id <= r.lastid; id++) {
			size_t la = incidents_template(m, id, ta, sizeof(ta));
			size_t lb = incidents_template(back, id, tb, sizeof(tb));
			if (la != lb || strcmp(ta, tb) != 0)
				abort();
		}
		feed_lines(m, back, &r, text, size);
		incidents_free(back);
	}
	incidents_free(m);
	incidents_free(twin);
	for (size_t i = 0; i < r.cap; i++)
		free(r.shadow[i]);
	free(r.shadow);
	free(r.gone);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	one((const char *)data + 1, size - 1, data[0] / 255.0, 8);
	one((const char *)data + 1, size - 1, data[0] / 255.0, 80);
	one((const char *)data + 1, size - 1, data[0] / 255.0, 1);
	return 0;
}
