/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for the Casper protocol: hostile nvlists to the core
 * service and to every registered service's limit and command functions,
 * through casper_dispatch(), the function a service process runs for each
 * request.
 *
 * Input: one byte picks the service (0: core.casper, then the registry in
 * order), two bytes give the length of a first nvlist, then that packed
 * list and a second one.  The first is sent as a limit_set (its "limits"
 * are fuzzed too: the list is used as the whole request), the second as
 * the request that follows on the same connection; when both unpack and
 * the limit function accepts the first as limits, it also gets the two as
 * old and new limits directly.
 *
 * The harness confines itself first with Landlock (only /proc readable, its
 * own directory writable for the corpus and artifacts, no TCP, signals and
 * abstract sockets scoped), so that commands that act (open files, write
 * sysctls) only exercise their parsing and error paths.  No seccomp: the
 * leak checker needs ptrace and the symbolizer exec.  core "open" finds
 * no zygote and answers ENOTCONN.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/nv.h>

#include "casper/casper_impl.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct casper_service *svcs[64];
static size_t nsvcs;

static void
write_seed(const char *dir, uint8_t sel, const nvlist_t *first,
    const nvlist_t *second, const char *name)
{
	char path[PATH_MAX];
	size_t s1, s2;
	void *b1, *b2;
	uint8_t hdr[3];
	FILE *fp;

	if ((b1 = nvlist_pack(first, &s1)) == NULL)
		return;
	if ((b2 = nvlist_pack(second, &s2)) == NULL || s1 > 0xffff) {
		free(b1);
		return;
	}
	hdr[0] = sel;
	hdr[1] = (uint8_t)(s1 >> 8);
	hdr[2] = (uint8_t)s1;
	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	if ((fp = fopen(path, "w")) != NULL) {
		fwrite(hdr, 1, 3, fp);
		fwrite(b1, 1, s1, fp);
		fwrite(b2, 1, s2, fp);
		fclose(fp);
	}
	free(b1);
	free(b2);
}

static nvlist_t *
req(const char *cmd)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", cmd);
	return (nvl);
}

static void
seeds(const char *dir)
{
	static const char *const cmds[] = { "getpwnam", "getpwuid",
	    "getpwent", "getgrnam", "getgrgid", "getgrent", "setpwent",
	    "sysctlbyname", "sysctlnametomib", "openlog", "syslog",
	    "closelog", "setlogmask", "gethostbyname", "gethostbyaddr",
	    "getaddrinfo", "getnameinfo", "bind", "connect", "open", "lstat",
	    "realpath", "generate", "getprotobyname", "limit_get", "clone" };
	nvlist_t *a, *b, *l;
	char name[64];
	size_t i, j;

	for (i = 0; i < nsvcs; i++) {
		for (j = 0; j < sizeof(cmds) / sizeof(cmds[0]); j++) {
			a = req("limit_get");
			b = req(cmds[j]);
			nvlist_add_string(b, "name", "root");
			nvlist_add_number(b, "uid", 0);
			nvlist_add_number(b, "size", 16);
			nvlist_add_string(b, "service", "system.random");
			snprintf(name, sizeof(name), "%zu-%s", i, cmds[j]);
			write_seed(dir, (uint8_t)i, a, b, name);
			nvlist_destroy(a);
			nvlist_destroy(b);
		}
		a = req("limit_set");
		l = nvlist_create(0);
		nvlist_add_null(l, "system.random");
		nvlist_add_bool(l, "getpwnam", true);
		nvlist_add_string(l, "type0", "NAME2ADDR");
		nvlist_add_number(l, "family0", 2);
		nvlist_add_number(l, "flags", 0);
		nvlist_add_number(l, "operations", 1);
		nvlist_move_nvlist(a, "limits", l);
		b = req("open");
		nvlist_add_string(b, "service", "system.random");
		nvlist_add_string(b, "name", "x");
		snprintf(name, sizeof(name), "%zu-limit", i);
		write_seed(dir, (uint8_t)i, a, b, name);
		nvlist_destroy(a);
		nvlist_destroy(b);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char self[PATH_MAX];
	static const char *writable[] = { self, NULL };
	/* LeakSanitizer reads /proc/PID/task at exit. */
	static const char *readable[] = { "/proc", NULL };
	static const struct casper_sandbox sb = { .sb_read = readable,
	    .sb_write = writable };
	const struct casper_service *s;
	const char *dir;
	char *slash;
	int error;

	(void)argc;
	(void)signal(SIGPIPE, SIG_IGN);
	svcs[nsvcs++] = casper_core_service();
	for (s = casper_service_first(); s != NULL && nsvcs < 64;
	    s = s->cs_next)
		svcs[nsvcs++] = s;
	if ((dir = getenv("NV_FUZZ_SEED_DIR")) != NULL)
		seeds(dir);
	/* Confine: only the fuzzer's directory (corpus, artifacts). */
	if (realpath((*argv)[0], self) == NULL ||
	    (slash = strrchr(self, '/')) == NULL) {
		perror("casper_service: realpath");
		exit(1);
	}
	*slash = '\0';
	if ((error = casper_sandbox_landlock(&sb, true)) != 0) {
		fprintf(stderr, "casper_service: landlock: %s\n",
		    strerror(error));
		exit(1);
	}
	casper_sandbox_fuzzing = true;
	return (0);
}

/* One request through the framework; any reply it builds is checked. */
static void
one(const struct casper_service *svc, nvlist_t **limitsp, nvlist_t *in)
{
	nvlist_t *out;
	int newsock, error;

	out = nvlist_create(casper_nvlist_flags(svc->cs_flags));
	error = casper_dispatch(svc, limitsp, in, out, &newsock);
	if (nvlist_error(out) == 0 &&
	    (!nvlist_exists_number(out, "error") ||
	    nvlist_get_number(out, "error") != (uint64_t)error))
		abort();
	if (newsock >= 0)
		(void)close(newsock);
	nvlist_destroy(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct casper_service *svc;
	nvlist_t *a, *b, *limits;
	size_t len;
	int flags;

	if (size < 3)
		return (0);
	svc = svcs[data[0] % nsvcs];
	len = (size_t)data[1] << 8 | data[2];
	data += 3;
	size -= 3;
	if (len > size)
		len = size;
	flags = casper_nvlist_flags(svc->cs_flags);
	a = nvlist_unpack(data, len, flags);
	b = nvlist_unpack(data + len, size - len, flags);
	limits = NULL;
	if (a != NULL)
		one(svc, &limits, a);
	if (b != NULL)
		one(svc, &limits, b);
	/* Old limits are ones the limit function accepted before. */
	if (a != NULL && b != NULL && svc->cs_limit != NULL &&
	    svc->cs_limit(NULL, a) == 0)
		(void)svc->cs_limit(a, b);
	nvlist_destroy(limits);
	nvlist_destroy(a);
	nvlist_destroy(b);
	return (0);
}
