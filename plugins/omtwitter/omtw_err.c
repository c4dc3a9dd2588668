/* omtw_err.c - error strings and message-buffer helper. */
#include <stdarg.h>
#include <stdio.h>

#include "omtw_err.h"

const char *omtw_strerror(omtw_err e)
{
	switch (e) {
	case OMTW_OK:      return "success";
	case OMTW_ENOMEM:  return "out of memory";
	case OMTW_EINVAL:  return "invalid input";
	case OMTW_EIO:     return "I/O error";
	case OMTW_EPERM:   return "unsafe permissions";
	case OMTW_ECRYPTO: return "cryptography error";
	case OMTW_ECURL:   return "libcurl error";
	case OMTW_ETOOBIG: return "input too large";
	}
	return "unknown error";
}

void omtw_errmsg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}
