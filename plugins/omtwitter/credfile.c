/* credfile.c - parse and check the credentials file. */
#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "atomicfile.h"
#include "credfile.h"

static const struct {
	const char *key;
	size_t off;
	int required;
} fields[] = {
	{ "consumer_key", offsetof(omtw_creds, consumer_key), 1 },
	{ "consumer_secret", offsetof(omtw_creds, consumer_secret), 1 },
	{ "access_token", offsetof(omtw_creds, access_token), 1 },
	{ "access_token_secret", offsetof(omtw_creds, access_token_secret), 1 },
	{ "user_id", offsetof(omtw_creds, user_id), 0 },
	{ "screen_name", offsetof(omtw_creds, screen_name), 0 },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static char **field(omtw_creds *c, size_t i)
{
	return (char **)((char *)c + fields[i].off);
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void credfile_clear(omtw_creds *c)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		wipe_free(*field(c, i));
		*field(c, i) = NULL;
	}
}

omtw_err credfile_check_mode(mode_t mode, const char *name, char *err, size_t errlen)
{
	if (!S_ISREG(mode)) {
		omtw_errmsg(err, errlen, "credentials file %s is not a regular file", name);
		return OMTW_EINVAL;
	}
	if (mode & (S_IRWXO | S_IWGRP)) {
		omtw_errmsg(err, errlen,
			    "credentials file %s has mode %04o, which lets %s; refusing to use it "
			    "(fix: chmod 0600 %s, or 0640 with a dedicated group)",
			    name, (unsigned)(mode & 07777),
			    (mode & S_IRWXO) ? "other users access it" : "its group modify it", name);
		return OMTW_EPERM;
	}
	return OMTW_OK;
}

/* OMTW_EPERM when dir (the directory of a path) lets other users write:
 * they could replace the file, or the symbolic link leading to it. */
static omtw_err check_dir(const char *file, const char *name, char *err, size_t errlen)
{
	char *copy = strdup(file);
	struct stat st;
	omtw_err e = OMTW_OK;

	if (copy == NULL)
		return OMTW_ENOMEM;
	if (stat(dirname(copy), &st) == 0 && (st.st_mode & S_IWOTH)) {
		omtw_errmsg(err, errlen, "credentials file %s is in %s, a directory other users can "
			    "write to (they could replace it); refusing to use it (fix: keep it in "
			    "a directory only root can write, e.g. /etc/rsyslog.d)", name, copy);
		e = OMTW_EPERM;
	}
	free(copy);
	return e;
}

/* The file must belong to root or to the user rsyslogd runs as, and
 * neither it nor a symbolic link leading to it may sit in a directory that
 * other users can write to. */
static omtw_err check_owner_and_place(const char *path, const struct stat *st, char *err,
				      size_t errlen)
{
	char *real;
	omtw_err e;

	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		omtw_errmsg(err, errlen, "credentials file %s belongs to uid %u, neither root nor "
			    "the user this runs as (uid %u); refusing to use it (fix: chown it to "
			    "one of them)", path, (unsigned)st->st_uid, (unsigned)geteuid());
		return OMTW_EPERM;
	}
	if ((e = check_dir(path, path, err, errlen)) != OMTW_OK)
		return e;
	if ((real = realpath(path, NULL)) == NULL)
		return OMTW_OK; /* it was just opened; a race at worst, and the mode held */
	e = strcmp(real, path) != 0 ? check_dir(real, path, err, errlen) : OMTW_OK;
	free(real);
	return e;
}

/* A key name is echoed in messages only if it looks like one. */
static int printable_key(const char *k, size_t len)
{
	if (len == 0 || len > 32)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(islower((unsigned char)k[i]) || k[i] == '_'))
			return 0;
	return 1;
}

static omtw_err parse_line(const char *l, size_t len, unsigned lineno, const char *name,
			   omtw_creds *out, char *err, size_t errlen)
{
	const char *eq, *k, *v;
	size_t klen, vlen, i;

	while (len && isspace((unsigned char)*l))
		l++, len--;
	while (len && isspace((unsigned char)l[len - 1]))
		len--;
	if (len == 0 || *l == '#')
		return OMTW_OK;
	if ((eq = memchr(l, '=', len)) == NULL) {
		omtw_errmsg(err, errlen, "credentials file %s, line %u: expected key=value", name, lineno);
		return OMTW_EINVAL;
	}
	k = l;
	klen = (size_t)(eq - l);
	while (klen && isspace((unsigned char)k[klen - 1]))
		klen--;
	v = eq + 1;
	vlen = (size_t)(l + len - v);
	while (vlen && isspace((unsigned char)*v))
		v++, vlen--;
	for (i = 0; i < NFIELDS; i++)
		if (strlen(fields[i].key) == klen && memcmp(fields[i].key, k, klen) == 0)
			break;
	if (i == NFIELDS) {
		if (printable_key(k, klen))
			omtw_errmsg(err, errlen, "credentials file %s, line %u: unknown key '%.*s'",
				    name, lineno, (int)klen, k);
		else
			omtw_errmsg(err, errlen, "credentials file %s, line %u: unknown key", name, lineno);
		return OMTW_EINVAL;
	}
	if (*field(out, i)) {
		omtw_errmsg(err, errlen, "credentials file %s, line %u: '%s' given twice",
			    name, lineno, fields[i].key);
		return OMTW_EINVAL;
	}
	if (vlen == 0) {
		omtw_errmsg(err, errlen, "credentials file %s, line %u: '%s' is empty",
			    name, lineno, fields[i].key);
		return OMTW_EINVAL;
	}
	for (size_t j = 0; j < vlen; j++)
		if (v[j] <= 0x20 || v[j] >= 0x7f) {
			omtw_errmsg(err, errlen, "credentials file %s, line %u: the value of '%s' "
				    "contains a space or a non-ASCII/control character",
				    name, lineno, fields[i].key);
			return OMTW_EINVAL;
		}
	if ((*field(out, i) = strndup(v, vlen)) == NULL)
		return OMTW_ENOMEM;
	return OMTW_OK;
}

omtw_err credfile_parse(const char *buf, size_t len, const char *name,
			omtw_creds *out, char *err, size_t errlen)
{
	unsigned lineno = 0;
	size_t pos = 0;
	omtw_err e;

	memset(out, 0, sizeof(*out));
	if (memchr(buf, '\0', len)) {
		omtw_errmsg(err, errlen, "credentials file %s contains a NUL byte", name);
		e = OMTW_EINVAL;
		goto fail;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		if ((e = parse_line(buf + pos, end - pos, ++lineno, name, out, err, errlen)))
			goto fail;
		pos = end + 1;
	}
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].required && *field(out, i) == NULL) {
			omtw_errmsg(err, errlen, "credentials file %s lacks '%s' "
				    "(write it with omtwitter-auth)", name, fields[i].key);
			e = OMTW_EINVAL;
			goto fail;
		}
	return OMTW_OK;
fail:
	credfile_clear(out);
	return e;
}

omtw_err credfile_load(const char *path, omtw_creds *out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	omtw_err e;
	int fd;

	memset(out, 0, sizeof(*out));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) { /* a FIFO must not hang us */
		omtw_errmsg(err, errlen, "cannot open credentials file %s: %s", path, strerror(errno));
		return OMTW_EIO;
	}
	/* check the file actually opened, not a name that may have changed */
	if (fstat(fd, &st) != 0) {
		omtw_errmsg(err, errlen, "cannot stat credentials file %s: %s", path, strerror(errno));
		e = OMTW_EIO;
		goto done;
	}
	if ((e = credfile_check_mode(st.st_mode, path, err, errlen)) ||
	    (e = check_owner_and_place(path, &st, err, errlen)))
		goto done;
	if (st.st_size > CREDFILE_MAX_SIZE) {
		omtw_errmsg(err, errlen, "credentials file %s is larger than %d bytes",
			    path, CREDFILE_MAX_SIZE);
		e = OMTW_ETOOBIG;
		goto done;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		e = OMTW_ENOMEM;
		goto done;
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			omtw_errmsg(err, errlen, "cannot read credentials file %s: %s", path,
				    r < 0 ? strerror(errno) : "unexpected end of file");
			e = OMTW_EIO;
			goto done;
		}
		len += (size_t)r;
	}
	e = credfile_parse(buf, len, path, out, err, errlen);
done:
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	close(fd);
	return e;
}

/* The file's content; NULL when out of memory or a required key is unset. */
static char *format_creds(const omtw_creds *c, size_t *len)
{
	char *out = NULL, stamp[32];
	size_t size = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].required && *field((omtw_creds *)c, i) == NULL)
			return NULL;
	if ((f = open_memstream(&out, &size)) == NULL)
		return NULL;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fprintf(f, "# omtwitter credentials, written by omtwitter-auth on %s.\n"
		   "# Secret: keep this file mode 0600 (or 0640 with a group only rsyslog is in).\n",
		stamp);
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *v = *field((omtw_creds *)c, i);
		if (v)
			fprintf(f, "%s=%s\n", fields[i].key, v);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	*len = size;
	return out;
}

omtw_err credfile_write(const char *path, const omtw_creds *c, mode_t mode,
			uid_t uid, gid_t gid, int force, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = format_creds(c, &len);
	omtw_err e;

	if (text == NULL) {
		omtw_errmsg(err, errlen, "cannot format the credentials (a key is missing)");
		return OMTW_EINVAL;
	}
	e = atomicfile_write(path, text, len, mode, uid, gid, force, err, errlen);
	OPENSSL_cleanse(text, len);
	free(text);
	return e;
}
