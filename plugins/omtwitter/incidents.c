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
	size_t klen;                      /* of key */
	int numbers;                      /* key has a "<*>" */
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


/* The line's leading words: the first INCIDENTS_LEAD tokens that route
 * (words, see routes), by position; the count found. */
static size_t lead_words(const incidents *m, size_t ntok, size_t pos[INCIDENTS_LEAD])
{
	size_t n = 0;

	for (size_t i = 0; i < ntok && n < INCIDENTS_LEAD; i++)
		if (m->line[i].route)
			pos[n++] = i;
	return n;
}

static uint64_t route_key(const incidents *m, size_t ntok)
{
	size_t pos[INCIDENTS_LEAD], n = lead_words(m, ntok, pos);
	uint64_t h = fnv(14695981039346656037ULL, &ntok, sizeof(ntok));

	for (size_t k = 0; k < n; k++)
		h = fnv(fnv(h, &pos[k], sizeof(pos[k])), m->line[pos[k]].s, m->line[pos[k]].len);
	return h;
}

static int route_eq(const incidents *m, const leaf *l, size_t ntok)
{
	size_t pos[INCIDENTS_LEAD], n = lead_words(m, ntok, pos);

	if (l->ntok != ntok || l->nlead != n)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (l->pos[k] != pos[k] || !tok_eq(l->route[k], &m->line[pos[k]]))
			return 0;
	return 1;
}

static leaf *leaf_find(incidents *m, uint64_t key, size_t ntok)
{
	for (leaf *l = m->leaves[key & (m->nbuckets - 1)]; l; l = l->hnext)
		if (l->key == key && route_eq(m, l, ntok))
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

static incident *create(incidents *m, leaf *l, size_t ntok)
{
	incident *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->tok = calloc(ntok ? ntok : 1, sizeof(*c->tok))) == NULL)
		goto nomem;
	c->ntok = ntok;
	for (size_t i = 0; i < ntok; i++) {
		const token *t = &m->line[i];
		if (t->key == NULL)
			continue;
		if ((c->tok[i].key = malloc(t->klen + 1)) == NULL)
			goto nomem;
		memcpy(c->tok[i].key, t->key, t->klen); /* it may hold a NUL */
		c->tok[i].key[t->klen] = '\0';
		c->tok[i].klen = t->klen;
		c->tok[i].numbers = memmem(t->key, t->klen, INCIDENTS_VARIABLE, 3) != NULL;
		if ((t->klen != t->len || memcmp(t->key, t->s, t->len) != 0) &&
		    (c->tok[i].raw = strndup(t->s, t->len)) == NULL) /* no NUL in a token */
			goto nomem;
	}
	c->id = ++m->next_id;
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
	return c;
nomem:
	if (c)
		incident_free(c);
	return NULL;
}

static leaf *leaf_new(incidents *m, uint64_t key, size_t ntok)
{
	leaf *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->key = key;
	l->ntok = ntok;
	l->nlead = lead_words(m, ntok, l->pos);
	for (size_t k = 0; k < l->nlead; k++)
		if ((l->route[k] = strndup(m->line[l->pos[k]].s, m->line[l->pos[k]].len)) == NULL) {
			for (size_t j = 0; j < k; j++)
				free(l->route[j]);
			free(l);
			return NULL;
		}
	l->hnext = m->leaves[key & (m->nbuckets - 1)];
	m->leaves[key & (m->nbuckets - 1)] = l;
	return l;
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

omtw_err incidents_match(incidents *m, const char *text, size_t len, incident_match *out)
{
	size_t ntok = tokenize(m, text, len);
	uint64_t key = route_key(m, ntok);
	leaf *l = leaf_find(m, key, ntok);
	incident *best = NULL;
	double bestSim = -1;

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
				free(p->raw);
				p->raw = NULL;
				out->changed = 1;
			}
		}
		touch(m, best);
	} else {
		if (l && l->n >= INCIDENTS_LEAF_MAX)
			evict(m, l->last); /* l lives on: it keeps the others */
		if (m->n >= m->cfg.maxentries) {
			/* the least recently seen makes room; it may be l's last */
			if (l && l->n == 1 && m->oldest == l->first)
				l = NULL;
			evict(m, m->oldest);
		}
		if (l == NULL && (l = leaf_new(m, key, ntok)) == NULL)
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
		const char *t = c->tok[i].raw ? c->tok[i].raw : c->tok[i].key ? c->tok[i].key : INCIDENTS_VARIABLE;
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
