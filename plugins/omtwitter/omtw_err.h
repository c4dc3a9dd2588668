/* omtw_err.h - the one error type threaded through every core unit.
 *
 * Core units return an omtw_err and, where a human needs to know more,
 * fill a caller-provided message buffer.  Messages never contain secrets.
 */
#ifndef OMTW_ERR_H
#define OMTW_ERR_H

#include <stddef.h>

typedef enum omtw_err {
	OMTW_OK = 0,
	OMTW_ENOMEM,       /* allocation failed */
	OMTW_EINVAL,       /* bad argument or malformed input */
	OMTW_EIO,          /* file or system call failed */
	OMTW_EPERM,        /* unsafe permissions, refused */
	OMTW_ECRYPTO,      /* OpenSSL failed */
	OMTW_ECURL,        /* libcurl setup failed */
	OMTW_ETOOBIG       /* input exceeds a documented bound */
} omtw_err;

const char *omtw_strerror(omtw_err e);

/* printf into a caller's message buffer; a NULL buffer is allowed. */
void omtw_errmsg(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
