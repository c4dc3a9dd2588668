/* omtwitter-replay - what would the phone have shown?  Runs log lines
 * through the action's own engine (flood control, digests, shaping) on a
 * virtual clock taken from the lines' time stamps, and prints the posts it
 * would have made, with a summary.  Nothing is sent; no credentials.
 *
 * The engine is the module's (engine.c); only the clock and the request
 * differ: the "request" here records the part and answers "posted".  X's
 * own limits are assumed not to bind before the local budgets do (the
 * defaults stay below every tier's limits).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "actparams.h"
#include "engine.h"
#include "logline.h"
#include "replay_report.h"

#define LINE_MAX_BYTES (1024 * 1024) /* longer lines are cut (rsyslog's maxMessageSize is far less) */
#define BACKWARDS_OK 60              /* seconds a merged file's stamps may go back */

typedef struct replay {
	report rep;
	long long clock_ms;       /* the virtual clock */
	long long next_tick;      /* when the engine wants its timer */
	engine *eng;
	unsigned long post_seq;   /* for the recorder's post ids */
	const char *cur_text;     /* the alert being submitted */
	size_t cur_len;
	FILE *assign;
} replay;

static long long clockMs(void *arg)
{
	return ((replay *)arg)->clock_ms;
}

/* The recorder: every part is "posted"; X's limits are unknown (-1). */
static omtw_err recordPart(void *arg, void *conn, const engine_part *p, xapi_result *res)
{
	replay *r = arg;

	(void)conn;
	memset(res, 0, sizeof(*res));
	res->outcome = XAPI_DELIVERED;
	res->status = 201;
	res->window.remaining = res->user24.remaining = res->app24.remaining = -1;
	res->window.limit = res->user24.limit = res->app24.limit = -1;
	snprintf(res->id, sizeof(res->id), "%lu", 1000000000UL + ++r->post_seq);
	return report_part(&r->rep, (time_t)(r->clock_ms / 1000), p->text, p->index, p->digest);
}

static void logNothing(void *arg, engine_log cause, const char *msg)
{
	(void)arg;
	if (cause == ENGINE_LOG_ERROR)
		fprintf(stderr, "omtwitter-replay: %s\n", msg);
}

static void admitted(void *arg, const flood_ticket *id, flood_verdict v)
{
	replay *r = arg;
	long idx = report_alert(&r->rep, id, v, r->cur_text, r->cur_len, (time_t)(r->clock_ms / 1000));

	if (r->assign) {
		if (idx < 0)
			fputs("-\n", r->assign);
		else
			fprintf(r->assign, "%llu\n", r->rep.alerts_v[idx].number);
	}
}

static size_t templateOf(void *arg, const flood_ticket *id, char *buf, size_t size)
{
	return engine_template(arg, id, buf, size);
}

static void digested(void *arg, const flood_digest *d, size_t named)
{
	replay *r = arg;

	report_digest(&r->rep, d, named, (time_t)(r->clock_ms / 1000));
}

/* Run the engine's timer up to t (seconds), as the module's thread would:
 * before the alerts of second t (what falls due at t follows them, as in
 * the module, whose timer wakes after the alert that arrived), or through
 * t (the end). */
static void advance(replay *r, time_t t, int through)
{
	long long to = (long long)t * 1000;

	if (r->eng == NULL)
		return;
	while (r->next_tick < to || (through && r->next_tick == to)) {
		if (r->next_tick > r->clock_ms)
			r->clock_ms = r->next_tick;
		r->next_tick = engine_tick(r->eng, NULL);
	}
	if (to > r->clock_ms)
		r->clock_ms = to;
}

static int startEngine(replay *r, const actparams *ap, time_t t)
{
	engine_config c = { ap->flood, ap->shape, 0, NULL, "the replay", NULL, "replay", 1024 };
	engine_ops ops = { .arg = r, .now_ms = clockMs, .send = recordPart, .log = logNothing,
			   .admitted = admitted, .digested = digested };

	r->clock_ms = (long long)t * 1000;
	if (engine_new(&c, &ops, &r->eng) != OMTW_OK)
		return -1;
	r->next_tick = engine_tick(r->eng, NULL);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: omtwitter-replay [--set NAME=VALUE]... [--match TEXT]\n"
	      "                        [--format auto|rfc3164|rfc5424|iso|none] [--year YYYY]\n"
	      "                        [--spacing SECONDS] [--json] [--assign FILE] [--skip-bad]\n"
	      "                        [FILE...]\n"
	      "Replays log lines (FILE, .gz too, or standard input) through omtwitter's flood\n"
	      "control on a virtual clock and prints what would have been posted.\n"
	      "See omtwitter-replay(1).\n", f);
}

typedef struct options {
	const char *match;
	logline_format format;
	int year;
	long spacing;
	int json, skip_bad;
	const char *assign;
} options;

/* Read one line of any length into *buf; 0 at the end, -1 on error. */
static int readLine(gzFile in, char **buf, size_t *cap, size_t *len)
{
	*len = 0;
	for (;;) {
		if (*cap - *len < 2) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *nb = realloc(*buf, ncap);
			if (nb == NULL)
				return -1;
			*buf = nb;
			*cap = ncap;
		}
		if (gzgets(in, *buf + *len, (int)(*cap - *len > 1 << 30 ? 1 << 30 : *cap - *len)) == NULL) {
			int err;
			gzerror(in, &err);
			if (err != Z_OK) /* Z_BUF_ERROR: a compressed stream cut short */
				return -1;
			return *len > 0 ? 1 : 0;
		}
		/* gzgets stops at a newline; a NUL in the line makes strlen short,
		 * which only cuts the line there */
		*len += strlen(*buf + *len);
		if (*len > 0 && (*buf)[*len - 1] == '\n') {
			(*buf)[--*len] = '\0';
			return 1;
		}
		if (gzeof(in))
			return *len > 0 ? 1 : 0;
		if (*len >= LINE_MAX_BYTES) { /* keep the start, skip the rest of the line */
			char skip[4096];
			size_t n;
			do {
				if (gzgets(in, skip, sizeof(skip)) == NULL)
					break;
				n = strlen(skip);
			} while (n == 0 || skip[n - 1] != '\n');
			return 1;
		}
	}
}

typedef struct position {
	const char *file;
	unsigned long line;
	time_t t;
} position;

/* One input: every line advances the clock, matching lines are alerts.
 * 0, or 1 on bad input (reported). */
static int replayFile(replay *r, const actparams *ap, const options *o, const char *path,
		      logline_reader *lr, position *last)
{
	gzFile in = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(0, "rb");
	const char *name = strcmp(path, "-") ? path : "(standard input)";
	char *buf = NULL, err[256];
	size_t cap = 0, len;
	unsigned long lineno = 0;
	int rc = 0, got;

	if (in == NULL) {
		fprintf(stderr, "omtwitter-replay: cannot read %s: %s\n", name, strerror(errno ? errno : ENOMEM));
		return 1;
	}
	gzbuffer(in, 256 * 1024);
	while ((got = readLine(in, &buf, &cap, &len)) == 1) {
		time_t t;
		const char *msg;
		size_t msglen;

		lineno++;
		r->rep.lines++;
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		if (len == 0 && o->format != LOGLINE_NONE)
			continue; /* a blank line: no alert, no time */
		if (logline_parse(lr, buf, len, &t, &msg, &msglen, err, sizeof(err)) != 0) {
			if (o->skip_bad) {
				r->rep.bad++;
				continue;
			}
			fprintf(stderr, "omtwitter-replay: %s:%lu: %s\n", name, lineno, err);
			rc = 1;
			break;
		}
		if (last->file && t < last->t) {
			if (last->t - t >= BACKWARDS_OK) {
				fprintf(stderr, "omtwitter-replay: %s:%lu: its time stamp is %lld s before that "
					"of %s:%lu; the lines must be in time order (merged files may go back "
					"by less than %d s)\n", name, lineno, (long long)(last->t - t),
					last->file, last->line, BACKWARDS_OK);
				rc = 1;
				break;
			}
			t = last->t; /* merged syslog files: taken as the same second */
		} else {
			*last = (position){ name, lineno, t }; /* the latest stamp, and where it was */
		}
		if (o->match && !memmem(buf, len, o->match, strlen(o->match)))
			continue; /* like grep: TEXT anywhere in the line */
		if (r->eng == NULL && startEngine(r, ap, t) != 0) {
			fprintf(stderr, "omtwitter-replay: out of memory\n");
			rc = 1;
			break;
		}
		advance(r, t, 0);
		((char *)msg)[msglen] = '\0'; /* the line's own buffer */
		r->cur_text = msg;
		r->cur_len = strlen(msg);
		r->rep.alerts++;
		if (engine_submit(r->eng, NULL, msg, NULL) != ENGINE_DONE) {
			fprintf(stderr, "omtwitter-replay: out of memory\n");
			rc = 1;
			break;
		}
		if (r->rep.failed) {
			fprintf(stderr, "omtwitter-replay: out of memory\n");
			rc = 1;
			break;
		}
	}
	if (got < 0 && rc == 0) {
		int e;
		const char *why = gzerror(in, &e);
		fprintf(stderr, "omtwitter-replay: cannot read %s: %s\n", name,
			e == Z_ERRNO ? strerror(errno) : e == Z_BUF_ERROR ? "unexpected end of file "
			"(a compressed file cut short?)" : why);
		rc = 1;
	}
	free(buf);
	gzclose(in);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, 's' }, { "match", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' }, { "year", required_argument, NULL, 'y' },
		{ "spacing", required_argument, NULL, 'p' }, { "json", no_argument, NULL, 'j' },
		{ "assign", required_argument, NULL, 'a' }, { "skip-bad", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	options o = { NULL, LOGLINE_AUTO, 0, 1, 0, 0, NULL };
	const char **names = calloc((size_t)argc, sizeof(char *)), **values = calloc((size_t)argc, sizeof(char *));
	size_t nset = 0;
	actparams ap;
	replay r;
	logline_reader lr;
	position last = { NULL, 0, 0 };
	char err[1024], *end;
	time_t now = time(NULL);
	struct tm tm;
	int c, rc = 0;

	if (names == NULL || values == NULL)
		return 2;
	gmtime_r(&now, &tm);
	o.year = tm.tm_year + 1900;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': {
			char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg) {
				fprintf(stderr, "omtwitter-replay: --set takes NAME=VALUE, not '%s'\n", optarg);
				goto usage_error;
			}
			*eq = '\0';
			names[nset] = optarg;
			values[nset++] = eq + 1;
			break;
		}
		case 'm': o.match = optarg; break;
		case 'f':
			if (logline_format_parse(optarg, &o.format) != 0) {
				fprintf(stderr, "omtwitter-replay: --format must be one of auto, rfc3164, "
					"rfc5424, iso, none (not '%s')\n", optarg);
				goto usage_error;
			}
			break;
		case 'y':
			o.year = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || o.year < 1970 || o.year > 9999) {
				fprintf(stderr, "omtwitter-replay: --year must be a year from 1970 to 9999\n");
				goto usage_error;
			}
			break;
		case 'p':
			o.spacing = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || o.spacing < 0 || o.spacing > 86400) {
				fprintf(stderr, "omtwitter-replay: --spacing must be 0 to 86400 seconds\n");
				goto usage_error;
			}
			break;
		case 'j': o.json = 1; break;
		case 'a': o.assign = optarg; break;
		case 'b': o.skip_bad = 1; break;
		case 'h':
			usage(stdout);
			free(names);
			free(values);
			return 0;
		default:
			usage(stderr);
			goto usage_error;
		}
	}
	actparams_init(&ap);
	rc = actparams_set_texts(&ap, names, values, nset, err, sizeof(err)) != OMTW_OK ||
	     actparams_check(&ap, err, sizeof(err)) != OMTW_OK;
	free(names);
	free(values);
	if (rc) {
		fprintf(stderr, "omtwitter-replay: %s\n", err);
		actparams_clear(&ap);
		return 2;
	}

	memset(&r, 0, sizeof(r));
	report_init(&r.rep, ap.shape.urls == TT_URLS_KEEP);
	if (o.assign && (r.assign = fopen(o.assign, "w")) == NULL) {
		fprintf(stderr, "omtwitter-replay: cannot write %s: %s\n", o.assign, strerror(errno));
		actparams_clear(&ap);
		return 1;
	}
	/* lines without a time stamp start at today's midnight (UTC) */
	logline_reader_init(&lr, o.format, o.year, now - now % 86400, o.spacing);
	if (optind == argc)
		rc = replayFile(&r, &ap, &o, "-", &lr, &last);
	for (int i = optind; i < argc && rc == 0; i++)
		rc = replayFile(&r, &ap, &o, argv[i], &lr, &last);
	if (rc == 0 && r.eng) {
		advance(&r, last.t, 1); /* what was due by the last line */
		r.rep.held = engine_pending(r.eng);
		r.rep.incidents = engine_groups(r.eng);
		report_keys(&r.rep, templateOf, r.eng);
		if (o.json)
			rc = report_json(&r.rep, stdout);
		else
			rc = report_text(&r.rep, stdout);
	} else if (rc == 0) {
		r.rep.held = 0;
		rc = o.json ? report_json(&r.rep, stdout) : report_text(&r.rep, stdout);
	}
	if (r.assign && fclose(r.assign) != 0 && rc == 0) {
		fprintf(stderr, "omtwitter-replay: cannot write %s: %s\n", o.assign, strerror(errno));
		rc = 1;
	}
	if (fflush(stdout) != 0 && rc == 0)
		rc = 1;
	engine_free(r.eng);
	report_free(&r.rep);
	actparams_clear(&ap);
	return rc;
usage_error:
	free(names);
	free(values);
	return 2;
}
