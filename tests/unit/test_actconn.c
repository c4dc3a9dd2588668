/* test_actconn.c - the checks of an action's connection parameters:
 * each refusal with its message, the first one failing wins, and a
 * configuration that passes them all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actconn.h"
#include "tap.h"

#define TIMEOUT_MSG "parameter 'timeout' must be a positive number of milliseconds (default 10000)"

static char dir[] = "/tmp/test_actconn.XXXXXX";
static char cacert[300], capath[300], nocert[300], nodir[300];

/* Every parameter given and good. */
static actconn good(void)
{
	return (actconn){ .endpoint = "http://127.0.0.1:8080", .proxy = "http://proxy.example:3128",
			  .cacert = cacert, .capath = capath, .timeout_ms = 10000 };
}

/* actconn_check's message, or "OK", or "(error N without a message)". */
static const char *check(actconn c)
{
	static char err[1024];
	omtw_err e;

	strcpy(err, "(unchanged)");
	e = actconn_check(&c, err, sizeof(err));
	if (e == OMTW_OK)
		return "OK";
	if (e != OMTW_EINVAL)
		snprintf(err, sizeof(err), "(error %d, not EINVAL)", (int)e);
	return err;
}

static int starts(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) == 0)
		return 1;
	printf("#   got: '%s'\n", s);
	return 0;
}

static void test_good(void)
{
	actconn c = good();
	char err[64] = "";

	is_int(actconn_check(&c, err, sizeof(err)), OMTW_OK,
	       "all good: loopback http, a proxy, a readable cacert, an existing capath, 10000 ms");
	is_str(err, "", "err is left alone");
	c = (actconn){ .endpoint = "https://api.x.com", .timeout_ms = 1 };
	is_str(check(c), "OK", "https, no proxy, no tls.* files, a 1 ms timeout");
	c.endpoint = "http://localhost:8080";
	is_str(check(c), "OK", "plain http to localhost");
	c.endpoint = "http://[::1]:8080";
	is_str(check(c), "OK", "plain http to ::1");
	c.endpoint = "https://gw.example/x-proxy";
	is_str(check(c), "OK", "https with a path prefix (a gateway in front of the API)");
	c = good();
	c.proxy = "socks5h://127.0.0.1:1080";
	is_str(check(c), "OK", "a socks5h proxy");
}

static void test_endpoint(void)
{
	actconn c = good();

	c.endpoint = "http://api.x.com";
	is_str(check(c), "parameter 'endpoint': endpoint 'http://api.x.com': plain http is only allowed to a "
	       "loopback host (127.0.0.0/8, ::1, localhost); use https",
	       "plain http to a host that is not loopback is refused");
	c.endpoint = "http://127.0.0.1.example.com";
	is_str(check(c), "parameter 'endpoint': endpoint 'http://127.0.0.1.example.com': plain http is only "
	       "allowed to a loopback host (127.0.0.0/8, ::1, localhost); use https",
	       "a name that only starts like a loopback address too");
	c.endpoint = "ftp://api.x.com";
	is_str(check(c), "parameter 'endpoint': endpoint 'ftp://api.x.com': scheme must be https",
	       "a scheme other than https or http is refused");
	c.endpoint = "https://api.x.com/2";
	is_str(check(c), "parameter 'endpoint': endpoint 'https://api.x.com/2' must not name an API path ('/2'): "
	       "give the API's base URL, e.g. https://api.x.com (the module adds /2/tweets or the DM path itself)",
	       "the API's versioned base URL is refused");
	c.endpoint = "not a url";
	is_str(check(c), "parameter 'endpoint': endpoint 'not a url' is not a valid URL (example: https://api.x.com)",
	       "text that is no URL is refused");
}

static void test_proxy(void)
{
	actconn c = good();

	c.proxy = "ftp://proxy.example:21";
	is_str(check(c), "parameter 'proxy': proxy scheme 'ftp' is not one of http, https, socks4, socks4a, "
	       "socks5, socks5h", "a proxy of another scheme is refused");
	c.proxy = "http://";
	is_str(check(c), "parameter 'proxy': not a proxy URL (example: http://proxy.example:3128)",
	       "a proxy URL without a host is refused");
}

static void test_timeout(void)
{
	actconn c = good();

	c.timeout_ms = 0;
	is_str(check(c), TIMEOUT_MSG, "timeout 0 is refused, the message gives the default");
	c.timeout_ms = -1;
	is_str(check(c), TIMEOUT_MSG, "timeout -1 too");
	c.timeout_ms = 1;
	is_str(check(c), "OK", "timeout 1 is accepted");
}

static void test_tls(void)
{
	actconn c = good();
	char want[600];

	c.cacert = nocert;
	snprintf(want, sizeof(want), "parameter 'tls.cacert': cannot read '%s': No such file or directory", nocert);
	is_str(check(c), want, "a tls.cacert that cannot be read is refused, with the path and the cause");
	c = good();
	c.capath = nodir;
	snprintf(want, sizeof(want), "parameter 'tls.capath': cannot read directory '%s': No such file or directory",
		 nodir);
	is_str(check(c), want, "a tls.capath directory that does not exist is refused");
	c.cacert = NULL;
	is_str(check(c), want, "also without a tls.cacert");

	c = good();
	c.capath = cacert; /* a file, mode 0644 */
	snprintf(want, sizeof(want), "parameter 'tls.capath': cannot read directory '%s': ", cacert);
	ok(starts(check(c), want), "a tls.capath that is a regular file (not executable) is refused");

	if (geteuid() != 0) {
		c = good();
		chmod(cacert, 0);
		snprintf(want, sizeof(want), "parameter 'tls.cacert': cannot read '%s': Permission denied", cacert);
		is_str(check(c), want, "a tls.cacert without read permission is refused");
		chmod(cacert, 0644);
	} else {
		printf("ok %d # SKIP root reads any file: cannot make tls.cacert unreadable\n", ++tap_count);
	}

	/* access() alone would let these through; libcurl then fails at every request */
	c = good();
	c.cacert = capath;
	snprintf(want, sizeof(want), "parameter 'tls.cacert': cannot read '%s': not a file", capath);
	is_str(check(c), want, "a directory as tls.cacert is refused");
	c = good();
	chmod(cacert, 0755);
	c.capath = cacert;
	ok(starts(check(c), "parameter 'tls.capath': "),
	   "an executable regular file as tls.capath is refused");
	chmod(cacert, 0644);
}

/* Two bad parameters: the one checked first is reported. */
static void test_order(void)
{
	actconn c = good();
	char want[600];

	c.endpoint = "http://api.x.com";
	c.proxy = "ftp://proxy.example:21";
	c.timeout_ms = 0;
	c.cacert = nocert;
	c.capath = nodir;
	ok(starts(check(c), "parameter 'endpoint': "), "all bad: the endpoint is reported");
	c.endpoint = "https://api.x.com";
	ok(starts(check(c), "parameter 'proxy': "), "then the proxy");
	c.proxy = NULL;
	is_str(check(c), TIMEOUT_MSG, "then the timeout");
	c.timeout_ms = 5000;
	ok(starts(check(c), "parameter 'tls.cacert': "), "then tls.cacert");
	c.cacert = cacert;
	snprintf(want, sizeof(want), "parameter 'tls.capath': cannot read directory '%s': No such file or directory",
		 nodir);
	is_str(check(c), want, "then tls.capath");
	c.capath = capath;
	is_str(check(c), "OK", "and with that fixed, all pass");
}

int main(void)
{
	char cmd[300];
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(cacert, sizeof(cacert), "%s/ca.pem", dir);
	snprintf(capath, sizeof(capath), "%s/certs", dir);
	snprintf(nocert, sizeof(nocert), "%s/missing.pem", dir);
	snprintf(nodir, sizeof(nodir), "%s/nocerts", dir);
	if ((f = fopen(cacert, "w")) == NULL || fputs("-----BEGIN CERTIFICATE-----\n", f) < 0 || fclose(f) != 0 ||
	    mkdir(capath, 0755) != 0)
		return 2;
	test_good();
	test_endpoint();
	test_proxy();
	test_timeout();
	test_tls();
	test_order();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
