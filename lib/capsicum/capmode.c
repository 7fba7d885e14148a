/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capability mode: cap_enter(), cap_getmode(), cap_sandboxed(), and the
 * report of what enforces it.
 *
 * cap_enter() does its work in a fixed order (docs/design.md):
 *
 *   1. probe the kernel; decide the layers; fail early in strict mode;
 *   2. create the bookkeeping descriptors (placeholder, state record);
 *   3. pin every limited descriptor and give each rights profile a band;
 *   4. build the Landlock ruleset and both seccomp filters;
 *   5. apply: no_new_privs, Landlock on every thread, filter R, filter M.
 *
 * Nothing is applied until everything is built, so a failure in steps 1-4
 * leaves the process as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/seccomp.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "broker.h"
#include "filter.h"
#include "policy.h"
#include "procdesc_impl.h"
#include "sys.h"
#include "verdict.h"

#define	BOOKKEEPING_FD_MIN	200
#define	MAX_STACKED		32

static pthread_mutex_t capmode_lock = PTHREAD_MUTEX_INITIALIZER;

/* A strong reference, so that static links pull in the build-time copy
 * of filter M (filter.c and policy.c only refer to it weakly). */
extern const unsigned int capsicum_policy_nrs_len;
const unsigned int *const capsicum_gen_anchor = &capsicum_policy_nrs_len;
static bool strict_requested;

static bool
env_flag(const char *name)
{
	const char *v = capsicum_getenv(name);

	return (v != NULL && *v != '\0' && strcmp(v, "0") != 0);
}

const char *
cap_layer_name(unsigned int layer)
{

	switch (layer) {
	case CAP_LAYER_SECCOMP:
		return ("seccomp");
	case CAP_LAYER_RIGHTS:
		return ("rights");
	case CAP_LAYER_LANDLOCK_FS:
		return ("landlock-fs");
	case CAP_LAYER_LANDLOCK_NET:
		return ("landlock-net");
	case CAP_LAYER_LANDLOCK_SCOPE:
		return ("landlock-scope");
	case CAP_LAYER_ALL_THREADS:
		return ("all-threads");
	case CAP_LAYER_DUP_BANDS:
		return ("dup-bands");
	case CAP_LAYER_BROKER:
		return ("broker");
	default:
		return (NULL);
	}
}

/* ---------------------------------------------------------------------
 * Helpers.
 */

/*
 * The fast way: the size of /proc/self/fd is the number of open
 * descriptors (Linux 6.2 and later), and one poll() over the low numbers
 * tells which are open (POLLNVAL: not).  When they are not all found
 * there, 0: list the directory instead, which costs a fresh process a
 * dentry and an inode per descriptor.
 */
#define	PROBE_FDS	256

static unsigned int
probe_fds(long dfd, int *fds, unsigned int cap)
{
	struct pollfd pf[PROBE_FDS];
	struct stat st;
	unsigned int n, i;

	if (RAW2(SYS_fstat, dfd, &st) != 0 || st.st_size < 2 ||
	    (unsigned long long)st.st_size - 1 > cap)
		return (0);
	for (i = 0; i < PROBE_FDS; i++)
		pf[i] = (struct pollfd){ (int)i, 0, 0 };
	if (RAW3(SYS_poll, pf, PROBE_FDS, 0) < 0)
		return (0);
	for (i = 0, n = 0; i < PROBE_FDS; i++) {
		if (pf[i].fd == dfd)
			continue;
		/* poll cannot see O_PATH descriptors, such as the
		 * placeholder; ask about the library's own numbers. */
		if ((pf[i].revents & POLLNVAL) != 0 &&
		    (capsicum_pin_find((int)i) == NULL ||
		    RAW2(SYS_fcntl, i, F_GETFD) < 0))
			continue;
		if (n == cap)
			return (0);
		fds[n++] = (int)i;
	}
	return (n == (unsigned long long)st.st_size - 1 ? n : 0);
}

static long
open_procfd(void)
{

	return (RAW4(SYS_openat, AT_FDCWD, "/proc/self/fd",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
}

/* Every open descriptor number, from /proc/self/fd when it is there
 * (procfd, or opened here when -1); procfd itself is left out. */
int
capsicum_list_fds(long procfd, int **fdsp, unsigned int *np)
{
	char buf[4096];
	struct dirent64 *d;
	unsigned int n, cap;
	int *fds, *nf, fd, max;
	long dfd, len, off;

	n = 0;
	cap = 64;
	if ((fds = malloc(cap * sizeof(*fds))) == NULL)
		return (-ENOMEM);
	dfd = procfd >= 0 ? procfd : open_procfd();
	if (dfd >= 0)
		n = probe_fds(dfd, fds, cap);
	if (dfd >= 0 && n == 0) {
		RAW3(SYS_lseek, dfd, 0, SEEK_SET);
		while ((len = RAW3(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < len; off += d->d_reclen) {
				d = (struct dirent64 *)(buf + off);
				if (d->d_name[0] < '0' || d->d_name[0] > '9')
					continue;
				fd = atoi(d->d_name);
				if (fd == dfd)
					continue;
				if (n == cap) {
					cap *= 2;
					if ((nf = realloc(fds, cap *
					    sizeof(*fds))) == NULL)
						goto nomem;
					fds = nf;
				}
				fds[n++] = fd;
			}
		}
	} else if (dfd < 0) {
		/* No /proc: probe numbers up to a sane bound. */
		max = (int)sysconf(_SC_OPEN_MAX);
		if (max < 0 || max > 65536)
			max = 65536;
		for (fd = 0; fd < max; fd++) {
			if (RAW2(SYS_fcntl, fd, F_GETFD) < 0)
				continue;
			if (n == cap) {
				cap *= 2;
				if ((nf = realloc(fds, cap * sizeof(*fds))) ==
				    NULL)
					goto nomem;
				fds = nf;
			}
			fds[n++] = fd;
		}
	}
	if (dfd >= 0 && dfd != procfd)
		RAW1(SYS_close, dfd);
	*fdsp = fds;
	*np = n;
	return (0);
nomem:
	free(fds);
	if (dfd >= 0 && dfd != procfd)
		RAW1(SYS_close, dfd);
	return (-ENOMEM);
}

static long
move_high(long fd)
{
	long hi;

	if (fd < 0)
		return (fd);
	hi = RAW3(SYS_fcntl, fd, F_DUPFD, BOOKKEEPING_FD_MIN);
	RAW1(SYS_close, fd);
	return (hi);
}

/*
 * The placeholder: an O_PATH descriptor of a sealed, empty memfd.  read,
 * write, mmap and ioctl on it fail with EBADF, it is not a directory, and
 * it names nothing anyone else can see.  It survives exec (no CLOEXEC)
 * because the numbers it occupies must stay occupied.
 */
static int
make_bookkeeping(long procfd)
{
	char num[CAPSICUM_UTOA_LEN];
	long mfd, ph;

	if (capsicum_cs.cs_ph < 0) {
		mfd = RAW2(SYS_memfd_create, "capsicum-closed",
		    MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (mfd < 0)
			return ((int)mfd);
		RAW3(SYS_fcntl, mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK |
		    F_SEAL_GROW | F_SEAL_WRITE);
		ph = procfd < 0 ? -EBADF : RAW4(SYS_openat, procfd,
		    capsicum_utoa((unsigned long)mfd, num), O_PATH, 0);
		if (ph < 0)
			ph = RAW3(SYS_fcntl, mfd, F_DUPFD, 0);
		RAW1(SYS_close, mfd);
		if ((ph = move_high(ph)) < 0)
			return ((int)ph);
		capsicum_cs.cs_ph = (int)ph;
	}
	if (capsicum_state_open() < 0)
		return (-EIO);
	return (0);
}

static int
max_fd(const int *fds, unsigned int n)
{
	unsigned int i;
	int m;

	for (i = 0, m = 0; i < n; i++) {
		if (fds[i] > m)
			m = fds[i];
	}
	return (m);
}

static bool
open_writable(int fd)
{
	long fl;

	fl = RAW2(SYS_fcntl, fd, F_GETFL);
	return (fl < 0 || (fl & O_ACCMODE) != O_RDONLY);
}

/*
 * The bands where the broker puts descriptors opened through a limited
 * directory or accepted on a limited listener (and copies of the
 * profile's descriptors it receives over SCM_RIGHTS), so that they have
 * its rights.  They follow the profile's dup band in one aligned block, so
 * that filter R names the whole family with one masked comparison (see
 * all_targets()): every target costs instructions in every rule that
 * names it, and R has 4096.
 *
 *   block of 64: dup band (16), derived (16), derived (32): 48 open at once
 *   block of 32: dup band (16), derived (16):              16 open at once
 *
 * Directories and listeners get the block of 64 while bands allow.
 */

/* A directory with CAP_LOOKUP or a socket with CAP_ACCEPT: descriptors
 * made through it (openat, accept) get its rights. */
static bool
lookup_dir(int fd, const struct capsicum_profile *prof)
{
	struct stat st;

	if (RAW2(SYS_fstat, fd, &st) != 0)
		return (false);
	if (S_ISDIR(st.st_mode))
		return (cap_rights_is_set(&prof->cp_rights, CAP_LOOKUP));
	if (S_ISSOCK(st.st_mode))
		return (cap_rights_is_set(&prof->cp_rights, CAP_ACCEPT));
	return (false);
}

static const struct capsicum_band *
derived_at(const struct capsicum_profile *prof, int base, int shift)
{
	const struct capsicum_band *d;
	unsigned int i, n;

	n = atomic_load(&capsicum_cs.cs_nbands);
	for (i = 0; i < n; i++) {
		d = &capsicum_cs.cs_bands[i];
		if (d->band_derived && d->band_prof == prof &&
		    d->band_shift == shift && d->band_base == base)
			return (d);
	}
	return (NULL);
}

/* How many numbers, from band's base, form its family's aligned block:
 * 16 (the dup band alone), 32 or 64.  *writable: any of them. */
static int
family_size(const struct capsicum_band *band, bool *writable)
{
	const struct capsicum_band *d16, *d32;
	int base = band->band_base;

	*writable = band->band_writable;
	if (band->band_derived || band->band_shift != CAPSICUM_BAND_SHIFT ||
	    (base & (2 * CAPSICUM_BAND_SIZE - 1)) != 0 ||
	    (d16 = derived_at(band->band_prof, base + CAPSICUM_BAND_SIZE,
	    CAPSICUM_BAND_SHIFT)) == NULL)
		return (CAPSICUM_BAND_SIZE);
	*writable |= d16->band_writable;
	if ((base & (4 * CAPSICUM_BAND_SIZE - 1)) != 0 ||
	    (d32 = derived_at(band->band_prof, base + 2 * CAPSICUM_BAND_SIZE,
	    CAPSICUM_BAND_SHIFT + 1)) == NULL)
		return (2 * CAPSICUM_BAND_SIZE);
	*writable |= d32->band_writable;
	return (4 * CAPSICUM_BAND_SIZE);
}

/* Is this derived band covered by its dup band's target? */
static bool
merged(const struct capsicum_band *d)
{
	const struct capsicum_band *b;
	unsigned int i, n;
	bool w;

	n = atomic_load(&capsicum_cs.cs_nbands);
	for (i = 0; i < n; i++) {
		b = &capsicum_cs.cs_bands[i];
		if (!b->band_derived && b->band_prof == d->band_prof &&
		    d->band_base > b->band_base &&
		    d->band_base < b->band_base + family_size(b, &w))
			return (true);
	}
	return (false);
}

/*
 * Every limited profile gets a derived band when the bands allow it: the
 * broker also puts there the descriptors of that profile it receives over
 * SCM_RIGHTS on the process's behalf (broker.c).  Directories and
 * listeners need one for openat and accept, so they always ask; other
 * profiles only while enough bands stay free for limits set later.
 */
#define	BANDS_KEPT_FREE	16

static bool want_all_derived, want_big;

static bool
wants_derived(int fd, const struct capsicum_profile *prof)
{

	return (want_all_derived || lookup_dir(fd, prof));
}

static bool
wants_big(int fd, const struct capsicum_profile *prof)
{

	return (want_big && lookup_dir(fd, prof));
}

/* Right after the profile's dup band (cap_enter() aligned it). */
static bool
derived_bands(int fd, const struct capsicum_profile *prof)
{
	unsigned int i, n;
	bool w;

	if (!wants_derived(fd, prof))
		return (false);
	n = atomic_load(&capsicum_cs.cs_nbands);
	for (i = 0; i < n; i++) {
		if (capsicum_cs.cs_bands[i].band_derived &&
		    capsicum_cs.cs_bands[i].band_prof == prof)
			return (true);
	}
	/* A descriptor opened for writing may land in them. */
	w = cap_rights_is_set(&prof->cp_rights, CAP_WRITE);
	if (capsicum_band_add_derived(prof, w, CAPSICUM_BAND_SHIFT) != NULL &&
	    wants_big(fd, prof))
		(void)capsicum_band_add_derived(prof, w,
		    CAPSICUM_BAND_SHIFT + 1);
	return (true);
}

/* The distinct profiles, and how many of them are directories' or
 * listeners' (by their first descriptor, as derived_bands() decides). */
static unsigned int
count_profiles(const struct capsicum_fdlist *l, unsigned int n,
    unsigned int *nlookup)
{
	unsigned int i, j, k;

	*nlookup = 0;
	for (i = 0, k = 0; i < n; i++) {
		for (j = 0; j < i && l[j].prof != l[i].prof; j++)
			;
		if (j == i) {
			k++;
			if (lookup_dir(l[i].fd, l[i].prof))
				(*nlookup)++;
		}
	}
	return (k);
}

/* The broker's socket while cap_enter() has not handed it the listener. */
static int pending_broker = -1;

/*
 * What filter B routes, as built at cap_enter(): openat on every number
 * but the direct directories, accept on the targets of that moment.  A
 * limit set later is enforced by one more filter R, but B cannot change;
 * capsicum_capmode_limit() uses this to fail closed where the broker
 * would never see the call.
 */
static bool b_active;
static int *b_direct;
static unsigned int b_ndirect;
static struct capsicum_target *b_targets;
static unsigned int b_ntargets;

/* Directories held without limits: filter B lets openat through them go
 * straight to the kernel.  The number of them B lists. */
#define	MAX_DIRECT	64

static unsigned int
direct_dirs(const struct capsicum_held *held, unsigned int nheld, int *out,
    unsigned int max)
{
	const struct capsicum_profile *prof;
	unsigned int i, n;

	for (i = 0, n = 0; i < nheld && n < max; i++) {
		if (capsicum_pin_find(held[i].hd_fd) != NULL ||
		    capsicum_fd_profile(held[i].hd_fd, &prof) != 0 ||
		    prof != NULL)
			continue;
		if (held[i].hd_ok && S_ISDIR(held[i].hd_mode))
			out[n++] = held[i].hd_fd;
	}
	return (n);
}

/*
 * Does the process hold a directory (lookups by path then need the
 * broker), and a unix socket (a way to receive descriptors from outside)?
 */
static void
held_kinds(const struct capsicum_held *held, unsigned int nheld, bool *dir,
    bool *unixsock)
{
	socklen_t len;
	unsigned int i;
	int domain;

	*dir = *unixsock = false;
	for (i = 0; i < nheld; i++) {
		if (!held[i].hd_ok)
			continue;
		if (S_ISDIR(held[i].hd_mode))
			*dir = true;
		len = sizeof(domain);
		if (S_ISSOCK(held[i].hd_mode) && RAW5(SYS_getsockopt,
		    held[i].hd_fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
		    domain == AF_UNIX)
			*unixsock = true;
	}
}

/* One fstat() of every descriptor held, for the steps below. */
static struct capsicum_held *
held_stat(const int *fds, unsigned int nfds)
{
	struct capsicum_held *held;
	struct stat st;
	unsigned int i;

	if ((held = calloc(nfds + 1, sizeof(*held))) == NULL)
		return (NULL);
	for (i = 0; i < nfds; i++) {
		held[i].hd_fd = fds[i];
		if (RAW2(SYS_fstat, fds[i], &st) != 0)
			continue;
		held[i].hd_ok = true;
		held[i].hd_mode = st.st_mode;
		held[i].hd_dev = st.st_dev;
		held[i].hd_ino = st.st_ino;
	}
	return (held);
}

/* Targets for filter R: every pin and band, protected numbers first. */
static struct capsicum_target *
all_targets(unsigned int *np)
{
	struct capsicum_target *t;
	const struct capsicum_band *band;
	unsigned int i, n, npins, nbands;
	int size;
	bool w;

	npins = atomic_load(&capsicum_cs.cs_npins);
	nbands = atomic_load(&capsicum_cs.cs_nbands);
	t = calloc(npins + nbands + 1, sizeof(*t));
	if (t == NULL)
		return (NULL);
	n = 0;
	for (i = 0; i < npins; i++) {
		t[n].t_mask = 0xFFFFFFFFU;
		t[n].t_value = (uint32_t)capsicum_cs.cs_pins[i].pin_fd;
		t[n].t_prof = atomic_load(&capsicum_cs.cs_pins[i].pin_prof);
		t[n].t_protected = t[n].t_prof == NULL;
		t[n].t_writable = capsicum_cs.cs_pins[i].pin_writable;
		t[n].t_band = atomic_load(&capsicum_cs.cs_pins[i].pin_band);
		n++;
	}
	for (i = 0; i < nbands; i++) {
		band = &capsicum_cs.cs_bands[i];
		if (band->band_derived && merged(band))
			continue;
		t[n].t_mask = capsicum_band_mask(band);
		t[n].t_value = (uint32_t)band->band_base;
		t[n].t_prof = band->band_prof;
		t[n].t_writable = band->band_writable;
		t[n].t_band = band->band_derived ?
		    capsicum_band_top(band->band_prof) : band;
		if (!band->band_derived &&
		    (size = family_size(band, &w)) > capsicum_band_size(band)) {
			/* One aligned block for the family: each target
			 * costs instructions in every rule that names it. */
			t[n].t_mask = ~((uint32_t)size - 1);
			t[n].t_writable = w;
		}
		n++;
	}
	*np = n;
	return (t);
}

static void
warn_missing(unsigned int missing, const char *why)
{
	unsigned int bit;
	const char *sep = "";

	if (missing == 0 || env_flag("CAPSICUM_QUIET"))
		return;
	fprintf(stderr, "capsicum: capability mode without:");
	for (bit = 1; bit <= CAP_LAYERS_ALL; bit <<= 1) {
		if ((missing & bit) != 0) {
			fprintf(stderr, "%s %s", sep, cap_layer_name(bit));
			sep = ",";
		}
	}
	fprintf(stderr, "%s%s (CAPSICUM_STRICT=1 makes this an error)\n",
	    why != NULL ? "; " : "", why != NULL ? why : "");
}

/* ---------------------------------------------------------------------
 * cap_enter().
 */
static int
enter_locked(void)
{
	struct capsicum_filter_in fin;
	struct capsicum_target *targets;
	struct sock_fprog rprog = { 0, NULL }, mprog = { 0, NULL }, bprog;
	struct capsicum_fdlist *limited;
	unsigned int nlimited, ntargets, llayers, want, active, i, blen;
	unsigned int ndirect, nprof, nlookup;
	int align;
	int direct[MAX_DIRECT], bsock;
	struct capsicum_held *held;
	int *fds, ruleset, abi, maxfd, r;
	long procfd;
	unsigned int nfds;
	bool strict, all_threads, broker_ok, has_dir, has_unix, recv_nofd, one;

	strict = strict_requested || env_flag("CAPSICUM_STRICT");
	capsicum_cs.cs_strict = strict;
	capsicum_cs.cs_trap = capsicum_cs.cs_trap || env_flag("CAPSICUM_TRAP");

	/* 1. What can this kernel do? */
	if (RAW2(SYS_prctl, PR_GET_SECCOMP, 0) < 0 ||
	    RAW3(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0,
	    &(uint32_t){ SECCOMP_RET_TRAP }) != 0) {
		/* No seccomp filters: there is no capability mode to
		 * enter.  ENOSYS is FreeBSD's answer for a kernel without
		 * it (caph_enter() then carries on); strict mode refuses. */
		errno = strict ? ENOTSUP : ENOSYS;
		return (-1);
	}
	blen = 0;
	abi = capsicum_landlock_abi();
	want = CAP_LAYERS_ALL & ~CAP_LAYER_BROKER;	/* see derived_bands() */
	capsicum_cs.cs_ll_abi = abi;
	capsicum_cs.cs_pid = (pid_t)RAW0(SYS_getpid);
	if (strict && abi < 6) {
		errno = ENOTSUP;
		return (-1);
	}
	capsicum_verdict_init();
	if ((r = capsicum_sigsys_install()) != 0) {
		errno = -r;
		return (-1);
	}

	/* 2, 3. Bookkeeping descriptors, pins, bands.  One lookup of
	 * /proc/self/fd serves the placeholder and the descriptor list (a
	 * fresh process pays ~15 us for each walk to it). */
	procfd = open_procfd();
	if ((r = make_bookkeeping(procfd)) != 0 ||
	    (r = capsicum_fdtab_snapshot(&limited, &nlimited)) != 0) {
		if (procfd >= 0)
			RAW1(SYS_close, procfd);
		errno = -r;
		return (-1);
	}
	capsicum_pin_add(capsicum_cs.cs_ph, NULL, false, NULL);
	capsicum_pin_add(capsicum_cs.cs_statefd, NULL, false, NULL);
	/* Every open descriptor, once: for the band base and Landlock. */
	r = capsicum_list_fds(procfd, &fds, &nfds);
	if (procfd >= 0)
		RAW1(SYS_close, procfd);
	if (r != 0) {
		free(limited);
		errno = -r;
		return (-1);
	}
	held = held_stat(fds, nfds);
	maxfd = max_fd(fds, nfds);
	free(fds);
	if (held == NULL) {
		free(limited);
		errno = ENOMEM;
		return (-1);
	}
	if (capsicum_cs.cs_band_next == 0) {
		capsicum_cs.cs_band_next = (maxfd + CAPSICUM_BAND_SIZE) &
		    ~(CAPSICUM_BAND_SIZE - 1);
		if (capsicum_cs.cs_band_next < CAPSICUM_MIN_BAND_BASE)
			capsicum_cs.cs_band_next = CAPSICUM_MIN_BAND_BASE;
	}
	active = CAP_LAYER_DUP_BANDS;
	nprof = count_profiles(limited, nlimited, &nlookup);
	want_all_derived = 2 * nprof + BANDS_KEPT_FREE <= CAPSICUM_MAX_BANDS;
	/*
	 * Descriptors received over SCM_RIGHTS keep their rights through
	 * the broker, which also opens and accepts through limited
	 * directories and listeners, and looks up paths beneath held
	 * directories.  A process with none of those and no unix socket can
	 * be sent descriptors only by itself and its children: it receives
	 * without them instead (recvnofd.c), and needs no broker.
	 */
	held_kinds(held, nfds, &has_dir, &has_unix);
	capsicum_cs.cs_unix_held = has_unix;
	recv_nofd = nlimited > 0 && nlookup == 0 && !has_dir && !has_unix;
	if (recv_nofd)
		want_all_derived = false;
	want_big = 2 * nprof + nlookup + BANDS_KEPT_FREE <= CAPSICUM_MAX_BANDS;
	for (i = 0; i < nlimited; i++) {
		struct capsicum_band *band;

		/* A dup band starts a block of 32 or 64 that its derived
		 * bands complete. */
		if (capsicum_band_top(limited[i].prof) == NULL &&
		    wants_derived(limited[i].fd, limited[i].prof)) {
			align = (wants_big(limited[i].fd, limited[i].prof) ?
			    4 : 2) * CAPSICUM_BAND_SIZE;
			capsicum_cs.cs_band_next = (capsicum_cs.cs_band_next +
			    align - 1) & ~(align - 1);
		}
		band = capsicum_band_add(limited[i].prof,
		    open_writable(limited[i].fd), NULL);
		if (band == NULL)
			active &= ~CAP_LAYER_DUP_BANDS;
		if (capsicum_pin_add(limited[i].fd, limited[i].prof,
		    open_writable(limited[i].fd), band) != 0) {
			free(limited);
			errno = ENOMEM;
			return (-1);
		}
		(void)derived_bands(limited[i].fd, limited[i].prof);
		/* Rights must survive SCM_RIGHTS. */
		if (!recv_nofd)
			want |= CAP_LAYER_BROKER;
	}
	free(limited);
	if (strict && (active & CAP_LAYER_DUP_BANDS) == 0) {
		free(held);
		errno = EMFILE;
		return (-1);
	}

	/* Lookups by path (fstatat, readlinkat, ...) relative to a held
	 * directory need the broker too.  Unlimited held directories are
	 * opened through directly (the kernel and Landlock decide). */
	ndirect = has_dir ? direct_dirs(held, nfds, direct, MAX_DIRECT) : 0;
	if (ndirect > 0 || has_dir)
		want |= CAP_LAYER_BROKER;

	/* The filters' programs, R and B, now: once the broker is forked
	 * every page this process writes is copied, and building R writes
	 * plenty. */
	if ((targets = all_targets(&ntargets)) == NULL) {
		free(held);
		errno = ENOMEM;
		return (-1);
	}
	memset(&fin, 0, sizeof(fin));
	fin.fi_trap = capsicum_cs.cs_trap;
	fin.fi_self = capsicum_cs.cs_pid;
	fin.fi_global = true;
	fin.fi_nobroker = recv_nofd;
	fin.fi_targets = targets;
	fin.fi_ntargets = ntargets;
	/* With nothing limited, M and R go in as one filter (bpfmerge.c):
	 * the kernel's fixed cost of a filter, once.  Its probe learns the
	 * layers when they are known. */
	fin.fi_layers = CAPSICUM_LAYERS_SENTINEL;
	one = capsicum_mrfilter_get(&fin, &mprog) == 0;
	if (!one && (r = capsicum_rfilter_get(&fin, &rprog)) != 0) {
		free(targets);
		free(held);
		errno = -r;
		return (-1);
	}
	bprog.len = 0;
	bprog.filter = NULL;
	if ((want & CAP_LAYER_BROKER) != 0 &&
	    (r = capsicum_bfilter_build(direct, ndirect, targets, ntargets,
	    &bprog)) != 0 && strict) {
		capsicum_filter_free(&rprog);
		capsicum_filter_free(&mprog);
		free(targets);
		free(held);
		errno = -r;
		return (-1);
	}	/* else no broker: reported missing */
	bsock = -1;
	if (bprog.len > 0 && (bsock = capsicum_broker_spawn()) < 0 &&
	    strict) {
		capsicum_filter_free(&rprog);
		capsicum_filter_free(&mprog);
		capsicum_filter_free(&bprog);
		free(targets);
		free(held);
		errno = -bsock;
		return (-1);
	}
	pending_broker = bsock;	/* closed by cap_enter() if we fail */

	/* Children forked before now are signalled through the watchdog;
	 * tell it which ones no descriptor here may kill. */
	capsicum_pd_capmode_enter(held, nfds);

	/* 4. The Landlock ruleset. */
	ruleset = -1;
	llayers = 0;
	if (abi > 0) {
		r = capsicum_landlock_build(&ruleset, abi, held, nfds,
		    &llayers);
		if (r != 0 && strict) {
			free(held);
			errno = -r;
			goto fail_built;
		}
	}
	free(held);

	/* 5. Apply.  Landlock first: the filters depend on whether it
	 * scopes signals on every thread.  From here on a failure leaves
	 * the process more restricted than before, never less. */
	if (RAW5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		errno = EPERM;
		goto fail_built;
	}
	active |= CAP_LAYER_SECCOMP | CAP_LAYER_RIGHTS;
	if (ruleset >= 0) {
		r = capsicum_landlock_apply(ruleset, abi, &all_threads);
		if (r != 0) {
			if (strict) {
				errno = -r;
				goto fail_built;
			}
		} else {
			active |= llayers;
			if (all_threads)
				active |= CAP_LAYER_ALL_THREADS;
			else if (strict) {
				/* The ruleset stays open: a late thread may
				 * still restrict itself with it. */
				ruleset = -1;
				errno = EBUSY;
				goto fail_built;
			}
		}
		if (r != 0 || all_threads)
			RAW1(SYS_close, ruleset);
		ruleset = -1;
	}

	/* 6. The filters: B, whose listener goes to the broker started
	 * above, then R from the limits, then M from the build-time copy,
	 * which reports the layers (or M and R as one filter). */
	broker_ok = false;
	if (bsock >= 0) {
		pending_broker = -1;
		blen = bprog.len;
		r = capsicum_broker_attach(bsock, &bprog);
		broker_ok = r == 0;	/* bsock is closed otherwise */
	}
	capsicum_filter_free(&bprog);
	if (bsock >= 0 && !broker_ok && strict) {
		free(targets);
		errno = -r;
		goto fail_rprog;
	}
	/* Its traps ask the model, which must know about them. */
	capsicum_cs.cs_recv_nofd = recv_nofd;
	if (one)
		capsicum_filter_set_layers(&mprog, active |
		    (broker_ok ? CAP_LAYER_BROKER : 0));
	if ((r = capsicum_filter_load(one ? &mprog : &rprog)) != 0) {
		capsicum_cs.cs_recv_nofd = false;
		if (broker_ok)
			RAW1(SYS_close, bsock);
		free(targets);
		errno = -r;
		goto fail_rprog;
	}
	if (broker_ok) {
		active |= CAP_LAYER_BROKER;
		b_active = true;
		b_direct = malloc((ndirect + 1) * sizeof(*b_direct));
		b_targets = malloc((ntargets + 1) * sizeof(*b_targets));
		if (b_direct != NULL && b_targets != NULL) {
			memcpy(b_direct, direct, ndirect * sizeof(*direct));
			b_ndirect = ndirect;
			memcpy(b_targets, targets, ntargets *
			    sizeof(*targets));
			b_ntargets = ntargets;
		}
	}
	free(targets);
	fin.fi_targets = NULL;
	fin.fi_ntargets = 0;
	fin.fi_layers = active;
	if (!one && ((r = capsicum_mfilter_get(&fin, &mprog)) != 0 ||
	    (r = capsicum_filter_load(&mprog)) != 0)) {
		capsicum_filter_free(&mprog);
		if (broker_ok)
			RAW1(SYS_close, bsock);
		errno = -r;
		goto fail_rprog;
	}
	/*
	 * Last, the broker's "ready": it started while the filters were
	 * loaded, so this rarely waits (a vCPU that must be woken for it
	 * costs hundreds of microseconds on the project VM).  If it never
	 * came, the layer is missing: brokered calls fail with ENOSYS.
	 * Filter M's probe still names the layer; the library's record,
	 * which cap_enforcement() reads first, does not.
	 */
	if (broker_ok && capsicum_broker_ready(bsock) != 0) {
		active &= ~CAP_LAYER_BROKER;
		b_active = false;
		if (strict) {
			capsicum_filter_free(&rprog);
			capsicum_filter_free(&mprog);
			capsicum_cs.cs_active = active;
			capsicum_cs.cs_missing = want & ~active;
			atomic_store(&capsicum_cs.cs_mode, 1);
			errno = ESRCH;
			return (-1);
		}
	}
	capsicum_cs.cs_nfilters = ((active & CAP_LAYER_BROKER) != 0 ? 3 : 2) -
	    (one ? 1 : 0);
	capsicum_cs.cs_insns = (one ? 0 : rprog.len) + mprog.len +
	    ((active & CAP_LAYER_BROKER) != 0 ? blen : 0);
	capsicum_filter_free(&rprog);
	capsicum_filter_free(&mprog);
	capsicum_cs.cs_active = active;
	capsicum_cs.cs_missing = want & ~active;
	atomic_store(&capsicum_cs.cs_mode, 1);
	capsicum_state_save();
	warn_missing(capsicum_cs.cs_missing, abi == 0 ?
	    "Landlock is not available on this kernel" : NULL);
	return (0);

fail_built:
	capsicum_filter_free(&bprog);
	free(targets);
fail_rprog:
	capsicum_filter_free(&rprog);
	capsicum_filter_free(&mprog);
	if (ruleset >= 0)
		RAW1(SYS_close, ruleset);
	return (-1);
}

int
cap_enter(void)
{
	int r;

	if (cap_sandboxed())
		return (0);
	pthread_mutex_lock(&capmode_lock);
	r = enter_locked();
	if (pending_broker >= 0) {
		/* The broker sees the end of its socket and exits. */
		RAW1(SYS_close, pending_broker);
		pending_broker = -1;
	}
	pthread_mutex_unlock(&capmode_lock);
	return (r);
}

/*
 * Capability mode is known two ways: the library's own flag, and the
 * kernel's answer to the probe call our filter M intercepts (which also
 * works in a new image after exec).
 */
int
cap_getmode(unsigned int *modep)
{
	long r;

	if (modep == NULL) {
		errno = EFAULT;
		return (-1);
	}
	r = RAW0(CAPSICUM_PROBE_NR);
	*modep = (r <= -CAPSICUM_PROBE_BASE &&
	    r > -(CAPSICUM_PROBE_BASE + 1024)) ||
	    atomic_load(&capsicum_cs.cs_mode) ? 1 : 0;
	return (0);
}

bool
cap_sandboxed(void)
{
	unsigned int mode;

	return (cap_getmode(&mode) == 0 && mode == 1);
}

int
cap_enforcement(struct cap_enforcement *info)
{
	long r;

	if (info == NULL) {
		errno = EFAULT;
		return (-1);
	}
	memset(info, 0, sizeof(*info));
	info->ce_mode = cap_sandboxed() ? 1 : 0;
	info->ce_landlock_abi = capsicum_cs.cs_mode ? capsicum_cs.cs_ll_abi :
	    capsicum_landlock_abi();
	info->ce_strict = capsicum_cs.cs_strict || strict_requested ||
	    env_flag("CAPSICUM_STRICT");
	info->ce_trap = capsicum_cs.cs_trap;
	if (!info->ce_mode)
		return (0);
	info->ce_active = capsicum_cs.cs_active;
	info->ce_missing = capsicum_cs.cs_missing;
	info->ce_filters = capsicum_cs.cs_nfilters;
	info->ce_filter_insns = capsicum_cs.cs_insns;
	/* The kernel's own record of the layers, if we lost ours. */
	r = RAW0(CAPSICUM_PROBE_NR);
	if (info->ce_active == 0 && r <= -CAPSICUM_PROBE_BASE &&
	    r > -(CAPSICUM_PROBE_BASE + 1024)) {
		info->ce_active = (unsigned int)(-r - CAPSICUM_PROBE_BASE);
		info->ce_missing = CAP_LAYERS_ALL & ~CAP_LAYER_BROKER &
		    ~info->ce_active;
	}
	return (0);
}

int
cap_set_strict(bool strict)
{

	if (cap_sandboxed()) {
		errno = ECAPMODE;
		return (-1);
	}
	strict_requested = strict;
	return (0);
}

/* ---------------------------------------------------------------------
 * Limits set after cap_enter(): enforced at once by one more filter R
 * for the descriptor (and a band for its new profile).  Each stacked
 * filter adds a little to the calls it inspects, so there is a budget.
 */

/* Does filter B send accept on fd to the broker? */
static bool
b_routes_accept(int fd)
{
	unsigned int i;

	for (i = 0; i < b_ntargets; i++) {
		if (!b_targets[i].t_protected &&
		    ((uint32_t)fd & b_targets[i].t_mask) ==
		    b_targets[i].t_value)
			return (true);
	}
	return (false);
}

static bool
b_routes_openat(int fd)
{
	unsigned int i;

	if (!b_active)
		return (false);
	for (i = 0; i < b_ndirect; i++) {
		if (b_direct[i] == fd)
			return (false);
	}
	return (true);
}

/*
 * Descriptors made through fd (openat, accept) must get its new rights.
 * The broker learns them from capsicum_capmode_limit(); where filter B
 * does not send the call to the broker at all (a directory held without
 * limits at cap_enter(), whose openat the kernel does directly; a
 * listener that was not limited then), the right that makes such
 * descriptors is withdrawn instead: fail closed, never wider.
 */
static const struct capsicum_profile *
routable(int fd, const struct capsicum_profile *prof)
{
	cap_rights_t r;
	struct stat st;

	if (RAW2(SYS_fstat, fd, &st) != 0)
		return (prof);
	r = prof->cp_rights;
	if (S_ISDIR(st.st_mode) && cap_rights_is_set(&r, CAP_LOOKUP) &&
	    !b_routes_openat(fd))
		cap_rights_clear(&r, CAP_LOOKUP);
	else if (S_ISSOCK(st.st_mode) && cap_rights_is_set(&r, CAP_ACCEPT) &&
	    !(b_active && b_routes_accept(fd)))
		cap_rights_clear(&r, CAP_ACCEPT);
	else
		return (prof);
	return (capsicum_profile_intern(&r, prof->cp_fcntls,
	    prof->cp_nioctls, prof->cp_ioctls));
}

/*
 * Tell the broker, before the filter is loaded: it only ever narrows what
 * it knows of the file (a later, lying call cannot widen anything), so
 * from here a copy received over SCM_RIGHTS, or opened or accepted
 * through fd, is never wider than prof.  Best effort: a broker that
 * cannot record it fails closed on that file by itself.  (After exec the
 * new image does not know what filter B routes: routable() then withdraws
 * CAP_LOOKUP and CAP_ACCEPT from what it limits.)
 */
static void
tell_broker(int fd, const struct capsicum_profile *prof)
{
	struct capsicum_claim c;
	struct stat st;

	/* Not b_active: a new image after exec does not know whether there
	 * is a broker, and the call is ENOSYS without one. */
	if (RAW2(SYS_fstat, fd, &st) != 0)
		return;
	memset(&c, 0, sizeof(c));
	c.cl_dev = st.st_dev;
	c.cl_ino = st.st_ino;
	c.cl_rights[0] = prof->cp_rights.cr_rights[0];
	c.cl_rights[1] = prof->cp_rights.cr_rights[1];
	c.cl_fcntls = prof->cp_fcntls;
	c.cl_nioctls = prof->cp_nioctls;
	c.cl_ioctls = (uint64_t)(uintptr_t)prof->cp_ioctls;
	(void)RAW3(CAPSICUM_LIMIT_NR, fd, &c, S_ISSOCK(st.st_mode) ? 1 : 0);
}

int
capsicum_capmode_limit(int fd, const void *p)
{
	const struct capsicum_profile *prof = p;
	struct capsicum_filter_in fin;
	struct capsicum_target t[2];
	struct capsicum_band *band, *parent;
	const struct capsicum_profile *oldprof;
	const struct capsicum_pin *old;
	struct capsicum_band *oldband;
	struct sock_fprog prog;
	unsigned int n;
	bool writable;
	int r;

	pthread_mutex_lock(&capmode_lock);
	if (capsicum_cs.cs_nfilters >= MAX_STACKED) {
		pthread_mutex_unlock(&capmode_lock);
		errno = ENOMEM;
		return (-1);
	}
	writable = open_writable(fd);
	prof = routable(fd, prof);
	tell_broker(fd, prof);
	/* A limited number may only be duplicated into its band; an older
	 * filter says so too, so the new band must lie inside that one. */
	parent = capsicum_dup_band(fd);
	if (parent == NULL && (capsicum_pin_find(fd) != NULL ||
	    capsicum_band_of_fd(fd) != NULL))
		band = NULL;	/* it could not be duplicated before either */
	else
		band = capsicum_band_add(prof, writable, parent);
	n = 0;
	t[n].t_mask = 0xFFFFFFFFU;
	t[n].t_value = (uint32_t)fd;
	t[n].t_prof = prof;
	t[n].t_protected = false;
	t[n].t_writable = writable;
	t[n].t_band = band;
	n++;
	if (band != NULL) {
		t[n].t_mask = capsicum_band_mask(band);
		t[n].t_value = (uint32_t)band->band_base;
		t[n].t_prof = prof;
		t[n].t_protected = false;
		t[n].t_writable = band->band_writable;
		t[n].t_band = band;
		n++;
	}
	memset(&fin, 0, sizeof(fin));
	fin.fi_trap = capsicum_cs.cs_trap;
	fin.fi_self = capsicum_cs.cs_pid;
	fin.fi_targets = t;
	fin.fi_ntargets = n;
	/*
	 * Without a broker nothing keeps rights on a descriptor received
	 * over SCM_RIGHTS.  A process that held no unix socket at cap_enter()
	 * can only be sent descriptors by itself and its children: from now
	 * on it receives without them.  One that did may be receiving
	 * legitimately from outside (Casper's fileargs): the gap stays.
	 */
	fin.fi_nobroker = (capsicum_cs.cs_active & CAP_LAYER_BROKER) == 0 &&
	    !capsicum_cs.cs_unix_held && !capsicum_cs.cs_recv_nofd;
	if ((r = capsicum_rfilter_build(&fin, &prog)) != 0)
		goto out;
	/* Pin before loading: once the filter is in, its traps ask the
	 * emulations about fd, which must then see it as limited. */
	old = capsicum_pin_find(fd);
	oldprof = old != NULL ? atomic_load(&old->pin_prof) : NULL;
	oldband = old != NULL ? atomic_load(&old->pin_band) : NULL;
	if ((r = capsicum_pin_add(fd, prof, writable, band)) == 0) {
		if (fin.fi_nobroker)
			capsicum_cs.cs_recv_nofd = true;
		r = capsicum_filter_load(&prog);
		if (r == 0) {
			capsicum_cs.cs_nfilters++;
			capsicum_cs.cs_insns += prog.len;
		} else {
			if (fin.fi_nobroker)
				capsicum_cs.cs_recv_nofd = false;
			if (old != NULL)
				capsicum_pin_add(fd, oldprof, writable,
				    oldband);
			else
				capsicum_pin_forget(fd);
		}
	}
	capsicum_filter_free(&prog);
out:
	pthread_mutex_unlock(&capmode_lock);
	capsicum_state_save();
	if (r != 0) {
		errno = -r;
		return (-1);
	}
	capsicum_pd_capmode_limited(fd, &prof->cp_rights);
	return (0);
}

/* A new image after exec: pick up the state, re-arm the emulations. */
__attribute__((constructor))
static void
capmode_init(void)
{

	capsicum_state_load();
	if (atomic_load(&capsicum_cs.cs_mode))
		(void)capsicum_sigsys_install();
}
