/* bench_send.c - the benchmark's log line source.
 *
 *   bench_send paced tcp:PORT|file:PATH N INTERVAL_MS PREFIX
 *       N lines "PREFIX I EPOCH" spaced INTERVAL_MS apart, EPOCH being the
 *       wall-clock time (s.ns) just before the line is written: to
 *       rsyslogd's TCP input (syslog framing) or appended to a file.
 *   bench_send flood PORT N [TAG]
 *       N alert lines "bird_alert TAG ..." (TAG: r1) to rsyslogd's TCP input
 *       as fast as the socket takes them: even lines one repeated text, odd
 *       lines all distinct; then one "bench_end" line.  Prints the time the
 *       sending took. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_tcp(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("bench_send: connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("bench_send: write");
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

static int paced(const char *target, long n, long interval_ms, const char *prefix)
{
	int fd, tcp = strncmp(target, "tcp:", 4) == 0;
	double start;
	char line[512];

	if (tcp)
		fd = connect_tcp(atoi(target + 4));
	else if (strncmp(target, "file:", 5) == 0)
		fd = open(target + 5, O_WRONLY | O_APPEND | O_CREAT, 0644);
	else
		fd = -1;
	if (fd < 0) {
		fprintf(stderr, "bench_send: bad target %s\n", target);
		return 1;
	}
	start = mono();
	for (long i = 0; i < n; i++) {
		struct timespec now, due;
		double t = start + i * interval_ms / 1000.0, d = t - mono();
		int len;

		if (d > 0) {
			due.tv_sec = (time_t)d;
			due.tv_nsec = (long)((d - (double)due.tv_sec) * 1e9);
			nanosleep(&due, NULL);
		}
		clock_gettime(CLOCK_REALTIME, &now);
		if (tcp)
			len = snprintf(line, sizeof(line), "<14>Nov 27 05:00:00 benchhost bench: %s %ld %lld.%09ld\n",
				       prefix, i, (long long)now.tv_sec, now.tv_nsec);
		else
			len = snprintf(line, sizeof(line), "%s %ld %lld.%09ld\n", prefix, i,
				       (long long)now.tv_sec, now.tv_nsec);
		write_all(fd, line, (size_t)len);
	}
	close(fd);
	return 0;
}

static int flood(int port, long n, const char *tag)
{
	static char buf[1 << 16];
	size_t used = 0;
	int fd = connect_tcp(port);
	double t0 = mono(), dt;

	for (long i = 0; i < n; i++) {
		int len;
		if (i % 2 == 0)
			len = snprintf(buf + used, sizeof(buf) - used,
				       "<10>Nov 27 05:00:00 benchhost bench: bird_alert %s disk full on /var (db1)\n", tag);
		else
			len = snprintf(buf + used, sizeof(buf) - used,
				       "<10>Nov 27 05:00:00 benchhost bench: bird_alert %s sensor %ld out of range\n", tag, i);
		used += (size_t)len;
		if (sizeof(buf) - used < 256) {
			write_all(fd, buf, used);
			used = 0;
		}
	}
	used += (size_t)snprintf(buf + used, sizeof(buf) - used, "<14>Nov 27 05:00:00 benchhost bench: bench_end\n");
	write_all(fd, buf, used);
	close(fd);
	dt = mono() - t0;
	printf("sent %ld lines in %.3f s (%.0f lines/s)\n", n, dt, n / dt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "paced") == 0)
		return paced(argv[2], atol(argv[3]), atol(argv[4]), argv[5]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "flood") == 0)
		return flood(atoi(argv[2]), atol(argv[3]), argc == 5 ? argv[4] : "r1");
	fprintf(stderr, "usage: bench_send paced tcp:PORT|file:PATH N INTERVAL_MS PREFIX\n"
			"       bench_send flood PORT N [TAG]\n");
	return 2;
}
