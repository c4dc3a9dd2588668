/* flood_group.c - alerts grouped into incidents (see flood.h,
 * FLOOD_GROUP_TEMPLATE): the miner, the incident's ticket, the values a
 * digest row shows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flood_impl.h"

/* An incident's ticket: its id, then a tag no hash of a key is expected
 * to start its second half with (a collision costs one alert's grouping,
 * 2^-64 at worst). */
static const unsigned char TAG[8] = { 0xff, 'i', 'n', 'c', 'i', 'd', 'n', 't' };

void flood_incident_ticket(uint64_t incident, unsigned char id[FLOOD_ID_LEN])
{
	for (int i = 0; i < 8; i++)
		id[i] = (unsigned char)(incident >> (8 * i));
	memcpy(id + 8, TAG, sizeof(TAG));
}

unsigned long long flood_incident(const flood_ticket *t)
{
	uint64_t v = 0;

	if (memcmp(t->id + 8, TAG, sizeof(TAG)) != 0)
		return 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | t->id[i];
	return v;
}

/* The miner forgot an incident (it made room for a new one): so does the
 * table, and its count moves to "others", as an evicted entry's does. */
static void forgot(void *arg, uint64_t incident)
{
	flood *f = arg;
	unsigned char id[FLOOD_ID_LEN];
	fentry *e;

	flood_incident_ticket(incident, id);
	if ((e = flood_find(f, id)) != NULL) {
		flood_evict(f, e);
		f->dirty = 1;
	}
}

omtw_err flood_group_new(flood *f)
{
	incidents_config c = { f->cfg.similarity, f->cfg.maxentries, forgot, f };

	/* without a dedup window no alert is the same as another: each is
	 * posted or held on its own, and its post's progress is its own */
	if (f->cfg.group != FLOOD_GROUP_TEMPLATE || f->cfg.dedup_window <= 0)
		return OMTW_OK;
	return incidents_new(&c, &f->miner);
}

size_t flood_template(const flood *f, const flood_ticket *id, char *buf, size_t size)
{
	if (size)
		buf[0] = '\0';
	if (f->miner == NULL || flood_incident(id) == 0)
		return 0;
	return incidents_template(f->miner, flood_incident(id), buf, size);
}

int flood_groups(const flood *f)
{
	return f->miner != NULL;
}

size_t flood_incidents(const flood *f)
{
	return f->miner ? incidents_count(f->miner) : 0;
}

void flood_note_values(flood *f, const flood_ticket *id, const char *values)
{
	fentry *e;
	fvalues *v;
	size_t len;

	if (values == NULL || values[0] == '\0' || (e = flood_find(f, id->id)) == NULL)
		return;
	if ((v = e->values) == NULL && (v = e->values = calloc(1, sizeof(*v))) == NULL)
		return; /* out of memory: the row shows fewer values */
	len = flood_cut_utf8(values, strlen(values), FLOOD_VALUE_MAX);
	for (size_t i = 0; i < v->n; i++)
		if (strlen(v->kept[i].v) == len && memcmp(v->kept[i].v, values, len) == 0) {
			v->kept[i].count++;
			return;
		}
	if (v->n == FLOOD_VALUES_KEPT)
		return; /* its alert is one of the row's "+N" */
	memcpy(v->kept[v->n].v, values, len);
	v->kept[v->n].v[len] = '\0';
	v->kept[v->n++].count = 1;
}

/* UTF-8 characters in s[0..n). */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* The bytes of s's first k characters. */
static size_t first_chars(const char *s, size_t k)
{
	size_t i = 0;

	for (; s[i] && k > 0; k--)
		for (i++; ((unsigned char)s[i] & 0xC0) == 0x80; i++)
			;
	return i;
}

/* " (v1, v2, v3, +N)": the most frequent values (ties: the first seen),
 * and the alerts of the row they do not account for. */
static void summary(const fentry *e, char *out, size_t size)
{
	const fvalues *v = e->values;
	int shown[FLOOD_VALUES_KEPT] = { 0 };
	unsigned long long listed = 0;
	size_t o = 0;

	out[0] = '\0';
	if (v == NULL || v->n == 0)
		return;
	for (int k = 0; k < FLOOD_VALUES_SHOWN && (size_t)k < v->n; k++) {
		size_t best = v->n;
		for (size_t i = 0; i < v->n; i++)
			if (!shown[i] && (best == v->n || v->kept[i].count > v->kept[best].count))
				best = i;
		shown[best] = 1;
		listed += v->kept[best].count;
		o += (size_t)snprintf(out + o, size - o, "%s%s", k ? ", " : " (", v->kept[best].v);
		if (o >= size)
			return;
	}
	if (e->pending > listed)
		o += (size_t)snprintf(out + o, size - o, ", +%llu", e->pending - listed);
	if (o < size)
		snprintf(out + o, size - o, ")");
}

char *flood_label(const flood *f, const fentry *e)
{
	flood_ticket t;
	char tpl[FLOOD_TEXT_MAX + 5], sum[FLOOD_VALUES_SHOWN * (FLOOD_VALUE_MAX + 2) + 32], *out;
	size_t tlen, keep, slen;

	memcpy(t.id, e->id, FLOOD_ID_LEN);
	if (f->miner == NULL || flood_incident(&t) == 0 ||
	    incidents_template(f->miner, flood_incident(&t), tpl, sizeof(tpl)) == 0)
		return strdup(e->text); /* an exact key, or an incident forgotten: its first line */
	tlen = flood_cut_utf8(tpl, strlen(tpl), FLOOD_TEXT_MAX);
	summary(e, sum, sizeof(sum));
	slen = strlen(sum);
	/* the values must survive the digest's cut of a row: a long template
	 * gives way, marked by an ellipsis */
	keep = tlen;
	if (chars(tpl, tlen) + chars(sum, slen) > FLOOD_LABEL_MAX && slen > 0) {
		size_t room = FLOOD_LABEL_MAX > chars(sum, slen) + 1 ? FLOOD_LABEL_MAX - chars(sum, slen) - 1 : 1;
		keep = first_chars(tpl, room);
	}
	if ((out = malloc(keep + 3 + slen + 1)) == NULL)
		return NULL;
	memcpy(out, tpl, keep);
	if (keep < tlen)
		memcpy(out + keep, "\u2026", 3);
	memcpy(out + keep + (keep < tlen ? 3 : 0), sum, slen + 1);
	return out;
}
