/* actparams.h - the action parameters that shape what is posted, and their
 * checks: one unit for the module (rsyslogd -N1 and every start) and for
 * omtwitter-replay --set NAME=VALUE, so both take and refuse the same
 * values with the same messages.
 *
 * The parameters: mode (tweet|dm), recipient (numeric user id, only with
 * mode="dm"), maxlength, split (thread|truncate), maxparts, urls
 * (defang|keep), dedup.window, dedup.maxentries, group (template|exact),
 * group.similarity (0..1), ratelimit.interval,
 * ratelimit.burst, budget.daily, budget.pace (on|off), digest.interval, digest.repeat,
 * statefile.sync.
 * Not here: dedup.key (it names an rsyslog template, which only rsyslog
 * can resolve), and what does not shape a post (credentials, endpoint,
 * tls.*, timeout, proxy, errorfile, statefile, template, name).
 *
 * Messages are written without a prefix: the caller adds its own (the
 * module "omtwitter[NAME]: ").  They are the module's texts, except those
 * of values given as text: two are rsyslog's config parser's, which it
 * gives before the module sees a value (actparams_set_text), and two
 * refuse a name (not one of these, or given twice).
 */
#ifndef ACTPARAMS_H
#define ACTPARAMS_H

#include <stddef.h>

#include "flood.h"
#include "omtw_err.h"
#include "tweettext.h"

#define ACTPARAMS_TWEET_MAXLENGTH 280       /* X's limit for a post: maxlength's default */
#define ACTPARAMS_TWEET_MAXLENGTH_MAX 25000 /* long posts of X Premium accounts */
#define ACTPARAMS_DM_MAXLENGTH 10000        /* X's limit for a direct message: default and most */
#define ACTPARAMS_KEEP_MIN_LENGTH 40        /* maxlength with urls="keep": 23 + " (25/25)" + room */

typedef struct actparams {
	tt_config shape;      /* maxlength -1 until checked: its default depends on the mode
			       * (so maxlength="-1" means the default, as it always did) */
	flood_config flood;
	int dm;               /* mode="dm" */
	char *recipient;      /* malloc'd, or NULL */
	long sync_ms;         /* statefile.sync */
} actparams;

/* The defaults (those of an action that sets none of the parameters). */
void actparams_init(actparams *p);
/* Free what p holds; p is then as after actparams_init. */
void actparams_clear(actparams *p);

/* Is name one of the parameters above (case-sensitive, as rsyslog)? */
int actparams_known(const char *name);

/* Set an integer parameter from rsyslog's parsed value (eCmdHdlrInt).
 * A value beyond what the field holds is stored as the nearest it holds,
 * so that actparams_check refuses it (never wraps into range).
 * OMTW_EINVAL: name is not an integer parameter. */
omtw_err actparams_set_int(actparams *p, const char *name, long long v);

/* Set mode, split, urls, group or budget.pace (the word, case-insensitive; otherwise
 * "parameter 'mode': 'sms' is not one of tweet, dm"), group.similarity
 * (a decimal from 0 to 1, read whatever the locale) or recipient (kept
 * as given: actparams_check judges it).  OMTW_EINVAL: refused, or name is
 * not a word parameter; OMTW_ENOMEM. */
omtw_err actparams_set_word(actparams *p, const char *name, const char *word, char *err,
			    size_t errlen);

/* Set any parameter from text, as rsyslog's config parser takes the value
 * of an action parameter before the module sees it, then as above.  An
 * integer is read by rsyslog's own parser (libestr's es_str2num) and must
 * be read in full: decimal digits, '-' before them (a lone "-" is 0),
 * octal after a leading 0 ("012" is 10); no blanks, no '+', no hex, no
 * suffix; too many digits wrap, as in rsyslog.  Otherwise rsyslog's own
 * message "parameter 'NAME' is not a proper number".  A word must not
 * contain white space: rsyslog's "parameter 'NAME' contains whitespace,
 * which is not permitted".  OMTW_EINVAL: refused, or name is not
 * actparams_known (the message lists those that are); OMTW_ENOMEM. */
omtw_err actparams_set_text(actparams *p, const char *name, const char *value, char *err,
			    size_t errlen);

/* Set names[i] to values[i] (i < n) as rsyslog takes one action's
 * parameters, so that the refusal is the first message rsyslogd -N1
 * prints for the same action: first rsyslog reads every value (integers,
 * words' white space), then the module takes them, both in the order of
 * the module's parameter table.  Also refused: a name that is not
 * actparams_known, or one given twice (rsyslog refuses that too, with a
 * misleading "not known").  p may be partly set after a refusal. */
omtw_err actparams_set_texts(actparams *p, const char *const *names, const char *const *values,
			     size_t n, char *err, size_t errlen);

/* The checks that need all parameters, in the module's order (the first
 * that fails is reported): the recipient for mode="dm" (and none
 * without), maxlength (default from the mode when -1), urls="keep"'s
 * minimum maxlength, maxparts, then the flood control ranges.
 * OMTW_EINVAL when refused. */
omtw_err actparams_check(actparams *p, char *err, size_t errlen);

#endif
