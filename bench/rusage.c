/* rusage.c - runs a command and reports its wall time, CPU times and peak RSS (getrusage of the child). */
/*
 * Usage: rusage [-o FILE] COMMAND [ARG...]
 *
 * Prints one line "wall_s=W user_s=U sys_s=S maxrss_kib=R status=X" to FILE (appended) or to
 * stderr. Wall time is CLOCK_MONOTONIC from fork to reap; user, sys and peak RSS come from wait4
 * (ru_maxrss, KiB on Linux). Exits with the command's status (128 + signal when it was killed,
 * 127 when it could not be started). No dependency on /usr/bin/time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *outfile = NULL;
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
		outfile = argv[i + 1];
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		fprintf(stderr, "Usage: rusage [-o FILE] COMMAND [ARG...]\n");
		return 2;
	}

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "rusage: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);

	FILE *fp = outfile ? fopen(outfile, "a") : stderr;
	if (!fp) {
		perror(outfile);
		return 127;
	}
	fprintf(fp, "wall_s=%.6f user_s=%.6f sys_s=%.6f maxrss_kib=%ld status=%d\n", wall,
		tv_s(ru.ru_utime), tv_s(ru.ru_stime), ru.ru_maxrss, status);
	if (fp != stderr)
		fclose(fp);
	return status;
}
