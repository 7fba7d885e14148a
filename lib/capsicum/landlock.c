/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Landlock layer of capability mode.
 *
 * seccomp cannot read path strings; Landlock confines them.  The domain
 * handles every file system access the running ABI knows and grants, beneath
 * each directory descriptor held at cap_enter(), the access its Capsicum
 * rights map to (policy.c, capsicum_landlock_map).  Files held with
 * CAP_FEXECVE get EXECUTE so that fexecve works.  TCP bind and connect are
 * handled with no rule (refused); signals and abstract unix sockets are
 * scoped to the domain.
 *
 * Best effort up to the running ABI, never silently: what could not be
 * applied is reported to cap_enter(), which reports it on.
 *
 * Before ABI 8 a Landlock domain applies to the calling thread only, so
 * every other thread is made to restrict itself: a real-time signal whose
 * handler calls landlock_restrict_self() is sent to each thread, over and
 * over until a scan of /proc/self/task finds no thread left behind.
 * A thread that blocks every signal cannot be reached; cap_enter() then
 * reports Landlock as not covering all threads.
 */
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "policy.h"
#include "sys.h"

#define	ACCESS_FS_V1	((1ULL << 13) - 1)	/* EXECUTE .. MAKE_SYM */
#define	ACCESS_FILE	(LANDLOCK_ACCESS_FS_EXECUTE |			\
			 LANDLOCK_ACCESS_FS_WRITE_FILE |		\
			 LANDLOCK_ACCESS_FS_READ_FILE |			\
			 LL_ACCESS_FS_TRUNCATE | LL_ACCESS_FS_IOCTL_DEV)
#define	BROADCAST_TIMEOUT_NS	2000000000LL

int
capsicum_landlock_abi(void)
{
	long abi;

	abi = RAW3(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return (abi < 0 ? 0 : (int)abi);
}

/* Everything this ABI can handle. */
static uint64_t
handled_fs(int abi)
{
	uint64_t a = ACCESS_FS_V1;

	if (abi >= 2)
		a |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		a |= LL_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		a |= LL_ACCESS_FS_IOCTL_DEV;
	return (a);
}

static uint64_t
rights_to_access(const struct capsicum_profile *p)
{
	uint64_t access = 0;
	cap_rights_t need;
	unsigned int i;

	if (p == NULL)
		return (~0ULL);
	for (i = 0; i < capsicum_landlock_map_len; i++) {
		CAP_NONE(&need);
		need.cr_rights[CAPIDXBIT(capsicum_landlock_map[i].pl_right) ==
		    2 ? 1 : 0] |= capsicum_landlock_map[i].pl_right;
		if (cap_rights_contains(&p->cp_rights, &need))
			access |= capsicum_landlock_map[i].pl_access;
	}
	return (access);
}

static int
add_rule(int ruleset, int fd, uint64_t access)
{
	struct ll_path_beneath_attr pb;

	if (access == 0)
		return (0);
	pb.allowed_access = access;
	pb.parent_fd = fd;
	return ((int)RAW4(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0));
}

/*
 * Create the ruleset for the descriptors open now.  *layersp gets the
 * CAP_LAYER_LANDLOCK_* bits the ruleset will enforce.
 */
int
capsicum_landlock_build(int *rulesetp, int abi,
    const struct capsicum_held *held, unsigned int nheld,
    unsigned int *layersp)
{
	const struct capsicum_profile *prof;
	const struct capsicum_held *h;
	struct ll_ruleset_attr attr;
	uint64_t fs, access;
	unsigned int i;
	size_t size;
	long rs;
	int r;

	*layersp = 0;
	memset(&attr, 0, sizeof(attr));
	fs = handled_fs(abi);
	attr.handled_access_fs = fs;
	size = sizeof(attr.handled_access_fs);
	if (abi >= 4) {
		attr.handled_access_net = LL_ACCESS_NET_BIND_TCP |
		    LL_ACCESS_NET_CONNECT_TCP;
		size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	rs = RAW3(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0)
		return ((int)rs);
	for (i = 0; i < nheld; i++) {
		h = &held[i];
		if (h->hd_fd == capsicum_cs.cs_ph ||
		    h->hd_fd == capsicum_cs.cs_statefd || !h->hd_ok)
			continue;
		if (capsicum_fd_profile(h->hd_fd, &prof) != 0)
			continue;
		if (S_ISDIR(h->hd_mode)) {
			if (prof != NULL &&
			    !cap_rights_is_set(&prof->cp_rights, CAP_LOOKUP))
				continue;
			access = rights_to_access(prof) & fs;
		} else if (S_ISREG(h->hd_mode)) {
			/* fexecve re-opens the file for execution. */
			if (prof != NULL &&
			    !cap_rights_is_set(&prof->cp_rights, CAP_FEXECVE))
				continue;
			if ((h->hd_mode & 0111) == 0)
				continue;
			/* execve opens the file for reading too. */
			access = (LANDLOCK_ACCESS_FS_EXECUTE |
			    LANDLOCK_ACCESS_FS_READ_FILE) & fs & ACCESS_FILE;
		} else {
			continue;
		}
		/* A file on a pseudo file system (memfd, pipefs) cannot
		 * carry a rule and cannot be executed anyway: skip it.  A
		 * directory that cannot is an error. */
		if ((r = add_rule((int)rs, h->hd_fd, access)) < 0 &&
		    S_ISDIR(h->hd_mode)) {
			RAW1(SYS_close, rs);
			return (r);
		}
	}
	*layersp = CAP_LAYER_LANDLOCK_FS;
	if (abi >= 4)
		*layersp |= CAP_LAYER_LANDLOCK_NET;
	if (abi >= 6)
		*layersp |= CAP_LAYER_LANDLOCK_SCOPE;
	*rulesetp = (int)rs;
	return (0);
}

/* ---------------------------------------------------------------------
 * Applying the domain to every thread.
 */
static int bc_ruleset = -1;
static atomic_uint bc_acks;
static atomic_uint bc_failures;
static atomic_uint bc_generation;
static __thread unsigned int bc_done;	/* generation this thread applied */

static int
restrict_self(int ruleset)
{
	long r;

	r = RAW5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (r == 0)
		r = RAW2(SYS_landlock_restrict_self, ruleset, 0);
	return ((int)r);
}

static void
bc_handler(int sig)
{
	int saved = errno;
	unsigned int gen = atomic_load(&bc_generation);

	(void)sig;
	if (bc_done != gen) {
		if (restrict_self(bc_ruleset) != 0)
			atomic_fetch_add(&bc_failures, 1);
		bc_done = gen;
	}
	atomic_fetch_add(&bc_acks, 1);
	errno = saved;
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

/* A real-time signal nobody has claimed. */
static int
free_rt_signal(struct sigaction *old)
{
	int sig;

	for (sig = SIGRTMAX; sig >= SIGRTMIN; sig--) {
		if (sigaction(sig, NULL, old) == 0 && old->sa_handler == SIG_DFL)
			return (sig);
	}
	return (-1);
}

/* Thread ids listed in /proc/self/task (dirfd held open). */
static int
list_tasks(int dfd, pid_t **tidsp, unsigned int *np)
{
	char buf[4096];
	struct dirent64 *d;
	pid_t *tids, *nt;
	unsigned int n, cap;
	long len, off;

	if (RAW3(SYS_lseek, dfd, 0, SEEK_SET) < 0)
		return (-EIO);
	n = 0;
	cap = 16;
	if ((tids = malloc(cap * sizeof(*tids))) == NULL)
		return (-ENOMEM);
	while ((len = RAW3(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len; off += d->d_reclen) {
			d = (struct dirent64 *)(buf + off);
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			if (n == cap) {
				cap *= 2;
				nt = realloc(tids, cap * sizeof(*tids));
				if (nt == NULL) {
					free(tids);
					return (-ENOMEM);
				}
				tids = nt;
			}
			tids[n++] = (pid_t)atoi(d->d_name);
		}
	}
	*tidsp = tids;
	*np = n;
	return (len < 0 ? (int)len : 0);
}

static bool
contains(const pid_t *v, unsigned int n, pid_t x)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (v[i] == x)
			return (true);
	}
	return (false);
}

/*
 * The task directory's link count is 2 plus the number of threads.  When
 * this thread is the only one, nobody else can start another, so there
 * is nobody to signal (and no need to list /proc, which costs a fresh
 * process tens of microseconds).
 */
static bool
only_thread(long dfd)
{
	struct stat st;

	return (dfd >= 0 && RAW2(SYS_fstat, dfd, &st) == 0 &&
	    st.st_nlink == 3);
}

/*
 * Signal every thread not yet restricted, wait for each to acknowledge,
 * rescan; done when a scan finds nobody new.  Returns true when every
 * thread acknowledged in time.
 */
static bool
broadcast(int ruleset, long dfd)
{
	struct sigaction sa, old;
	pid_t *done, *tids, *nd, pid, self;
	unsigned int ndone, cap, ntids, i, sent;
	long long deadline;
	bool ok, progress;
	int sig;

	if (dfd < 0)
		return (false);
	if ((sig = free_rt_signal(&old)) < 0)
		return (false);
	bc_ruleset = ruleset;
	atomic_fetch_add(&bc_generation, 1);
	bc_done = atomic_load(&bc_generation);	/* the caller did it */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bc_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);

	pid = (pid_t)RAW0(SYS_getpid);
	self = (pid_t)RAW0(SYS_gettid);
	cap = 16;
	ndone = 0;
	done = malloc(cap * sizeof(*done));
	ok = done != NULL;
	deadline = now_ns() + BROADCAST_TIMEOUT_NS;
	for (progress = true; ok && progress;) {
		progress = false;
		if (list_tasks((int)dfd, &tids, &ntids) != 0) {
			ok = false;
			break;
		}
		atomic_store(&bc_acks, 0);
		for (i = 0, sent = 0; i < ntids; i++) {
			if (tids[i] == self || contains(done, ndone, tids[i]))
				continue;
			if (RAW3(SYS_tgkill, pid, tids[i], sig) == 0)
				sent++;
			if (ndone == cap) {
				cap *= 2;
				if ((nd = realloc(done, cap * sizeof(*nd))) ==
				    NULL) {
					ok = false;
					break;
				}
				done = nd;
			}
			done[ndone++] = tids[i];
			progress = true;
		}
		free(tids);
		while (ok && atomic_load(&bc_acks) < sent) {
			if (now_ns() > deadline) {
				ok = false;
				break;
			}
			struct timespec ts = { 0, 50000 };
			nanosleep(&ts, NULL);
		}
	}
	free(done);
	if (atomic_load(&bc_failures) != 0)
		ok = false;
	/* Leave the handler installed while a late thread may still run
	 * it: it only restricts that thread further.  The ruleset stays
	 * open for the same reason when some thread did not answer. */
	if (ok)
		sigaction(sig, &old, NULL);
	return (ok);
}

int
capsicum_landlock_apply(int ruleset, int abi, bool *all_threads)
{
	long dfd;
	int r;

	*all_threads = false;
	if (abi >= 8) {
		r = (int)RAW5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (r == 0)
			r = (int)RAW2(SYS_landlock_restrict_self, ruleset,
			    LL_RESTRICT_SELF_TSYNC);
		if (r == 0) {
			*all_threads = true;
			return (0);
		}
	}
	/*
	 * unshare(CLONE_VM) changes nothing and fails unless this is the
	 * only thread and nothing else shares the memory: then nobody else
	 * can start a thread, there is nobody to signal, and /proc (which
	 * costs a fresh process ~10 us) is not needed.
	 */
	if (RAW1(SYS_unshare, CLONE_VM) == 0) {
		if ((r = restrict_self(ruleset)) == 0)
			*all_threads = true;
		return (r);
	}
	/* The thread list must be opened before the domain hides /proc. */
	dfd = RAW4(SYS_openat, AT_FDCWD, "/proc/self/task",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if ((r = restrict_self(ruleset)) == 0)
		*all_threads = only_thread(dfd) || broadcast(ruleset, dfd);
	if (dfd >= 0)
		RAW1(SYS_close, dfd);
	return (r);
}
