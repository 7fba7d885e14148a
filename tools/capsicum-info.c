/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capsicum-info: what this kernel gives capability mode.
 *
 * Enters capability mode in a child process and reports which layers are
 * in force and which are missing, with the kernel features behind them.
 * Exit status 0 when every layer is available, 1 otherwise.
 *
 * usage: capsicum-info [-q]
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <sys/capsicum.h>

static const char *const layer_what[] = {
	"seccomp: allowlist of system calls, argument checks (3.5+; cache 5.11+)",
	"rights: descriptor rights in filter R (seccomp)",
	"landlock-fs: paths only beneath held directories (5.13+, ABI 1-5)",
	"landlock-net: TCP bind and connect refused (6.7+, ABI 4)",
	"landlock-scope: signals and abstract sockets scoped (6.12+, ABI 6)",
	"all-threads: Landlock applied to every thread",
	"dup-bands: limited descriptors can be duplicated",
	"broker: descriptors opened through limited directories get their rights (5.9+; only with such a directory)",
};

int
main(int argc, char **argv)
{
	struct cap_enforcement ce;
	struct utsname u;
	unsigned int bit, i;
	int p[2], st, quiet;
	pid_t pid;

	quiet = argc > 1 && strcmp(argv[1], "-q") == 0;
	if (pipe(p) != 0)
		err(1, "pipe");
	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (pid == 0) {
		setenv("CAPSICUM_QUIET", "1", 1);
		memset(&ce, 0, sizeof(ce));
		if (cap_enter() != 0)
			ce.ce_mode = 0;
		else
			(void)cap_enforcement(&ce);
		(void)write(p[1], &ce, sizeof(ce));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &ce, sizeof(ce)) != sizeof(ce))
		errx(1, "no answer from the sandboxed child");
	waitpid(pid, &st, 0);
	if (!quiet) {
		uname(&u);
		printf("kernel %s %s\n", u.sysname, u.release);
		printf("capability mode: %s\n", ce.ce_mode ? "entered" :
		    "NOT AVAILABLE");
		printf("Landlock ABI: %d\n", ce.ce_landlock_abi);
		printf("seccomp filters: %u (%u BPF instructions)\n",
		    ce.ce_filters, ce.ce_filter_insns);
		for (i = 0, bit = 1; bit <= CAP_LAYERS_ALL; bit <<= 1, i++)
			printf("  [%s] %s\n", (ce.ce_active & bit) ? "on " :
			    "OFF", layer_what[i]);
	}
	return (ce.ce_mode && ce.ce_missing == 0 ? 0 : 1);
}
