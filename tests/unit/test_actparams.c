/* test_actparams.c - the action parameters that shape what is posted:
 * defaults, rsyslog's reading of a value, every refusal (exact texts, the
 * module's since before this unit) and which refusal comes first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actparams.h"
#include "tap.h"

static char err[512];

/* The message of actparams_check on the defaults changed by one
 * parameter given as text; "" when accepted. */
static const char *check1(const char *name, const char *value)
{
	actparams p;

	actparams_init(&p);
	err[0] = '\0';
	if (actparams_set_text(&p, name, value, err, sizeof(err)) == OMTW_OK &&
	    actparams_check(&p, err, sizeof(err)) == OMTW_OK)
		err[0] = '\0';
	actparams_clear(&p);
	return err;
}

/* The same for NAME=VALUE pairs, through actparams_set_texts. */
static const char *checkn(const char *const *nv, size_t n)
{
	const char *names[16], *values[16];
	actparams p;

	for (size_t i = 0; i < n; i++) {
		names[i] = nv[2 * i];
		values[i] = nv[2 * i + 1];
	}
	actparams_init(&p);
	err[0] = '\0';
	if (actparams_set_texts(&p, names, values, n, err, sizeof(err)) == OMTW_OK &&
	    actparams_check(&p, err, sizeof(err)) == OMTW_OK)
		err[0] = '\0';
	actparams_clear(&p);
	return err;
}
#define CHECKN(...) checkn((const char *const[]){ __VA_ARGS__ }, \
			   sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *) / 2)

static void test_defaults(void)
{
	actparams p;

	actparams_init(&p);
	is_int(p.shape.maxlength, -1, "maxlength: unset until checked");
	is_int(p.shape.split, TT_SPLIT_THREAD, "split: thread");
	is_int(p.shape.maxparts, 4, "maxparts: 4");
	is_int(p.shape.urls, TT_URLS_DEFANG, "urls: defang");
	is_int(p.dm, 0, "mode: tweet");
	ok(p.recipient == NULL, "no recipient");
	is_int(p.flood.dedup_window, 600, "dedup.window: 600");
	is_int(p.flood.rl_interval, 3600, "ratelimit.interval: 3600");
	is_int(p.flood.rl_burst, 10, "ratelimit.burst: 10");
	is_int(p.flood.budget_daily, 17, "budget.daily: 17");
	is_int(p.flood.digest_interval, 900, "digest.interval: 900");
	is_int(p.flood.maxentries, 10000, "dedup.maxentries: 10000");
	is_int(p.flood.group, FLOOD_GROUP_TEMPLATE, "group: template");
	is_int(p.flood.digest_repeat, 14400, "digest.repeat: 14400");
	is_int(p.flood.pace, 1, "budget.pace: on");
	ok(p.flood.similarity == 0.5, "group.similarity: 0.5 (%g)", p.flood.similarity);
	is_int(p.sync_ms, 1000, "statefile.sync: 1000");
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_OK, "the defaults pass the checks");
	is_int(p.shape.maxlength, 280, "and maxlength becomes 280 for tweets");
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_OK && p.shape.maxlength == 280,
	   "a second check changes nothing");

	actparams_init(&p);
	ok(actparams_set_word(&p, "mode", "dm", err, sizeof(err)) == OMTW_OK &&
	   actparams_set_word(&p, "recipient", "1234567890", err, sizeof(err)) == OMTW_OK &&
	   actparams_check(&p, err, sizeof(err)) == OMTW_OK, "mode=dm with a recipient passes");
	is_int(p.shape.maxlength, 10000, "maxlength becomes 10000 for direct messages");
	actparams_clear(&p);
	ok(p.recipient == NULL && p.dm == 0 && p.shape.maxlength == -1, "clear: back to the defaults");
	actparams_clear(&p);
	ok(1, "clearing twice is harmless");

	actparams_init(&p);
	ok(actparams_set_int(&p, "maxlength", -1) == OMTW_OK && actparams_set_word(&p, "mode", "dm", NULL, 0) == OMTW_OK &&
	   actparams_set_word(&p, "recipient", "5", NULL, 0) == OMTW_OK &&
	   actparams_check(&p, NULL, 0) == OMTW_OK && p.shape.maxlength == 10000,
	   "maxlength -1 is the default, as the module always took it");
	actparams_clear(&p);
}

static void test_known(void)
{
	static const char *const names[] = {
		"mode", "recipient", "maxlength", "split", "maxparts", "urls", "dedup.window",
		"dedup.maxentries", "group", "group.similarity", "ratelimit.interval", "ratelimit.burst",
		"budget.daily", "budget.pace", "digest.interval", "digest.repeat", "statefile.sync",
	};
	static const char *const others[] = {
		"dedup.key", "credentials", "endpoint", "template", "tls.cacert", "tls.capath",
		"timeout", "proxy", "errorfile", "statefile", "name", "Mode", "MAXLENGTH", "", "colour",
	};
	int all = 1;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		all &= actparams_known(names[i]);
	ok(all, "the 17 parameters that shape a post are known");
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		ok(!actparams_known(others[i]), "'%s' is not", others[i]);
	ok(!actparams_known(NULL), "nor NULL");
}

/* set_int reaches every field and nothing else */
static void test_set_int(void)
{
	actparams p;

	actparams_init(&p);
	ok(actparams_set_int(&p, "maxlength", 500) == OMTW_OK && p.shape.maxlength == 500, "maxlength");
	ok(actparams_set_int(&p, "maxparts", 7) == OMTW_OK && p.shape.maxparts == 7, "maxparts");
	ok(actparams_set_int(&p, "dedup.window", 1) == OMTW_OK && p.flood.dedup_window == 1, "dedup.window");
	ok(actparams_set_int(&p, "dedup.maxentries", 2) == OMTW_OK && p.flood.maxentries == 2, "dedup.maxentries");
	ok(actparams_set_int(&p, "ratelimit.interval", 3) == OMTW_OK && p.flood.rl_interval == 3, "ratelimit.interval");
	ok(actparams_set_int(&p, "ratelimit.burst", 4) == OMTW_OK && p.flood.rl_burst == 4, "ratelimit.burst");
	ok(actparams_set_int(&p, "budget.daily", 5) == OMTW_OK && p.flood.budget_daily == 5, "budget.daily");
	ok(actparams_set_int(&p, "digest.interval", 6) == OMTW_OK && p.flood.digest_interval == 6, "digest.interval");
	ok(actparams_set_int(&p, "statefile.sync", 8) == OMTW_OK && p.sync_ms == 8, "statefile.sync");
	ok(p.dm == 0 && p.recipient == NULL && p.shape.split == TT_SPLIT_THREAD && p.shape.urls == TT_URLS_DEFANG,
	   "and nothing else changed");
	ok(actparams_set_int(&p, "mode", 1) == OMTW_EINVAL && p.dm == 0, "a word parameter is not an integer");
	ok(actparams_set_int(&p, "timeout", 1) == OMTW_EINVAL, "nor is one that is not known");
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_OK, "all of them in range");
	actparams_clear(&p);

	/* out of the field's range: stored so that the check refuses it */
	actparams_init(&p);
	actparams_set_int(&p, "maxparts", 4294967297LL);
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_EINVAL, "maxparts 2^32+1 does not wrap to 1");
	is_str(err, "parameter 'maxparts' must be between 1 and 25", "it is out of range");
	actparams_set_int(&p, "maxparts", -4294967295LL);
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_EINVAL, "nor does -(2^32-1)");
	actparams_set_int(&p, "maxparts", 25);
	actparams_set_int(&p, "dedup.maxentries", -1);
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_EINVAL, "dedup.maxentries -1 is refused");
	is_str(err, "parameter 'dedup.maxentries' must be between 1 and 80000 alerts", "as out of range");
	actparams_set_int(&p, "dedup.maxentries", 4294967297LL);
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_EINVAL, "dedup.maxentries 2^32+1 too (where size_t is 32 bits)");
	actparams_set_int(&p, "dedup.maxentries", 80000);
	actparams_set_int(&p, "statefile.sync", -9223372036854775807LL - 1);
	ok(actparams_check(&p, err, sizeof(err)) == OMTW_EINVAL, "the smallest long long is refused");
	actparams_clear(&p);
}

static void test_set_word(void)
{
	actparams p;

	actparams_init(&p);
	ok(actparams_set_word(&p, "mode", "DM", err, sizeof(err)) == OMTW_OK && p.dm == 1, "mode DM: case does not matter");
	ok(actparams_set_word(&p, "mode", "Tweet", err, sizeof(err)) == OMTW_OK && p.dm == 0, "mode Tweet");
	ok(actparams_set_word(&p, "split", "Truncate", err, sizeof(err)) == OMTW_OK &&
	   p.shape.split == TT_SPLIT_TRUNCATE, "split Truncate");
	ok(actparams_set_word(&p, "split", "thread", err, sizeof(err)) == OMTW_OK &&
	   p.shape.split == TT_SPLIT_THREAD, "split thread");
	ok(actparams_set_word(&p, "urls", "KEEP", err, sizeof(err)) == OMTW_OK && p.shape.urls == TT_URLS_KEEP,
	   "urls KEEP");
	ok(actparams_set_word(&p, "urls", "defang", err, sizeof(err)) == OMTW_OK &&
	   p.shape.urls == TT_URLS_DEFANG, "urls defang");

	ok(actparams_set_word(&p, "budget.pace", "Off", err, sizeof(err)) == OMTW_OK && p.flood.pace == 0, "budget.pace Off");
	ok(actparams_set_word(&p, "budget.pace", "on", err, sizeof(err)) == OMTW_OK && p.flood.pace == 1, "budget.pace on");
	ok(actparams_set_word(&p, "budget.pace", "yes", err, sizeof(err)) == OMTW_EINVAL && p.flood.pace == 1,
	   "budget.pace yes is refused");
	is_str(err, "parameter 'budget.pace': 'yes' is not one of on, off", "with the words it may be");
	ok(actparams_set_word(&p, "group", "Exact", err, sizeof(err)) == OMTW_OK && p.flood.group == FLOOD_GROUP_EXACT,
	   "group Exact");
	ok(actparams_set_word(&p, "group", "template", err, sizeof(err)) == OMTW_OK &&
	   p.flood.group == FLOOD_GROUP_TEMPLATE, "group template");
	ok(actparams_set_word(&p, "group", "fuzzy", err, sizeof(err)) == OMTW_EINVAL &&
	   p.flood.group == FLOOD_GROUP_TEMPLATE, "group fuzzy is refused");
	is_str(err, "parameter 'group': 'fuzzy' is not one of template, exact", "with the words it may be");
	static const struct {
		const char *text;
		double v;
	} sims[] = { { "0.45", 0.45 }, { "1", 1 }, { "0", 0 }, { ".3", 0.3 }, { "1.0", 1 }, { "0.999999", 0.999999 },
		     { "1.", 1 }, { "0.5", 0.5 } };
	for (size_t i = 0; i < sizeof(sims) / sizeof(sims[0]); i++) {
		double d;
		int good = actparams_set_word(&p, "group.similarity", sims[i].text, err, sizeof(err)) == OMTW_OK;
		d = p.flood.similarity - sims[i].v;
		ok(good && d < 1e-9 && d > -1e-9, "group.similarity '%s' is %g", sims[i].text, sims[i].v);
	}
	static const char *const badsims[] = { "1.5", "0,5", "-0.1", "abc", "", ".", "0.5x", "2", "1.01", "01" };
	for (size_t i = 0; i < sizeof(badsims) / sizeof(badsims[0]); i++)
		ok(actparams_set_word(&p, "group.similarity", badsims[i], err, sizeof(err)) == OMTW_EINVAL &&
		   p.flood.similarity == 0.5, "group.similarity '%s' is refused, the value kept", badsims[i]);
	is_str(err, "parameter 'group.similarity': '01' is not a number from 0 to 1 (the share of an incident's "
		    "words a line must match, like 0.5)", "saying what it is");
	ok(actparams_set_word(&p, "mode", "sms", err, sizeof(err)) == OMTW_EINVAL && p.dm == 0, "mode sms is refused");
	is_str(err, "parameter 'mode': 'sms' is not one of tweet, dm", "with the words it may be");
	ok(actparams_set_word(&p, "split", "wrap", err, sizeof(err)) == OMTW_EINVAL, "split wrap is refused");
	is_str(err, "parameter 'split': 'wrap' is not one of thread, truncate", "with the words it may be");
	ok(actparams_set_word(&p, "urls", "drop", err, sizeof(err)) == OMTW_EINVAL, "urls drop is refused");
	is_str(err, "parameter 'urls': 'drop' is not one of defang, keep", "with the words it may be");
	ok(actparams_set_word(&p, "mode", "", err, sizeof(err)) == OMTW_EINVAL, "an empty mode is refused");
	is_str(err, "parameter 'mode': '' is not one of tweet, dm", "as rsyslogd -N1 says it");
	ok(actparams_set_word(&p, "mode", "dms", err, sizeof(err)) == OMTW_EINVAL, "a word is matched whole");
	ok(actparams_set_word(&p, "mode", "thread", err, sizeof(err)) == OMTW_EINVAL && p.dm == 0,
	   "another parameter's word is refused");
	is_str(err, "parameter 'mode': 'thread' is not one of tweet, dm", "as any other");
	ok(actparams_set_word(&p, "mode", "sms", NULL, 0) == OMTW_EINVAL, "without a message buffer too");

	ok(actparams_set_word(&p, "recipient", "@someone", err, sizeof(err)) == OMTW_OK &&
	   !strcmp(p.recipient, "@someone"), "recipient is kept as given (the check judges it)");
	ok(actparams_set_word(&p, "recipient", "42", err, sizeof(err)) == OMTW_OK && !strcmp(p.recipient, "42"),
	   "a second one replaces it");
	ok(actparams_set_word(&p, "maxlength", "50", err, sizeof(err)) == OMTW_EINVAL, "maxlength is no word");
	ok(actparams_set_word(&p, "dedup.key", "tpl", err, sizeof(err)) == OMTW_EINVAL, "dedup.key is not taken");
	actparams_clear(&p);
}

/* rsyslog's reading of an integer, as rsyslogd -N1 8.2302.0 (libestr
 * 0.1.11) was seen to take maxlength="..." */
static void test_set_text_numbers(void)
{
	static const struct {
		const char *text;
		long long value;
	} good[] = {
		{ "280", 280 }, { "0", 0 }, { "00", 0 }, { "-5", -5 },
		{ "012", 10 },  /* octal: rsyslog accepted urls="keep" maxlength="047" ... as 39 */
		{ "047", 39 },
		{ "-012", -12 }, /* but not after a '-' */
		{ "-", 0 }, { "-0", 0 },  /* budget.daily="-" was accepted */
		{ "9223372036854775807", 9223372036854775807LL },
		{ "18446744073709551616", 0 }, /* wraps: dedup.window="18446744073709551616" accepted */
		{ "99999999999999999999", 7766279631452241919LL },
	};
	static const char *const bad[] = {
		"abc", "12abc", "1k", " 12", "12 ", "\t12", "0x10", "0x32", "0x", "0x123456", "0X10", "+50", "", "08", "1.5", "1e3",
		"--5", "-0x10", "1 2", "+",
	};
	actparams p;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		actparams_init(&p);
		ok(actparams_set_text(&p, "dedup.window", good[i].text, err, sizeof(err)) == OMTW_OK &&
		   p.flood.dedup_window == good[i].value, "'%s' is read as %lld", good[i].text, good[i].value);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		actparams_init(&p);
		err[0] = '\0';
		ok(actparams_set_text(&p, "maxlength", bad[i], err, sizeof(err)) == OMTW_EINVAL &&
		   p.shape.maxlength == -1, "'%s' is not a number, and maxlength stays unset", bad[i]);
		is_str(err, "parameter 'maxlength' is not a proper number", "rsyslog's message for '%s'", bad[i]);
	}
	is_str(check1("maxparts", "x"), "parameter 'maxparts' is not a proper number", "it names the parameter");
	is_str(check1("statefile.sync", "1s"), "parameter 'statefile.sync' is not a proper number",
	       "statefile.sync too");
	is_str(check1("maxlength", "-1"), "", "maxlength -1: the default");
	is_str(check1("maxlength", "-5"), "parameter 'maxlength' must be between 10 and 25000 weighted "
	       "characters for mode=\"tweet\"", "a negative number is read, then out of range");
	is_str(check1("ratelimit.burst", "-"), "parameter 'ratelimit.burst' must be between 1 and 100000 posts",
	       "'-' is 0, as rsyslog reads it");
	is_str(check1("maxparts", "4294967297"), "parameter 'maxparts' must be between 1 and 25",
	       "maxparts 2^32+1 is refused (the module used to take it as 1)");
}

static void test_set_text_words(void)
{
	actparams p;

	actparams_init(&p);
	ok(actparams_set_text(&p, "mode", "dm", err, sizeof(err)) == OMTW_OK && p.dm == 1, "mode dm as text");
	ok(actparams_set_text(&p, "split", "TRUNCATE", err, sizeof(err)) == OMTW_OK &&
	   p.shape.split == TT_SPLIT_TRUNCATE, "split TRUNCATE as text");
	ok(actparams_set_text(&p, "urls", "Keep", err, sizeof(err)) == OMTW_OK && p.shape.urls == TT_URLS_KEEP,
	   "urls Keep as text");
	ok(actparams_set_text(&p, "recipient", "1234567890", err, sizeof(err)) == OMTW_OK &&
	   !strcmp(p.recipient, "1234567890"), "recipient as text");
	ok(actparams_set_text(&p, "mode", "dm x", err, sizeof(err)) == OMTW_EINVAL, "a word with a space is refused");
	is_str(err, "parameter 'mode' contains whitespace, which is not permitted", "with rsyslog's message");
	ok(actparams_set_text(&p, "recipient", "12 34", err, sizeof(err)) == OMTW_EINVAL &&
	   !strcmp(p.recipient, "1234567890"), "so is a recipient with one, and the old one stays");
	is_str(err, "parameter 'recipient' contains whitespace, which is not permitted", "with rsyslog's message");
	ok(actparams_set_text(&p, "split", "\tthread", err, sizeof(err)) == OMTW_EINVAL, "a tab is white space too");
	ok(actparams_set_text(&p, "urls", "drop", err, sizeof(err)) == OMTW_EINVAL, "a wrong word as text");
	is_str(err, "parameter 'urls': 'drop' is not one of defang, keep", "has the module's message");
	ok(actparams_set_text(&p, "mode", "", err, sizeof(err)) == OMTW_EINVAL, "so has an empty one");
	is_str(err, "parameter 'mode': '' is not one of tweet, dm", "(no white space in it)");
	ok(actparams_set_text(&p, "dedup.key", "tpl", err, sizeof(err)) == OMTW_EINVAL, "dedup.key is not taken");
	is_str(err, "parameter 'dedup.key' is not one that shapes what is posted (mode, recipient, "
	       "maxlength, split, maxparts, urls, dedup.window, dedup.maxentries, group, group.similarity, ratelimit.interval, "
	       "ratelimit.burst, budget.daily, budget.pace, digest.interval, digest.repeat, statefile.sync)", "and says which are");
	ok(actparams_set_text(&p, "credentials", "/x", NULL, 0) == OMTW_EINVAL, "nor credentials");
	actparams_clear(&p);
}

/* Every refusal of actparams_check, each at its bounds. */
static void test_ranges(void)
{
	static const struct {
		const char *name, *below, *low, *high, *above, *msg;
	} r[] = {
		{ "maxparts", "0", "1", "25", "26", "parameter 'maxparts' must be between 1 and 25" },
		{ "dedup.window", "-1", "0", "604800", "604801",
		  "parameter 'dedup.window' must be between 0 and 604800 seconds (0: no dedup)" },
		{ "ratelimit.interval", "-1", "0", "604800", "604801",
		  "parameter 'ratelimit.interval' must be between 0 and 604800 seconds (0: no local limit)" },
		{ "ratelimit.burst", "0", "1", "100000", "100001",
		  "parameter 'ratelimit.burst' must be between 1 and 100000 posts" },
		{ "budget.daily", "-1", "0", "100000", "100001",
		  "parameter 'budget.daily' must be between 0 and 100000 posts (0: no daily cap)" },
		{ "digest.interval", "0", "1", "604800", "604801",
		  "parameter 'digest.interval' must be between 1 and 604800 seconds" },
		{ "digest.repeat", "-1", "0", "604800", "604801",
		  "parameter 'digest.repeat' must be between 0 and 604800 seconds (0: restate in every digest)" },
		{ "dedup.maxentries", "0", "1", "80000", "80001",
		  "parameter 'dedup.maxentries' must be between 1 and 80000 alerts" },
		{ "statefile.sync", "-1", "0", "60000", "60001", "parameter 'statefile.sync' must be between 0 "
		  "and 60000 milliseconds (0: save before acknowledging each alert)" },
		{ "maxlength", "9", "10", "25000", "25001",
		  "parameter 'maxlength' must be between 10 and 25000 weighted characters for mode=\"tweet\"" },
	};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		is_str(check1(r[i].name, r[i].below), r[i].msg, "%s=%s is refused", r[i].name, r[i].below);
		is_str(check1(r[i].name, r[i].low), "", "%s=%s is taken", r[i].name, r[i].low);
		is_str(check1(r[i].name, r[i].high), "", "%s=%s is taken", r[i].name, r[i].high);
		is_str(check1(r[i].name, r[i].above), r[i].msg, "%s=%s is refused", r[i].name, r[i].above);
	}
	is_str(CHECKN("mode", "dm", "recipient", "1", "maxlength", "10000"), "", "dm: maxlength 10000 is taken");
	is_str(CHECKN("mode", "dm", "recipient", "1", "maxlength", "10001"),
	       "parameter 'maxlength' must be between 10 and 10000 weighted characters for mode=\"dm\"",
	       "dm: maxlength 10001 is refused, with dm's limit");
	is_str(CHECKN("mode", "dm", "recipient", "1", "maxlength", "9"),
	       "parameter 'maxlength' must be between 10 and 10000 weighted characters for mode=\"dm\"",
	       "dm: maxlength 9 too");

	const char *keep = "with urls=\"keep\" parameter 'maxlength' must be at least 40 (a URL counts 23 "
			   "and a thread part also carries \" (k/n)\")";
	is_str(CHECKN("urls", "keep", "maxlength", "39"), keep, "urls=keep: maxlength 39 is refused");
	is_str(CHECKN("urls", "keep", "maxlength", "40"), "", "maxlength 40 is taken");
	is_str(CHECKN("urls", "defang", "maxlength", "39"), "", "with urls=defang 39 is fine");
	is_str(CHECKN("urls", "keep", "mode", "dm", "recipient", "7"), "", "urls=keep with dm's default length");
}

static void test_recipient(void)
{
	const char *need = "mode=\"dm\" needs parameter 'recipient': the numeric user id to message "
			   "(omtwitter-auth --verify FILE --dm-to @handle looks it up)";
	const char *notid = "is not a numeric user id (1 to 19 digits); X sends direct messages to ids only: "
			    "look it up with omtwitter-auth --verify FILE --dm-to ";
	char want[512];
	const char *only = "parameter 'recipient' is only used with mode=\"dm\"";

	is_str(CHECKN("mode", "dm"), need, "dm without a recipient is refused");
	snprintf(want, sizeof(want), "parameter 'recipient': '@someone' %s@someone", notid);
	is_str(CHECKN("mode", "dm", "recipient", "@someone"), want, "a @handle: not an id, and how to look it up");
	snprintf(want, sizeof(want), "parameter 'recipient': 'someone' %s@someone", notid);
	is_str(CHECKN("mode", "dm", "recipient", "someone"), want, "a handle without the @ too");
	is_str(CHECKN("mode", "dm", "recipient", ""), need, "an empty one is missing");
	snprintf(want, sizeof(want), "parameter 'recipient': '-12' %s@-12", notid);
	is_str(CHECKN("mode", "dm", "recipient", "-12"), want, "a negative one is not an id");
	snprintf(want, sizeof(want), "parameter 'recipient': '12345678901234567890' %s@12345678901234567890", notid);
	is_str(CHECKN("mode", "dm", "recipient", "12345678901234567890"), want, "nor are 20 digits");
	is_str(CHECKN("mode", "dm", "recipient", "1234567890123456789"), "", "19 digits are an id");
	is_str(CHECKN("recipient", "123"), only, "a recipient without dm is refused");
	is_str(CHECKN("mode", "tweet", "recipient", ""), only, "even an empty one");
	is_str(CHECKN("mode", "TWEET"), "", "tweet without one is fine");
}

/* The first failing check wins, in the module's order. */
static void test_order(void)
{
	is_str(CHECKN("mode", "dm", "maxlength", "5", "maxparts", "0"),
	       "mode=\"dm\" needs parameter 'recipient': the numeric user id to message "
	       "(omtwitter-auth --verify FILE --dm-to @handle looks it up)", "the recipient before maxlength");
	is_str(CHECKN("recipient", "1", "maxlength", "5"), "parameter 'recipient' is only used with mode=\"dm\"",
	       "a recipient without dm before maxlength");
	is_str(CHECKN("maxlength", "5", "urls", "keep", "maxparts", "0"),
	       "parameter 'maxlength' must be between 10 and 25000 weighted characters for mode=\"tweet\"",
	       "maxlength before urls=keep and maxparts");
	is_str(CHECKN("maxlength", "39", "urls", "keep", "maxparts", "0"),
	       "with urls=\"keep\" parameter 'maxlength' must be at least 40 (a URL counts 23 and a thread "
	       "part also carries \" (k/n)\")", "urls=keep before maxparts");
	is_str(CHECKN("maxparts", "0", "dedup.window", "-1"), "parameter 'maxparts' must be between 1 and 25",
	       "maxparts before flood control");

	/* the flood ranges: all bad, then fixed one at a time */
	static const char *const ranges[][2] = {
		{ "dedup.window", "-1" }, { "ratelimit.interval", "-1" }, { "ratelimit.burst", "0" },
		{ "budget.daily", "-1" }, { "digest.interval", "0" }, { "dedup.maxentries", "0" },
		{ "statefile.sync", "-1" },
	};
	size_t nf = sizeof(ranges) / sizeof(ranges[0]);
	for (size_t first = 0; first < nf; first++) {
		actparams p;
		char want[64];

		actparams_init(&p);
		for (size_t i = first; i < nf; i++) /* given last first: their order does not matter */
			actparams_set_text(&p, ranges[nf - 1 - i + first][0], ranges[nf - 1 - i + first][1], NULL, 0);
		actparams_check(&p, err, sizeof(err));
		snprintf(want, sizeof(want), "parameter '%s' must be", ranges[first][0]);
		ok(!strncmp(err, want, strlen(want)), "%s is reported before the %zu after it", ranges[first][0],
		   nf - 1 - first);
		actparams_clear(&p);
	}
}

/* actparams_set_texts: the first message is the first rsyslogd -N1 prints */
static void test_set_texts(void)
{
	actparams p;

	is_str(CHECKN("split", "wrap", "mode", "sms"), "parameter 'mode': 'sms' is not one of tweet, dm",
	       "mode is taken before split, whatever the order given");
	is_str(CHECKN("mode", "sms", "maxlength", "abc"), "parameter 'maxlength' is not a proper number",
	       "rsyslog reads the numbers before the module sees a word");
	is_str(CHECKN("maxlength", "z", "mode", "a b"), "parameter 'mode' contains whitespace, which is "
	       "not permitted", "rsyslog's own refusals in the module's parameter order");
	is_str(CHECKN("maxparts", "y", "maxlength", "x"), "parameter 'maxlength' is not a proper number",
	       "maxlength before maxparts");
	is_str(CHECKN("mode", "sms", "maxparts", "99"), "parameter 'mode': 'sms' is not one of tweet, dm",
	       "a wrong word before a range check");
	is_str(CHECKN("maxlength", "50", "maxlength", "5"), "parameter 'maxlength' specified more than once",
	       "a parameter given twice is refused");
	is_str(CHECKN("mode", "dm", "timeout", "5"), "parameter 'timeout' is not one that shapes what is posted "
	       "(mode, recipient, maxlength, split, maxparts, urls, dedup.window, dedup.maxentries, group, group.similarity, "
	       "ratelimit.interval, ratelimit.burst, budget.daily, budget.pace, digest.interval, digest.repeat, statefile.sync)",
	       "so is one that is not known");
	is_str(CHECKN("mode", "DM", "recipient", "123", "split", "Truncate", "urls", "KEEP"), "",
	       "words in any case, as rsyslogd -N1 took them");

	const char *names[] = { "statefile.sync", "digest.interval", "budget.daily", "ratelimit.burst",
				"ratelimit.interval", "dedup.maxentries", "dedup.window", "urls", "maxparts",
				"split", "maxlength", "recipient", "mode" };
	const char *values[] = { "0", "1", "0", "100000", "0", "1", "0", "keep", "25", "truncate", "050",
				 "99", "dm" };
	actparams_init(&p);
	ok(actparams_set_texts(&p, names, values, 13, err, sizeof(err)) == OMTW_OK &&
	   actparams_check(&p, err, sizeof(err)) == OMTW_OK, "all 13 at once");
	ok(p.sync_ms == 0 && p.flood.digest_interval == 1 && p.flood.budget_daily == 0 &&
	   p.flood.rl_burst == 100000 && p.flood.rl_interval == 0 && p.flood.maxentries == 1 &&
	   p.flood.dedup_window == 0 && p.shape.urls == TT_URLS_KEEP && p.shape.maxparts == 25 &&
	   p.shape.split == TT_SPLIT_TRUNCATE && p.shape.maxlength == 40 && !strcmp(p.recipient, "99") &&
	   p.dm == 1, "each where it belongs (maxlength 050 is octal 40)");
	actparams_clear(&p);
	actparams_init(&p);
	ok(actparams_set_texts(&p, NULL, NULL, 0, err, sizeof(err)) == OMTW_OK &&
	   actparams_check(&p, err, sizeof(err)) == OMTW_OK && p.shape.maxlength == 280, "none at all: the defaults");
	actparams_clear(&p);
}

static void test_messages(void)
{
	actparams p;
	char small[12];

	actparams_init(&p);
	actparams_set_int(&p, "maxparts", 0);
	ok(actparams_check(&p, NULL, 0) == OMTW_EINVAL, "a refusal without a message buffer");
	ok(actparams_check(&p, small, sizeof(small)) == OMTW_EINVAL && strlen(small) == sizeof(small) - 1 &&
	   !strncmp(small, "parameter '", sizeof(small) - 1), "a small buffer holds the message's start");
	actparams_clear(&p);
}

int main(void)
{
	test_defaults();
	test_known();
	test_set_int();
	test_set_word();
	test_set_text_numbers();
	test_set_text_words();
	test_ranges();
	test_recipient();
	test_order();
	test_set_texts();
	test_messages();
	return tap_done();
}
