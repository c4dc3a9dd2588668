/* incidents.c - which incident an alert line belongs to (see incidents.h).
 *
 * The tree of Drain with a fixed depth of 4 (token count, two leading
 * tokens, leaf) is kept as one hash table of leaves keyed by that route,
 * and the incidents in another keyed by id; both hold at most maxentries
 * entries (a leaf lives as long as one of its incidents).
 */
#include <stdlib.h>
#include <string.h>

#include "incidents.h"

/* A position of a template.  key is the token with its numbers abstracted
 * (see token_key), NULL for a variable position; raw is the token as all
 * lines so far had it when that differs from key, else NULL. */
typedef struct slot {
	char *key;
	char *raw;
	char *shown;                      /* numbers vary: the token with its decimal
					   * numbers as "<*>" while all lines agree on
					   * the rest ("web<*>"), else NULL ("<*>") */
	size_t klen;                      /* of key */
	int numbers;                      /* key has a "<*>" for a number */
} slot;

typedef struct incident {
	uint64_t id;
	size_t ntok;
	slot *tok;
	struct leaf *leaf;
	struct incident *lnewer, *lolder; /* in its leaf, most recent first */
	struct incident *newer, *older;   /* all, most recent first */
	struct incident *hnext;           /* id chain */
} incident;

typedef struct leaf {
	uint64_t key;
	size_t ntok;
	size_t nlead, pos[INCIDENTS_LEAD]; /* the leading words, where */
	char *route[INCIDENTS_LEAD];
	incident *first, *last;
	size_t n;
	struct leaf *hnext;
} leaf;

typedef struct token {
	const char *s;
	size_t len;
	int masked;                       /* an obvious variable */
	int digit;                        /* has a digit: routes as a variable */
	int route;                        /* may be a leading word (see routes) */
	const char *key;                  /* s with its numbers abstracted (not if masked) */
	size_t klen;
} token;

struct incidents {
	incidents_config cfg;
	incident **ids;                   /* id table */
	leaf **leaves;                    /* route table */
	size_t nbuckets;                  /* of each table, a power of two */
	size_t n;                         /* incidents */
	uint64_t next_id;
	incident *newest, *oldest;
	token line[INCIDENTS_TOKENS];
	char keys[INCIDENTS_TOKENS * 3 * INCIDENTS_TOKEN_MAX]; /* the line's keys */
	char *values;                     /* the last match's values */
	size_t values_cap;
};

/* ---- tokens ---- */

/* Character classes, by hand: locale-independent (the same incidents
 * whatever the locale) and cheaper than <ctype.h> and strchr, which were
 * half the time per line. */
static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_open(int c)
{
	return c == '(' || c == '[' || c == '{' || c == '<' || c == '"' || c == '\'';
}

static int is_close(int c)
{
	return c == ')' || c == ']' || c == '}' || c == '>' || c == '"' || c == '\'';
}

static int is_trail(int c) /* punctuation that ends a word */
{
	return c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?';
}

/* A number with an optional sign, fraction and a short unit (10ms, 5s,
 * 2.5GB, 100%). */
static int is_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0, unit = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n && (is_digit(s[i]) || s[i] == '.' || s[i] == ','); i++)
		digits += is_digit(s[i]) != 0;
	for (; i < n && (is_alpha(s[i]) || s[i] == '%'); i++)
		unit++;
	return digits > 0 && i == n && unit <= 3;
}

/* Addresses and ids: IPv4[:port][/len], IPv6 and MAC (hex and colons),
 * UUIDs and long hex ids (hex and dashes), 0x hex. */
static int is_id(const char *s, size_t n)
{
	size_t digits = 0, dots = 0, colons = 0, dashes = 0, hex = 0, other = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (size_t i = 2; i < n; i++)
			if (!is_hex(s[i]))
				return 0;
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (is_digit(s[i]))
			digits++;
		else if (is_hex(s[i]))
			hex++;
		else if (s[i] == '.')
			dots++;
		else if (s[i] == ':')
			colons++;
		else if (s[i] == '-')
			dashes++;
		else if (s[i] != '/')
			other++;
	}
	if (other || digits == 0)
		return 0;
	if (dots == 3 && hex == 0 && dashes == 0)
		return 1; /* IPv4, with a port or a prefix length */
	if (colons >= 2 && dots <= 3 && dashes == 0)
		return 1; /* IPv6 (also with an IPv4 tail), MAC */
	if (dots == 0 && colons == 0 && digits + hex >= 8)
		return 1; /* a UUID, a hash, a long hex id */
	return 0;
}

/* The token's key: every run of hex digits that holds a decimal digit
 * becomes "<*>" (sda1 and sdb1, session-12.scope and session-7.scope,
 * uid=1000 and uid=33 have one key each), so that lines compare equal
 * where they differ only in a number inside a word.  Written at out (room
 * for 3 * len bytes); its length. */
static size_t token_key(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i, digits = 0;
		while (j < n && is_hex(s[j]))
			digits += is_digit(s[j++]) != 0;
		if (digits) {
			memcpy(out + o, INCIDENTS_VARIABLE, 3);
			o += 3;
			i = j;
		} else if (j > i) {
			memcpy(out + o, s + i, j - i);
			o += j - i;
			i = j;
		} else {
			out[o++] = s[i++];
		}
	}
	return o;
}

/* May the token be a leading word?  Drain routes by the first tokens and
 * takes a token with a digit for a variable.  Other variables lead lines
 * too, and a word is never one of them: a path (/dev/sda), a name in
 * brackets ((root), [sda], "alice"), a key=value, a user@host, a
 * host.domain or file.ext, a pkg:arch.  Only plain words (letters, '-',
 * '_', brackets inside, punctuation at the end) route. */
static int routes(const char *s, size_t n)
{
	while (n > 1 && is_trail(s[n - 1]))
		n--;
	if (n == 0 || (n > 1 && is_open(s[0]) && is_close(s[n - 1])))
		return 0; /* enclosed */
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '/' || c == '@' || c == '=' || c == '.' || c == '\\' || c == '\0' ||
		    (c == ':' && memchr(s, '(', i) == NULL))
			return 0; /* ':' inside parentheses is allowed: pam_unix(sshd:auth): */
	}
	return 1;
}

/* Classify a token by its core: brackets and trailing punctuation aside. */
static void classify(token *t)
{
	const char *s = t->s;
	size_t n = t->len;

	t->digit = 0;
	for (size_t i = 0; i < n; i++)
		if (is_digit(s[i])) {
			t->digit = 1;
			break;
		}
	while (n > 0 && is_open(*s)) {
		s++;
		n--;
	}
	while (n > 0 && (is_close(s[n - 1]) || (is_trail(s[n - 1]) && s[n - 1] != '!' && s[n - 1] != '?')))
		n--;
	t->masked = t->len > INCIDENTS_TOKEN_MAX || (t->digit && (is_number(s, n) || is_id(s, n)));
	t->route = !t->masked && !t->digit && routes(t->s, t->len);
}

/* Tokens are separated by blanks; a NUL byte (which no C string of
 * rsyslog's holds, but a file may) separates too, so no token holds one. */
static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\0';
}

/* Split text into m->line; the tokens after INCIDENTS_TOKENS - 1 are one
 * variable tail.  The count of tokens (0 for a blank line). */
static size_t tokenize(incidents *m, const char *text, size_t len)
{
	size_t n = 0, i = 0, k = 0;

	while (n < INCIDENTS_TOKENS) {
		while (i < len && is_sep(text[i]))
			i++;
		if (i == len)
			break;
		token *t = &m->line[n++];
		t->s = text + i;
		if (n == INCIDENTS_TOKENS) { /* the tail: one variable, never a leading word */
			t->len = len - i;
			while (t->len > 0 && is_sep(t->s[t->len - 1]))
				t->len--;
			classify(t);
			for (size_t j = 0; j < t->len; j++)
				if (is_sep(t->s[j])) {
					t->masked = 1;
					t->route = 0;
					break;
				}
		} else {
			/* "key=value" (a key of letters, digits, '_', '-', '.') is
			 * two tokens, "key=" and "value": the key stays a constant
			 * where the value varies.  A '=' elsewhere (a URL's query)
			 * does not split. */
			int key = is_alpha(text[i]) || text[i] == '_';
			while (i < len && !is_sep(text[i])) {
				char ch = text[i++];
				if (ch == '=' && key && i < len && !is_sep(text[i]))
					break;
				if (!is_alpha(ch) && !is_digit(ch) && ch != '_' && ch != '-' && ch != '.')
					key = 0;
			}
			t->len = (size_t)(text + i - t->s);
			classify(t);
		}
		t->key = NULL;
		t->klen = 0;
		if (!t->masked) { /* len <= INCIDENTS_TOKEN_MAX: fits */
			t->key = m->keys + k;
			t->klen = token_key(t->s, t->len, m->keys + k);
			k += t->klen;
		}
	}
	return n;
}

static int tok_eq(const char *a, const token *t)
{
	return a && strlen(a) == t->len && memcmp(a, t->s, t->len) == 0;
}

static int key_eq(const slot *p, const token *t)
{
	return p->key && t->key && p->klen == t->klen && memcmp(p->key, t->key, t->klen) == 0;
}

/* ---- the tables ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}


/* A leaf's route: the token count, and the leading words and where. */
typedef struct route {
	size_t ntok, n, pos[INCIDENTS_LEAD];
	const char *s[INCIDENTS_LEAD];
	size_t len[INCIDENTS_LEAD];
} route;

/* The line's route: its leading words are the first INCIDENTS_LEAD tokens
 * that route (words, see routes). */
static void line_route(const incidents *m, size_t ntok, route *r)
{
	r->ntok = ntok;
	r->n = 0;
	for (size_t i = 0; i < ntok && r->n < INCIDENTS_LEAD; i++)
		if (m->line[i].route) {
			r->pos[r->n] = i;
			r->s[r->n] = m->line[i].s;
			r->len[r->n++] = m->line[i].len;
		}
}

static uint64_t route_key(const route *r)
{
	uint64_t h = fnv(14695981039346656037ULL, &r->ntok, sizeof(r->ntok));

	for (size_t k = 0; k < r->n; k++)
		h = fnv(fnv(h, &r->pos[k], sizeof(r->pos[k])), r->s[k], r->len[k]);
	return h;
}

static int route_eq(const leaf *l, const route *r)
{
	if (l->ntok != r->ntok || l->nlead != r->n)
		return 0;
	for (size_t k = 0; k < r->n; k++)
		if (l->pos[k] != r->pos[k] || strlen(l->route[k]) != r->len[k] ||
		    memcmp(l->route[k], r->s[k], r->len[k]) != 0)
			return 0;
	return 1;
}

static leaf *leaf_find(incidents *m, uint64_t key, const route *r)
{
	for (leaf *l = m->leaves[key & (m->nbuckets - 1)]; l; l = l->hnext)
		if (l->key == key && route_eq(l, r))
			return l;
	return NULL;
}

static void leaf_free(incidents *m, leaf *l)
{
	leaf **pp = &m->leaves[l->key & (m->nbuckets - 1)];

	while (*pp != l)
		pp = &(*pp)->hnext;
	*pp = l->hnext;
	for (size_t i = 0; i < INCIDENTS_LEAD; i++)
		free(l->route[i]);
	free(l);
}

static incident *by_id(const incidents *m, uint64_t id)
{
	for (incident *c = m->ids[id & (m->nbuckets - 1)]; c; c = c->hnext)
		if (c->id == id)
			return c;
	return NULL;
}

/* Most recent first, in its leaf and among all. */
static void touch(incidents *m, incident *c)
{
	leaf *l = c->leaf;

	if (l->first != c) {
		c->lnewer->lolder = c->lolder;
		if (c->lolder)
			c->lolder->lnewer = c->lnewer;
		else
			l->last = c->lnewer;
		c->lnewer = NULL;
		c->lolder = l->first;
		l->first->lnewer = c;
		l->first = c;
	}
	if (m->newest != c) {
		c->newer->older = c->older;
		if (c->older)
			c->older->newer = c->newer;
		else
			m->oldest = c->newer;
		c->newer = NULL;
		c->older = m->newest;
		m->newest->newer = c;
		m->newest = c;
	}
}

static void incident_free(incident *c)
{
	for (size_t i = 0; i < c->ntok; i++) {
		free(c->tok[i].key);
		free(c->tok[i].raw);
		free(c->tok[i].shown);
	}
	free(c->tok);
	free(c);
}

/* Forget c (it made room); its leaf goes with its last incident. */
static void evict(incidents *m, incident *c)
{
	incident **pp = &m->ids[c->id & (m->nbuckets - 1)];
	leaf *l = c->leaf;

	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	if (c->lnewer)
		c->lnewer->lolder = c->lolder;
	else
		l->first = c->lolder;
	if (c->lolder)
		c->lolder->lnewer = c->lnewer;
	else
		l->last = c->lnewer;
	if (c->newer)
		c->newer->older = c->older;
	else
		m->newest = c->older;
	if (c->older)
		c->older->newer = c->newer;
	else
		m->oldest = c->newer;
	m->n--;
	if (--l->n == 0)
		leaf_free(m, l);
	if (m->cfg.evict)
		m->cfg.evict(m->cfg.arg, c->id);
	incident_free(c);
}

/* ---- matching ---- */

/* How much of c the line matches: a position counts 1 if the line has its
 * key, and a variable position counts INCIDENTS_VARIABLE_WEIGHT; a line
 * that fits c (its keys, and masked tokens at the variables) matches it
 * fully, whatever the threshold.  Drain counts variables as 0 (a template that grew
 * general then takes nothing new); counting them 1 lets a general
 * template swallow every line of its length ("Saving <*>" took "Saving
 * printers.conf..." and "Saving job.cache..."); half is measured best on
 * tests/grouping.  The leading words match: they chose the leaf. */
static double similarity(const incidents *m, const incident *c, double need)
{
	double same = 0, left = (double)c->ntok;
	int fits = 1; /* every position: its key, or a masked token at a variable */

	need *= (double)c->ntok;
	for (size_t i = 0; i < c->ntok; i++, left--) {
		const slot *p = &c->tok[i];
		if (same + left < need && !fits)
			return -1; /* cannot win: most lines meet many templates */
		if (p->key == NULL) {
			same += INCIDENTS_VARIABLE_WEIGHT;
			fits &= m->line[i].masked;
		} else if (key_eq(p, &m->line[i])) {
			same += 1;
		} else {
			fits = 0;
		}
	}
	/* a line always matches a template it fits, whatever the threshold */
	return fits || c->ntok == 0 ? 1 : same / (double)c->ntok;
}

/* Make c the newest incident, of leaf l and among all, under its id. */
static void link_incident(incidents *m, leaf *l, incident *c)
{
	c->leaf = l;
	c->lolder = l->first;
	if (l->first)
		l->first->lnewer = c;
	else
		l->last = c;
	l->first = c;
	l->n++;
	c->older = m->newest;
	if (m->newest)
		m->newest->newer = c;
	else
		m->oldest = c;
	m->newest = c;
	c->hnext = m->ids[c->id & (m->nbuckets - 1)];
	m->ids[c->id & (m->nbuckets - 1)] = c;
	m->n++;
}

static incident *incident_alloc(size_t ntok)
{
	incident *c = calloc(1, sizeof(*c));

	if (c && (c->tok = calloc(ntok ? ntok : 1, sizeof(*c->tok))) == NULL) {
		free(c);
		return NULL;
	}
	if (c)
		c->ntok = ntok;
	return c;
}

/* A slot holding key[0..klen) (and raw, if it differs). */
static omtw_err slot_set(slot *p, const char *key, size_t klen, const char *raw, size_t rlen)
{
	if ((p->key = malloc(klen + 1)) == NULL)
		return OMTW_ENOMEM;
	memcpy(p->key, key, klen);
	p->key[klen] = '\0';
	p->klen = klen;
	/* numbers abstracted: the key differs from the token (a literal "<*>"
	 * in a token is no number); without the token, its key says it */
	p->numbers = raw ? rlen != klen || memcmp(key, raw, rlen) != 0 : memmem(key, klen, INCIDENTS_VARIABLE, 3) != NULL;
	/* the token is kept where the key does not say it: numbers, or a
	 * literal "<*>" (db2's key is "<*>" too, and must not pass for it) */
	if (raw && (p->numbers || memmem(raw, rlen, INCIDENTS_VARIABLE, 3) != NULL) &&
	    (p->raw = strndup(raw, rlen)) == NULL)
		return OMTW_ENOMEM;
	return OMTW_OK;
}

/* A new incident of leaf l: the template of the line in m->line. */
static incident *create(incidents *m, leaf *l, size_t ntok)
{
	incident *c = incident_alloc(ntok);

	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < ntok; i++) {
		const token *t = &m->line[i];
		if (t->key && slot_set(&c->tok[i], t->key, t->klen, t->s, t->len) != OMTW_OK) {
			incident_free(c);
			return NULL;
		}
	}
	c->id = ++m->next_id;
	link_incident(m, l, c);
	return c;
}

static leaf *leaf_new(incidents *m, uint64_t key, const route *r)
{
	leaf *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->key = key;
	l->ntok = r->ntok;
	l->nlead = r->n;
	for (size_t k = 0; k < r->n; k++) {
		l->pos[k] = r->pos[k];
		if ((l->route[k] = strndup(r->s[k], r->len[k])) == NULL) {
			for (size_t j = 0; j < k; j++)
				free(l->route[j]);
			free(l);
			return NULL;
		}
	}
	l->hnext = m->leaves[key & (m->nbuckets - 1)];
	m->leaves[key & (m->nbuckets - 1)] = l;
	return l;
}

/* s[0..n) with every run of decimal digits as "<*>", at out (room for
 * 3 * n bytes): how a token whose numbers vary is shown (token_key also
 * takes the hex letters next to them: "web1" is "w<*>" there). */
static size_t shown_form(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		if (is_digit(s[i])) {
			while (i < n && is_digit(s[i]))
				i++;
			memcpy(out + o, INCIDENTS_VARIABLE, 3);
			o += 3;
		} else {
			out[o++] = s[i++];
		}
	}
	return o;
}

/* The line's token t joins slot p, whose numbers vary: p->shown stays
 * only if t shows the same. */
static void join_shown(slot *p, const token *t, int *changed)
{
	char buf[3 * INCIDENTS_TOKEN_MAX];
	size_t n;

	if (p->shown == NULL)
		return;
	n = shown_form(t->s, t->len, buf);
	if (strlen(p->shown) != n || memcmp(p->shown, buf, n) != 0) {
		free(p->shown);
		p->shown = NULL;
		*changed = 1;
	}
}

/* A position that shows "<*>": variable, or a key whose numbers differed. */
static int is_variable(const slot *p)
{
	return p->key == NULL || (p->raw == NULL && p->numbers);
}

/* The line's tokens at c's variable positions, joined by spaces. */
static omtw_err collect_values(incidents *m, const incident *c)
{
	size_t need = 1, o = 0;

	for (size_t i = 0; i < c->ntok; i++)
		if (is_variable(&c->tok[i]))
			need += m->line[i].len + 1;
	if (need > m->values_cap) {
		char *v = realloc(m->values, need);
		if (v == NULL)
			return OMTW_ENOMEM;
		m->values = v;
		m->values_cap = need;
	}
	for (size_t i = 0; i < c->ntok; i++)
		if (is_variable(&c->tok[i])) {
			if (o)
				m->values[o++] = ' ';
			memcpy(m->values + o, m->line[i].s, m->line[i].len);
			o += m->line[i].len;
		}
	m->values[o] = '\0';
	return OMTW_OK;
}

/* Room for a new incident in leaf *l (NULL: a new leaf): the leaf's least
 * recent makes room when the leaf is full, the least recent of all when
 * maxentries are remembered (*l becomes NULL if that was its last). */
static void make_room(incidents *m, leaf **l)
{
	if (*l && (*l)->n >= INCIDENTS_LEAF_MAX)
		evict(m, (*l)->last); /* *l lives on: it keeps the others */
	if (m->n >= m->cfg.maxentries) {
		if (*l && (*l)->n == 1 && m->oldest == (*l)->first)
			*l = NULL;
		evict(m, m->oldest);
	}
}

omtw_err incidents_match(incidents *m, const char *text, size_t len, incident_match *out)
{
	size_t ntok = tokenize(m, text, len);
	route r;
	uint64_t key;
	leaf *l;
	incident *best = NULL;
	double bestSim = -1;

	line_route(m, ntok, &r);
	key = route_key(&r);
	l = leaf_find(m, key, &r);
	memset(out, 0, sizeof(*out));
	if (l) {
		for (incident *c = l->first; c; c = c->lolder) {
			double s = similarity(m, c, bestSim > m->cfg.similarity ? bestSim : m->cfg.similarity);
			if (s > bestSim) { /* ties: the most recent */
				bestSim = s;
				best = c;
			}
		}
		if (best && bestSim < m->cfg.similarity)
			best = NULL;
	}
	if (best) {
		for (size_t i = 0; i < best->ntok; i++) {
			slot *p = &best->tok[i];
			const token *t = &m->line[i];
			if (p->key && !key_eq(p, t)) { /* a variable now */
				free(p->key);
				free(p->raw);
				p->key = p->raw = NULL;
				out->changed = 1;
			} else if (p->key && p->raw && !tok_eq(p->raw, t)) { /* its numbers vary */
				char buf[3 * INCIDENTS_TOKEN_MAX];
				size_t n = shown_form(p->raw, strlen(p->raw), buf);
				p->shown = strndup(buf, n); /* out of memory: shown as "<*>" */
				join_shown(p, t, &out->changed);
				free(p->raw);
				p->raw = NULL;
				p->numbers = 1; /* also where the token was a literal "<*>" */
				out->changed = 1;
			} else if (p->key && p->numbers) {
				join_shown(p, t, &out->changed);
			}
		}
		touch(m, best);
	} else {
		make_room(m, &l);
		if (l == NULL && (l = leaf_new(m, key, &r)) == NULL)
			return OMTW_ENOMEM;
		if ((best = create(m, l, ntok)) == NULL) {
			if (l->n == 0)
				leaf_free(m, l);
			return OMTW_ENOMEM;
		}
		out->is_new = 1;
	}
	out->id = best->id;
	if (collect_values(m, best) != OMTW_OK)
		return OMTW_ENOMEM;
	out->values = m->values;
	return OMTW_OK;
}

size_t incidents_template(const incidents *m, uint64_t id, char *buf, size_t size)
{
	const incident *c = by_id(m, id);
	size_t o = 0;

	if (size)
		buf[0] = '\0';
	if (c == NULL)
		return 0;
	for (size_t i = 0; i < c->ntok; i++) {
		/* a token whose numbers vary shows its decimal numbers as "<*>" */
		const slot *p = &c->tok[i];
		const char *t = p->raw ? p->raw : p->key == NULL ? INCIDENTS_VARIABLE
					: !p->numbers ? p->key : p->shown ? p->shown : INCIDENTS_VARIABLE;
		size_t n = strlen(t) + (i > 0);
		if (size && o + n < size) {
			if (i > 0)
				buf[o] = ' ';
			memcpy(buf + o + (i > 0), t, n - (i > 0));
			buf[o + n] = '\0';
		} else if (size && o < size) { /* cut */
			size_t room = size - 1 - o;
			const char *src = i > 0 ? " " : "";
			size_t k = 0;
			for (; k < room && *src; k++)
				buf[o + k] = *src++;
			for (size_t j = 0; k < room; k++, j++)
				buf[o + k] = t[j];
			buf[size - 1] = '\0';
		}
		o += n;
	}
	return o;
}

void incidents_each(const incidents *m, void (*cb)(void *arg, const incident_record *r), void *arg)
{
	incident_record r;

	for (const incident *c = m->oldest; c; c = c->newer) {
		const leaf *l = c->leaf;
		memset(&r, 0, sizeof(r));
		r.id = c->id;
		r.ntok = c->ntok;
		r.nlead = l->nlead;
		for (size_t k = 0; k < l->nlead; k++)
			r.lead[k] = l->pos[k];
		for (size_t i = 0; i < c->ntok; i++) {
			const slot *p = &c->tok[i];
			r.kind[i] = p->key == NULL ? INCIDENT_VARIABLE : p->raw || !p->numbers ? INCIDENT_CONSTANT
											 : INCIDENT_NUMBERS;
			r.tok[i] = p->raw ? p->raw : p->key;
			r.shown[i] = r.kind[i] == INCIDENT_NUMBERS ? p->shown : NULL;
		}
		cb(arg, &r);
	}
}

/* A token as the tokenizer makes it: not empty, no separator, not longer
 * than max. */
static int token_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (is_sep(s[i]))
			return 0;
	return 1;
}

omtw_err incidents_restore(incidents *m, const incident_record *r)
{
	route rt = { .ntok = r->ntok, .n = r->nlead };
	char key[3 * INCIDENTS_TOKEN_MAX];
	incident *c;
	leaf *l;
	uint64_t lkey;

	if (r->id == 0 || by_id(m, r->id) || r->ntok > INCIDENTS_TOKENS || r->nlead > INCIDENTS_LEAD)
		return OMTW_EINVAL;
	for (size_t i = 0; i < r->ntok; i++)
		if ((r->kind[i] == INCIDENT_VARIABLE && r->tok[i] != NULL) ||
		    (r->kind[i] == INCIDENT_CONSTANT && (r->tok[i] == NULL || !token_ok(r->tok[i], INCIDENTS_TOKEN_MAX))) ||
		    (r->kind[i] == INCIDENT_NUMBERS && (r->tok[i] == NULL || !token_ok(r->tok[i], 3 * INCIDENTS_TOKEN_MAX) ||
							strstr(r->tok[i], INCIDENTS_VARIABLE) == NULL)) ||
		    (r->shown[i] && (r->kind[i] != INCIDENT_NUMBERS || !token_ok(r->shown[i], 3 * INCIDENTS_TOKEN_MAX) ||
				     strstr(r->shown[i], INCIDENTS_VARIABLE) == NULL)) ||
		    r->kind[i] > INCIDENT_NUMBERS)
			return OMTW_EINVAL;
	for (size_t k = 0; k < r->nlead; k++) {
		size_t p = r->lead[k];
		/* a leading word: a constant word, after the one before */
		if (p >= r->ntok || (k > 0 && p <= r->lead[k - 1]) || r->kind[p] != INCIDENT_CONSTANT ||
		    strpbrk(r->tok[p], "0123456789") != NULL)
			return OMTW_EINVAL;
		rt.pos[k] = p;
		rt.s[k] = r->tok[p];
		rt.len[k] = strlen(r->tok[p]);
	}
	if ((c = incident_alloc(r->ntok)) == NULL)
		return OMTW_ENOMEM;
	for (size_t i = 0; i < r->ntok; i++) {
		omtw_err e = OMTW_OK;
		size_t n = r->tok[i] ? strlen(r->tok[i]) : 0;
		if (r->kind[i] == INCIDENT_CONSTANT) /* its key, as the tokenizer makes it */
			e = slot_set(&c->tok[i], key, token_key(r->tok[i], n, key), r->tok[i], n);
		else if (r->kind[i] == INCIDENT_NUMBERS && (e = slot_set(&c->tok[i], r->tok[i], n, NULL, 0)) == OMTW_OK &&
			 r->shown[i] && (c->tok[i].shown = strdup(r->shown[i])) == NULL)
			e = OMTW_ENOMEM;
		if (e != OMTW_OK) {
			incident_free(c);
			return e;
		}
	}
	lkey = route_key(&rt);
	l = leaf_find(m, lkey, &rt);
	make_room(m, &l);
	if (l == NULL && (l = leaf_new(m, lkey, &rt)) == NULL) {
		incident_free(c);
		return OMTW_ENOMEM;
	}
	c->id = r->id;
	link_incident(m, l, c);
	if (r->id > m->next_id)
		m->next_id = r->id;
	return OMTW_OK;
}

void incidents_set_arg(incidents *m, void *arg)
{
	m->cfg.arg = arg;
}

uint64_t incidents_last_id(const incidents *m)
{
	return m->next_id;
}

void incidents_set_last_id(incidents *m, uint64_t id)
{
	if (id > m->next_id)
		m->next_id = id;
}

size_t incidents_count(const incidents *m)
{
	return m->n;
}

omtw_err incidents_new(const incidents_config *c, incidents **out)
{
	incidents *m = calloc(1, sizeof(*m));
	size_t nb = 64;

	*out = NULL;
	if (c->maxentries == 0 || c->similarity < 0 || c->similarity > 1) {
		free(m);
		return OMTW_EINVAL;
	}
	if (m == NULL)
		return OMTW_ENOMEM;
	while (nb < c->maxentries && nb < ((size_t)1 << 30))
		nb <<= 1;
	m->cfg = *c;
	m->nbuckets = nb;
	if ((m->ids = calloc(nb, sizeof(*m->ids))) == NULL || (m->leaves = calloc(nb, sizeof(*m->leaves))) == NULL) {
		incidents_free(m);
		return OMTW_ENOMEM;
	}
	*out = m;
	return OMTW_OK;
}

void incidents_free(incidents *m)
{
	if (m == NULL)
		return;
	for (incident *c = m->newest, *n; c; c = n) {
		n = c->older;
		incident_free(c);
	}
	for (size_t i = 0; m->leaves && i < m->nbuckets; i++)
		for (leaf *l = m->leaves[i], *n; l; l = n) {
			n = l->hnext;
			for (size_t k = 0; k < INCIDENTS_LEAD; k++)
				free(l->route[k]);
			free(l);
		}
	free(m->ids);
	free(m->leaves);
	free(m->values);
	free(m);
}
