/* actparams.c - the action parameters that shape what is posted. */
#include "actparams.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libestr.h>

#include "incidents.h"
#include "xapi.h"

/* The parameters in the order of the module's parameter table (actpdescr
 * in omtwitter.c), which is the order rsyslog reads them in and the module
 * takes them in: the first refusal among several depends on it.  (The
 * module's dedup.key, between dedup.window and dedup.maxentries, names an
 * rsyslog template: it is not one of these.) */
static const char *const order[] = {
	"mode", "recipient", "maxlength", "split", "maxparts", "urls", "dedup.window",
	"dedup.maxentries", "group", "group.similarity", "ratelimit.interval", "ratelimit.burst", "budget.daily",
	"budget.pace", "digest.interval", "digest.repeat", "statefile.sync",
};
#define NPARAMS (sizeof(order) / sizeof(order[0]))

/* The integer parameters, in the order the module checks their ranges
 * (maxlength's range depends on the mode: checked by actparams_check). */
enum { T_LONG, T_INT, T_SIZE };
static const struct intparam {
	const char *name;
	size_t off;
	int type;
	long min, max;
	const char *unit; /* after "must be between MIN and MAX" */
} ints[] = {
	{ "maxlength", offsetof(actparams, shape.maxlength), T_LONG, 0, 0, NULL },
	{ "maxparts", offsetof(actparams, shape.maxparts), T_INT, 1, TWEETTEXT_MAX_PARTS, NULL },
	{ "dedup.window", offsetof(actparams, flood.dedup_window), T_LONG, 0, 86400 * 7,
	  "seconds (0: no dedup)" },
	{ "ratelimit.interval", offsetof(actparams, flood.rl_interval), T_LONG, 0, 86400 * 7,
	  "seconds (0: no local limit)" },
	{ "ratelimit.burst", offsetof(actparams, flood.rl_burst), T_LONG, 1, FLOOD_BUDGET_MAX, "posts" },
	{ "budget.daily", offsetof(actparams, flood.budget_daily), T_LONG, 0, FLOOD_BUDGET_MAX,
	  "posts (0: no daily cap)" },
	{ "digest.interval", offsetof(actparams, flood.digest_interval), T_LONG, 1, 86400 * 7, "seconds" },
	{ "digest.repeat", offsetof(actparams, flood.digest_repeat), T_LONG, 0, 86400 * 7,
	  "seconds (0: restate in every digest)" },
	{ "dedup.maxentries", offsetof(actparams, flood.maxentries), T_SIZE, 1, FLOOD_ENTRIES_MAX, "alerts" },
	{ "statefile.sync", offsetof(actparams, sync_ms), T_LONG, 0, 60000,
	  "milliseconds (0: save before acknowledging each alert)" },
};
#define NINTS (sizeof(ints) / sizeof(ints[0]))

/* The words of mode, split and urls, in the order the message lists them. */
static const struct {
	const char *param, *word;
	int value;
} choices[] = {
	{ "mode", "tweet", 0 }, { "mode", "dm", 1 },
	{ "split", "thread", TT_SPLIT_THREAD }, { "split", "truncate", TT_SPLIT_TRUNCATE },
	{ "urls", "defang", TT_URLS_DEFANG }, { "urls", "keep", TT_URLS_KEEP },
	{ "group", "template", FLOOD_GROUP_TEMPLATE }, { "group", "exact", FLOOD_GROUP_EXACT },
	{ "budget.pace", "on", 1 }, { "budget.pace", "off", 0 },
};
#define NCHOICES (sizeof(choices) / sizeof(choices[0]))

void actparams_init(actparams *p)
{
	*p = (actparams){
		.shape = { .maxlength = -1, .split = TT_SPLIT_THREAD, .maxparts = 4,
			   .urls = TT_URLS_DEFANG },
		.flood = { .dedup_window = 600, .rl_interval = 3600, .rl_burst = 10,
			   .budget_daily = 17, .digest_interval = 900, .maxentries = 10000,
			   .group = FLOOD_GROUP_TEMPLATE, .similarity = INCIDENTS_SIMILARITY_DEFAULT,
			   .digest_repeat = 14400, .pace = 1 },
		.dm = 0,
		.recipient = NULL,
		.sync_ms = 1000,
	};
}

void actparams_clear(actparams *p)
{
	free(p->recipient);
	actparams_init(p);
}

static int order_index(const char *name)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (!strcmp(order[i], name))
			return (int)i;
	return -1;
}

/* The refusal of a name that is not one of these parameters. */
static omtw_err unknown(const char *name, char *err, size_t errlen)
{
	char list[256] = "";

	for (size_t j = 0; j < NPARAMS; j++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", j ? ", " : "", order[j]);
	omtw_errmsg(err, errlen, "parameter '%s' is not one that shapes what is posted (%s)", name, list);
	return OMTW_EINVAL;
}

int actparams_known(const char *name)
{
	return name != NULL && order_index(name) >= 0;
}

static const struct intparam *find_int(const char *name)
{
	for (size_t i = 0; i < NINTS; i++)
		if (!strcmp(ints[i].name, name))
			return &ints[i];
	return NULL;
}

static long long clamp(long long v, long long lo, long long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

omtw_err actparams_set_int(actparams *p, const char *name, long long v)
{
	const struct intparam *ip = find_int(name);
	char *field;

	if (ip == NULL)
		return OMTW_EINVAL;
	field = (char *)p + ip->off;
	switch (ip->type) {
	case T_LONG:
		*(long *)field = (long)clamp(v, LONG_MIN, LONG_MAX);
		break;
	case T_INT:
		*(int *)field = (int)clamp(v, INT_MIN, INT_MAX);
		break;
	default:
		*(size_t *)field = v < 0 ? 0 : (unsigned long long)v > SIZE_MAX ? SIZE_MAX : (size_t)v;
		break;
	}
	return OMTW_OK;
}

/* An integer field's value, whatever its type. */
static long long get_int(const actparams *p, const struct intparam *ip)
{
	const char *field = (const char *)p + ip->off;
	size_t z;

	switch (ip->type) {
	case T_LONG:
		return *(const long *)field;
	case T_INT:
		return *(const int *)field;
	default:
		z = *(const size_t *)field;
		return z > (size_t)LLONG_MAX ? LLONG_MAX : (long long)z;
	}
}

/* group.similarity: a decimal from 0 to 1 ("0.5", "1", ".45"), read
 * without the locale (rsyslogd's may have a decimal comma). */
static omtw_err set_similarity(actparams *p, const char *word, char *err, size_t errlen)
{
	const char *c = word;
	double v = 0, scale = 1;
	int digits = 0;

	if (*c == '0' || *c == '1') {
		v = *c++ - '0';
		digits++;
	}
	if (*c == '.')
		for (c++; *c >= '0' && *c <= '9' && digits < 12; c++, digits++)
			v += (*c - '0') * (scale /= 10);
	if (*c != '\0' || digits == 0 || v > 1) {
		omtw_errmsg(err, errlen, "parameter 'group.similarity': '%s' is not a number from 0 to 1 "
			    "(the share of an incident's words a line must match, like 0.5)", word);
		return OMTW_EINVAL;
	}
	p->flood.similarity = v;
	return OMTW_OK;
}

omtw_err actparams_set_word(actparams *p, const char *name, const char *word, char *err,
			    size_t errlen)
{
	char words[64] = "";
	size_t i;
	int any = 0;

	if (!strcmp(name, "group.similarity"))
		return set_similarity(p, word, err, errlen);
	if (!strcmp(name, "recipient")) {
		char *r = strdup(word);

		if (r == NULL)
			return OMTW_ENOMEM;
		free(p->recipient);
		p->recipient = r;
		return OMTW_OK;
	}
	for (i = 0; i < NCHOICES; i++)
		if (!strcmp(choices[i].param, name)) {
			any = 1;
			if (!strcasecmp(choices[i].word, word))
				break;
		}
	if (!any)
		return OMTW_EINVAL;
	if (i == NCHOICES) {
		for (size_t k = 0; k < NCHOICES; k++)
			if (!strcmp(choices[k].param, name))
				snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s",
					 words[0] ? ", " : "", choices[k].word);
		omtw_errmsg(err, errlen, "parameter '%s': '%s' is not one of %s", name, word, words);
		return OMTW_EINVAL;
	}
	if (!strcmp(name, "mode"))
		p->dm = choices[i].value;
	else if (!strcmp(name, "group"))
		p->flood.group = choices[i].value;
	else if (!strcmp(name, "budget.pace"))
		p->flood.pace = choices[i].value;
	else if (!strcmp(name, "split"))
		p->shape.split = (tt_split)choices[i].value;
	else
		p->shape.urls = (tt_urls)choices[i].value;
	return OMTW_OK;
}

/* What rsyslog's config parser does with the text of an integer or word
 * parameter before the module sees it (grammar/rainerscript.c, doGetInt
 * and doGetWord); the two messages are rsyslog's, word for word. */
static omtw_err parse_text(const char *name, const char *value, long long *num, char *err,
			   size_t errlen)
{
	if (find_int(name) != NULL) {
		es_str_t *s = NULL;
		int complete = 0;

		/* The number is read by rsyslog's own parser, libestr's
		 * es_str2num (decimal, '-' before it, octal after a leading 0,
		 * wrapping on overflow), except for "0x...": there es_str2num
		 * (0.1.11) reads two bytes past the value and succeeds only if
		 * those happen to be hex digits, so rsyslogd -N1 refuses
		 * maxlength="0x32" in practice; here it is always refused. */
		if (value[0] != '0' || value[1] != 'x') {
			/* es_newStrFromCStr only copies the bytes it is given */
			if ((s = es_newStrFromCStr((char *)value, strlen(value))) == NULL)
				return OMTW_ENOMEM;
			*num = es_str2num(s, &complete);
			es_deleteStr(s);
		}
		if (!complete) {
			omtw_errmsg(err, errlen, "parameter '%s' is not a proper number", name);
			return OMTW_EINVAL;
		}
		return OMTW_OK;
	}
	for (const char *c = value; *c; c++)
		if (isspace((unsigned char)*c)) {
			omtw_errmsg(err, errlen, "parameter '%s' contains whitespace, which is not "
				    "permitted", name);
			return OMTW_EINVAL;
		}
	return OMTW_OK;
}

omtw_err actparams_set_text(actparams *p, const char *name, const char *value, char *err,
			    size_t errlen)
{
	long long n = 0;
	omtw_err e;

	if (!actparams_known(name))
		return unknown(name, err, errlen);
	if ((e = parse_text(name, value, &n, err, errlen)) != OMTW_OK)
		return e;
	return find_int(name) ? actparams_set_int(p, name, n)
			      : actparams_set_word(p, name, value, err, errlen);
}

omtw_err actparams_set_texts(actparams *p, const char *const *names, const char *const *values,
			     size_t n, char *err, size_t errlen)
{
	size_t given[NPARAMS]; /* index + 1 into names of each parameter, 0: not given */
	long long num;
	omtw_err e;

	memset(given, 0, sizeof(given));
	for (size_t i = 0; i < n; i++) {
		int k = order_index(names[i]);

		if (k < 0)
			return unknown(names[i], err, errlen);
		if (given[k]) {
			omtw_errmsg(err, errlen, "parameter '%s' specified more than once", names[i]);
			return OMTW_EINVAL;
		}
		given[k] = i + 1;
	}
	/* rsyslog reads every value first (and refuses the action if one is
	 * bad, before the module sees any), then the module takes them */
	for (size_t k = 0; k < NPARAMS; k++)
		if (given[k] && (e = parse_text(order[k], values[given[k] - 1], &num, err, errlen)) != OMTW_OK)
			return e;
	for (size_t k = 0; k < NPARAMS; k++)
		if (given[k] && (e = actparams_set_text(p, order[k], values[given[k] - 1], err, errlen)) != OMTW_OK)
			return e;
	return OMTW_OK;
}

omtw_err actparams_check(actparams *p, char *err, size_t errlen)
{
	long max = p->dm ? ACTPARAMS_DM_MAXLENGTH : ACTPARAMS_TWEET_MAXLENGTH_MAX;

	if (p->dm && (p->recipient == NULL || p->recipient[0] == '\0')) {
		omtw_errmsg(err, errlen, "mode=\"dm\" needs parameter 'recipient': the numeric user id "
			    "to message (omtwitter-auth --verify FILE --dm-to @handle looks it up)");
		return OMTW_EINVAL;
	}
	if (p->dm && !xapi_is_user_id(p->recipient)) {
		/* set, but not an id: a @handle most often (X's DM API takes ids only) */
		omtw_errmsg(err, errlen, "parameter 'recipient': '%.64s' is not a numeric user id (1 to 19 digits); "
			    "X sends direct messages to ids only: look it up with omtwitter-auth --verify FILE "
			    "--dm-to %s%.64s", p->recipient, p->recipient[0] == '@' ? "" : "@", p->recipient);
		return OMTW_EINVAL;
	}
	if (!p->dm && p->recipient) {
		omtw_errmsg(err, errlen, "parameter 'recipient' is only used with mode=\"dm\"");
		return OMTW_EINVAL;
	}
	/* -1 is "not set" (so maxlength="-1" also means the default, as always) */
	if (p->shape.maxlength == -1)
		p->shape.maxlength = p->dm ? ACTPARAMS_DM_MAXLENGTH : ACTPARAMS_TWEET_MAXLENGTH;
	if (p->shape.maxlength < 10 || p->shape.maxlength > max) {
		omtw_errmsg(err, errlen, "parameter 'maxlength' must be between 10 and %ld weighted "
			    "characters for mode=\"%s\"", max, p->dm ? "dm" : "tweet");
		return OMTW_EINVAL;
	}
	if (p->shape.urls == TT_URLS_KEEP && p->shape.maxlength < ACTPARAMS_KEEP_MIN_LENGTH) {
		/* a kept URL counts 23 and cannot be split: it must fit a part */
		omtw_errmsg(err, errlen, "with urls=\"keep\" parameter 'maxlength' must be at least %d "
			    "(a URL counts 23 and a thread part also carries \" (k/n)\")",
			    ACTPARAMS_KEEP_MIN_LENGTH);
		return OMTW_EINVAL;
	}
	for (size_t i = 1; i < NINTS; i++) { /* maxparts, then the flood control ranges */
		const struct intparam *ip = &ints[i];
		long long v = get_int(p, ip);

		if (v < ip->min || v > ip->max) {
			omtw_errmsg(err, errlen, "parameter '%s' must be between %ld and %ld%s%s",
				    ip->name, ip->min, ip->max, ip->unit ? " " : "",
				    ip->unit ? ip->unit : "");
			return OMTW_EINVAL;
		}
	}
	return OMTW_OK;
}
