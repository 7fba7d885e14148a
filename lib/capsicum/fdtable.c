/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Descriptor limits bookkeeping: profiles, the pre-cap_enter table, pins
 * and bands after cap_enter, and the state that crosses exec.  See
 * fdtable.h for the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "capsicum_impl.h"
#include "fdtable.h"
#include "sys.h"

struct capsicum_capstate capsicum_cs = {
	.cs_ph = -1, .cs_statefd = -1
};

static pthread_mutex_t fdtab_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------------
 * Profiles.
 */
static _Atomic(const struct capsicum_profile *) profiles;

int
capsicum_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return ((x > y) - (x < y));
}

static bool
profile_equal(const struct capsicum_profile *p, const cap_rights_t *rights,
    uint32_t fcntls, int32_t nioctls, const cap_ioctl_t *ioctls)
{

	if (!capsicum_rights_equal(&p->cp_rights, rights) ||
	    p->cp_fcntls != fcntls || p->cp_nioctls != nioctls)
		return (false);
	return (nioctls <= 0 ||
	    memcmp(p->cp_ioctls, ioctls, nioctls * sizeof(*ioctls)) == 0);
}

/*
 * Return the interned profile for these limits, or NULL for the
 * unlimited profile (all rights, all fcntls, all ioctls).  ioctls must be
 * sorted and unique.  NULL with errno ENOMEM on allocation failure is
 * reported through *errp by callers that care; here it aborts the intern
 * by returning the sentinel below.
 */
const struct capsicum_profile *
capsicum_profile_intern(const cap_rights_t *rights, uint32_t fcntls,
    int32_t nioctls, const cap_ioctl_t *ioctls)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct capsicum_profile *np;
	const struct capsicum_profile *p;
	cap_rights_t all;

	CAP_ALL(&all);
	if (capsicum_rights_equal(rights, &all) && fcntls == CAP_FCNTL_ALL &&
	    nioctls < 0)
		return (NULL);
	pthread_mutex_lock(&lock);
	for (p = atomic_load(&profiles); p != NULL; p = p->cp_next) {
		if (profile_equal(p, rights, fcntls, nioctls, ioctls))
			goto out;
	}
	np = calloc(1, sizeof(*np) +
	    (nioctls > 0 ? (size_t)nioctls : 0) * sizeof(cap_ioctl_t));
	if (np == NULL) {
		/* Out of memory: fail closed with an empty profile. */
		static struct capsicum_profile none;

		CAP_NONE(&none.cp_rights);
		none.cp_nioctls = 0;
		p = &none;
		goto out;
	}
	np->cp_rights = *rights;
	np->cp_fcntls = fcntls;
	np->cp_nioctls = nioctls;
	if (nioctls > 0)
		memcpy(np->cp_ioctls, ioctls, nioctls * sizeof(*ioctls));
	np->cp_next = atomic_load(&profiles);
	atomic_store(&profiles, np);
	p = np;
out:
	pthread_mutex_unlock(&lock);
	return (p);
}

/*
 * The interned profile equal to these limits, if one exists, without
 * taking a lock or allocating: the broker (a clone that must not touch
 * libc locks) looks up the profiles it inherited.  NULL if there is none
 * (or for the unlimited profile; callers check that first).
 */
const struct capsicum_profile *
capsicum_profile_lookup(const cap_rights_t *rights, uint32_t fcntls,
    int32_t nioctls, const cap_ioctl_t *ioctls)
{
	const struct capsicum_profile *p;

	for (p = atomic_load(&profiles); p != NULL; p = p->cp_next) {
		if (profile_equal(p, rights, fcntls, nioctls, ioctls))
			return (p);
	}
	return (NULL);
}

/* Is every limit of small within big?  NULL is the unlimited profile. */
bool
capsicum_profile_le(const struct capsicum_profile *small,
    const struct capsicum_profile *big)
{
	int32_t i, j;

	if (big == NULL)
		return (true);
	if (small == NULL)
		return (false);
	if (!cap_rights_contains(&big->cp_rights, &small->cp_rights))
		return (false);
	if ((small->cp_fcntls & ~big->cp_fcntls) != 0)
		return (false);
	if (big->cp_nioctls < 0)
		return (true);
	if (small->cp_nioctls < 0)
		return (false);
	for (i = 0, j = 0; i < small->cp_nioctls; i++) {
		while (j < big->cp_nioctls &&
		    big->cp_ioctls[j] < small->cp_ioctls[i])
			j++;
		if (j == big->cp_nioctls ||
		    big->cp_ioctls[j] != small->cp_ioctls[i])
			return (false);
	}
	return (true);
}

/* Sort and deduplicate an ioctl list in place; return the new length. */
size_t
capsicum_ioctls_normalize(cap_ioctl_t *cmds, size_t n)
{
	size_t i, j;

	if (n == 0)
		return (0);
	qsort(cmds, n, sizeof(*cmds), capsicum_u64_cmp);
	for (i = 1, j = 1; i < n; i++) {
		if (cmds[i] != cmds[j - 1])
			cmds[j++] = cmds[i];
	}
	return (j);
}

/* ---------------------------------------------------------------------
 * The pre-cap_enter table.  Entries remember the file's identity so that
 * a number closed behind our back (by libc internally, or a raw syscall)
 * and reused for another file is not mistaken for the limited one.
 */
struct fdent {
	const struct capsicum_profile *fe_prof;
	dev_t		fe_dev;
	ino_t		fe_ino;
};

static struct fdent *fdtab;
static int fdtab_len;
static atomic_int fdtab_count;

static void
fdtab_atfork_prepare(void)
{

	pthread_mutex_lock(&fdtab_lock);
}

static void
fdtab_atfork_release(void)
{

	pthread_mutex_unlock(&fdtab_lock);
}

__attribute__((constructor))
static void
fdtab_init(void)
{

	pthread_atfork(fdtab_atfork_prepare, fdtab_atfork_release,
	    fdtab_atfork_release);
}

static int
fd_identity(int fd, dev_t *devp, ino_t *inop)
{
	struct stat st;
	long r;

	*devp = 0;
	*inop = 0;
	r = RAW2(SYS_fstat, fd, &st);
	if (r < 0)
		return ((int)r);
	*devp = st.st_dev;
	*inop = st.st_ino;
	return (0);
}

static int
fdtab_grow(int fd)
{
	struct fdent *n;
	int len;

	if (fd < fdtab_len)
		return (0);
	len = fdtab_len == 0 ? 64 : fdtab_len;
	while (len <= fd)
		len *= 2;
	n = realloc(fdtab, (size_t)len * sizeof(*n));
	if (n == NULL)
		return (-ENOMEM);
	memset(n + fdtab_len, 0, (size_t)(len - fdtab_len) * sizeof(*n));
	fdtab = n;
	fdtab_len = len;
	return (0);
}

/* Caller holds fdtab_lock. */
static void
fdtab_put_locked(int fd, const struct capsicum_profile *prof, dev_t dev,
    ino_t ino)
{
	bool had;

	had = fdtab[fd].fe_prof != NULL;
	fdtab[fd].fe_prof = prof;
	fdtab[fd].fe_dev = dev;
	fdtab[fd].fe_ino = ino;
	if (had && prof == NULL)
		atomic_fetch_sub(&fdtab_count, 1);
	else if (!had && prof != NULL)
		atomic_fetch_add(&fdtab_count, 1);
}

bool
capsicum_fdtab_any(void)
{

	return (atomic_load_explicit(&fdtab_count, memory_order_relaxed) > 0 ||
	    atomic_load_explicit(&capsicum_cs.cs_mode, memory_order_relaxed));
}

void
capsicum_fdtab_dup(int oldfd, int newfd)
{

	if (oldfd < 0 || newfd < 0 || oldfd == newfd)
		return;
	pthread_mutex_lock(&fdtab_lock);
	if (oldfd < fdtab_len && fdtab[oldfd].fe_prof != NULL) {
		if (fdtab_grow(newfd) == 0)
			fdtab_put_locked(newfd, fdtab[oldfd].fe_prof,
			    fdtab[oldfd].fe_dev, fdtab[oldfd].fe_ino);
	} else if (newfd < fdtab_len) {
		fdtab_put_locked(newfd, NULL, 0, 0);
	}
	pthread_mutex_unlock(&fdtab_lock);
	capsicum_state_save();
}

void
capsicum_fdtab_close(int fd)
{
	bool had;

	if (fd < 0)
		return;
	pthread_mutex_lock(&fdtab_lock);
	had = fd < fdtab_len && fdtab[fd].fe_prof != NULL;
	if (had)
		fdtab_put_locked(fd, NULL, 0, 0);
	pthread_mutex_unlock(&fdtab_lock);
	if (had)
		capsicum_state_save();
}

void
capsicum_fdtab_close_range(unsigned int lo, unsigned int hi)
{
	unsigned int fd;

	pthread_mutex_lock(&fdtab_lock);
	for (fd = lo; fd <= hi && fd < (unsigned int)fdtab_len; fd++) {
		if (fdtab[fd].fe_prof != NULL)
			fdtab_put_locked((int)fd, NULL, 0, 0);
	}
	pthread_mutex_unlock(&fdtab_lock);
	capsicum_state_save();
}

/* ---------------------------------------------------------------------
 * Pins and bands (capability mode).
 */
const struct capsicum_pin *
capsicum_pin_find(int fd)
{
	unsigned int i, n;

	n = atomic_load(&capsicum_cs.cs_npins);
	for (i = 0; i < n; i++) {
		if (capsicum_cs.cs_pins[i].pin_fd == fd)
			return (&capsicum_cs.cs_pins[i]);
	}
	return (NULL);
}

int
capsicum_pin_add(int fd, const struct capsicum_profile *prof, bool writable,
    struct capsicum_band *band)
{
	struct capsicum_pin *pin;
	unsigned int n;

	if ((pin = (struct capsicum_pin *)capsicum_pin_find(fd)) != NULL) {
		atomic_store(&pin->pin_prof, prof);
		atomic_store(&pin->pin_band, band);
		pin->pin_writable |= writable;
		return (0);
	}
	n = atomic_load(&capsicum_cs.cs_npins);
	if (n == CAPSICUM_MAX_PINS)
		return (-ENOMEM);
	pin = &capsicum_cs.cs_pins[n];
	pin->pin_fd = fd;
	atomic_store(&pin->pin_prof, prof);
	atomic_store(&pin->pin_band, band);
	pin->pin_writable = writable;
	atomic_store(&capsicum_cs.cs_npins, n + 1);
	return (0);
}

/* Undo a pin whose filter could not be loaded. */
void
capsicum_pin_forget(int fd)
{
	struct capsicum_pin *pin;

	if ((pin = (struct capsicum_pin *)capsicum_pin_find(fd)) != NULL)
		pin->pin_fd = -1;
}

/* The innermost band holding this number (sub-bands are newer). */
struct capsicum_band *
capsicum_band_of_fd(int fd)
{
	struct capsicum_band *b;
	unsigned int n;

	n = atomic_load(&capsicum_cs.cs_nbands);
	while (n-- > 0) {
		b = &capsicum_cs.cs_bands[n];
		if (fd >= b->band_base && fd < b->band_base +
		    capsicum_band_size(b))
			return (b);
	}
	return (NULL);
}

/* The top-level band of a profile (the one cap_enter() made). */
struct capsicum_band *
capsicum_band_top(const struct capsicum_profile *prof)
{
	unsigned int i, n;

	n = atomic_load(&capsicum_cs.cs_nbands);
	for (i = 0; i < n; i++) {
		if (capsicum_cs.cs_bands[i].band_prof == prof &&
		    capsicum_cs.cs_bands[i].band_shift == CAPSICUM_BAND_SHIFT &&
		    !capsicum_cs.cs_bands[i].band_derived)
			return (&capsicum_cs.cs_bands[i]);
	}
	return (NULL);
}

/* Where a duplicate of fd goes: its pin's band, or the band it is in. */
struct capsicum_band *
capsicum_dup_band(int fd)
{
	const struct capsicum_pin *pin;
	struct capsicum_band *b;

	if ((pin = capsicum_pin_find(fd)) != NULL)
		return (atomic_load(&pin->pin_band));
	b = capsicum_band_of_fd(fd);
	if (b != NULL && b->band_derived)
		return (capsicum_band_top(b->band_prof));
	return (b);
}

/*
 * Occupy the 16 numbers at base with placeholders.  F_DUPFD returns the
 * lowest free number at or above its argument, so getting exactly the
 * number asked for proves it was free; no concurrent open can be
 * clobbered.  Returns false if any number in the block was taken.
 */
static bool
band_fill(int base, int size)
{
	long r;
	int i;

	for (i = 0; i < size; i++) {
		r = RAW3(SYS_fcntl, capsicum_cs.cs_ph, F_DUPFD, base + i);
		if (r != base + i) {
			if (r >= 0)
				RAW1(SYS_close, r);
			return (false);
		}
	}
	return (true);
}

static void
raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= (rlim_t)need)
		return;
	rl.rlim_cur = rl.rlim_max < (rlim_t)need ? rl.rlim_max : (rlim_t)need;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* Claim an aligned half of the parent's free slots for a sub-band. */
static int
sub_band_base(struct capsicum_band *parent, int shift)
{
	uint32_t used, want;
	int size, off;

	size = 1 << shift;
	want = (size == 32 ? ~0U : (1U << size) - 1);
	for (off = 0; off < capsicum_band_size(parent); off += size) {
		used = atomic_load(&parent->band_used);
		if ((used & (want << off)) != 0)
			continue;
		if (atomic_compare_exchange_strong(&parent->band_used, &used,
		    used | (want << off)))
			return (parent->band_base + off);
		off -= size;	/* raced: try the same block again */
	}
	return (-1);
}

static struct capsicum_band *band_new(const struct capsicum_profile *prof,
    bool writable, struct capsicum_band *parent, bool derived, int shift);

struct capsicum_band *
capsicum_band_add(const struct capsicum_profile *prof, bool writable,
    struct capsicum_band *parent)
{
	struct capsicum_band *b;

	if (parent == NULL && (b = capsicum_band_top(prof)) != NULL) {
		b->band_writable |= writable;
		return (b);
	}
	return (band_new(prof, writable, parent, false, CAPSICUM_BAND_SHIFT));
}

/* A band for the broker's descriptors opened through prof's directories
 * (a new one at every call), of 16 or 32 numbers (shift 4 or 5), at the
 * next free base, which the caller has aligned. */
struct capsicum_band *
capsicum_band_add_derived(const struct capsicum_profile *prof, bool writable,
    int shift)
{

	return (band_new(prof, writable, NULL, true, shift));
}

static struct capsicum_band *
band_new(const struct capsicum_profile *prof, bool writable,
    struct capsicum_band *parent, bool derived, int top_shift)
{
	struct capsicum_band *b;
	unsigned int n;
	int base, shift, tries;

	n = atomic_load(&capsicum_cs.cs_nbands);
	if (n == CAPSICUM_MAX_BANDS || capsicum_cs.cs_ph < 0)
		return (NULL);
	if (parent != NULL) {
		shift = parent->band_shift - 1;
		if (shift < 0 || (base = sub_band_base(parent, shift)) < 0)
			return (NULL);
	} else {
		shift = top_shift;
		for (tries = 0; tries < 8; tries++) {
			base = capsicum_cs.cs_band_next;
			capsicum_cs.cs_band_next += 1 << shift;
			raise_nofile(base + 4 * CAPSICUM_BAND_SIZE);
			if (band_fill(base, 1 << shift))
				break;
		}
		if (tries == 8)
			return (NULL);
	}
	b = &capsicum_cs.cs_bands[n];
	b->band_base = base;
	b->band_shift = shift;
	b->band_prof = prof;
	atomic_store(&b->band_used, 0);
	b->band_writable = writable;
	b->band_derived = derived;
	atomic_store(&capsicum_cs.cs_nbands, n + 1);
	return (b);
}

/* ---------------------------------------------------------------------
 * Lookups.
 */
int
capsicum_fd_profile(int fd, const struct capsicum_profile **profp)
{
	const struct capsicum_pin *pin;
	const struct capsicum_band *band;
	dev_t dev;
	ino_t ino;
	long r;

	*profp = NULL;
	r = RAW2(SYS_fcntl, fd, F_GETFD);
	if (fd < 0 || r < 0) {
		errno = EBADF;
		return (-1);
	}
	if (atomic_load(&capsicum_cs.cs_mode)) {
		if ((pin = capsicum_pin_find(fd)) != NULL) {
			*profp = atomic_load(&pin->pin_prof);
			return (0);
		}
		if ((band = capsicum_band_of_fd(fd)) != NULL) {
			*profp = band->band_prof;
			return (0);
		}
		return (0);
	}
	pthread_mutex_lock(&fdtab_lock);
	if (fd < fdtab_len && fdtab[fd].fe_prof != NULL) {
		/* A different file under this number: the entry is stale. */
		if (fd_identity(fd, &dev, &ino) == 0 &&
		    (dev != fdtab[fd].fe_dev || ino != fdtab[fd].fe_ino))
			fdtab_put_locked(fd, NULL, 0, 0);
		else
			*profp = fdtab[fd].fe_prof;
	}
	pthread_mutex_unlock(&fdtab_lock);
	return (0);
}

/* Record new limits (already checked to be a narrowing). */
int
capsicum_fd_set_profile(int fd, const struct capsicum_profile *prof)
{
	dev_t dev = 0;
	ino_t ino = 0;
	int error;

	(void)fd_identity(fd, &dev, &ino);
	pthread_mutex_lock(&fdtab_lock);
	error = fdtab_grow(fd);
	if (error == 0)
		fdtab_put_locked(fd, prof, dev, ino);
	pthread_mutex_unlock(&fdtab_lock);
	if (error != 0) {
		errno = -error;
		return (-1);
	}
	capsicum_state_save();
	return (0);
}

/* A copy of every limited entry, for cap_enter(). */
int
capsicum_fdtab_snapshot(struct capsicum_fdlist **listp, unsigned *np)
{
	struct capsicum_fdlist *list;
	unsigned int n;
	dev_t dev;
	ino_t ino;
	int fd;

	pthread_mutex_lock(&fdtab_lock);
	list = calloc((size_t)fdtab_len + 1, sizeof(*list));
	if (list == NULL) {
		pthread_mutex_unlock(&fdtab_lock);
		return (-ENOMEM);
	}
	for (fd = 0, n = 0; fd < fdtab_len; fd++) {
		if (fdtab[fd].fe_prof == NULL)
			continue;
		if (fd_identity(fd, &dev, &ino) != 0 ||
		    dev != fdtab[fd].fe_dev || ino != fdtab[fd].fe_ino) {
			fdtab_put_locked(fd, NULL, 0, 0);
			continue;
		}
		list[n].fd = fd;
		list[n].prof = fdtab[fd].fe_prof;
		n++;
	}
	pthread_mutex_unlock(&fdtab_lock);
	*listp = list;
	*np = n;
	return (0);
}

/* ---------------------------------------------------------------------
 * State across exec: a memfd that stays open over execve, named by the
 * CAPSICUM_STATE_FD environment variable.  It only informs the library
 * (cap_rights_get, the emulations); enforcement lives in the kernel and
 * survives exec by itself.
 */
#define	STATE_MAGIC	0x32544143u	/* "CAT2" */
#define	STATE_ENV	"CAPSICUM_STATE_FD"
#define	STATE_MAX	(4 << 20)

/*
 * The record is one open file, and fork shares it: a child that limited a
 * descriptor or entered capability mode would rewrite its parent's record
 * (and an image after exec would inherit a record its parent still
 * writes).  So a process writes only a record it made itself, checked by
 * pid and by the file's identity (the sandbox may have put another file
 * at that number); otherwise it makes its own, whole, on the next save.
 */
static pid_t state_owner;
static dev_t state_dev;
static ino_t state_ino;
static uint32_t state_size;	/* bytes in the record */

/* Is fd still the record this library knows (not something the
 * program put at that number since)? */
static bool
state_same_file(long fd)
{
	struct stat st;

	return (fd >= 0 && RAW2(SYS_fstat, fd, &st) == 0 &&
	    st.st_dev == state_dev && st.st_ino == state_ino);
}

static bool
state_is_ours(long fd)
{

	return (state_owner == (pid_t)RAW0(SYS_getpid) &&
	    state_same_file(fd));
}

/* Name the record in the environment, for the image after exec. */
static void
state_env(long fd)
{
	static char entry[sizeof(STATE_ENV) + CAPSICUM_UTOA_LEN];
	char num[CAPSICUM_UTOA_LEN], *w;
	const char *p;

	w = entry;
	for (p = STATE_ENV "="; *p != '\0'; p++)
		*w++ = *p;
	for (p = capsicum_utoa((unsigned long)fd, num); *p != '\0'; p++)
		*w++ = *p;
	*w = '\0';
	(void)capsicum_setenv_static(entry);
}

int
capsicum_state_open(void)
{
	struct stat st;
	long fd, hi, old;

	old = capsicum_cs.cs_statefd;
	if (state_is_ours(old))
		return ((int)old);
	fd = RAW2(SYS_memfd_create, "capsicum-state", 0);
	if (fd < 0)
		return (-1);
	/* Keep it out of the way of the program's own low numbers. */
	hi = RAW3(SYS_fcntl, fd, F_DUPFD, 200);
	if (hi >= 0) {
		RAW1(SYS_close, fd);
		fd = hi;
	}
	if (RAW2(SYS_fstat, fd, &st) != 0) {
		RAW1(SYS_close, fd);
		return (-1);
	}
	/* The shared record stays with the others; this process lets go
	 * of it unless capability mode pins its number (or the number now
	 * holds some other file of the program's). */
	if (old >= 0 && !atomic_load(&capsicum_cs.cs_mode) &&
	    state_same_file(old))
		RAW1(SYS_close, old);
	state_owner = (pid_t)RAW0(SYS_getpid);
	state_dev = st.st_dev;
	state_ino = st.st_ino;
	state_size = 0;
	state_env(fd);
	capsicum_cs.cs_statefd = (int)fd;
	return ((int)fd);
}

static int
prof_index(const struct capsicum_profile **tab, unsigned int n,
    const struct capsicum_profile *p)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (tab[i] == p)
			return ((int)i);
	}
	return (-1);
}

/* Serialise everything; the file is rewritten whole (it is small). */
int
capsicum_state_save(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const struct capsicum_profile *p, **ptab;
	struct state_hdr h;
	struct state_prof sp;
	struct state_ent se;
	struct state_band sb;
	struct capsicum_band *band;
	unsigned int i, nprof, npins, nbands;
	char *buf, *w;
	size_t size;
	int fd, ret;

	pthread_mutex_lock(&lock);
	ret = -1;
	fd = capsicum_state_open();
	if (fd < 0)
		goto out;
	nprof = 0;
	for (p = atomic_load(&profiles); p != NULL; p = p->cp_next)
		nprof++;
	ptab = calloc(nprof + 1, sizeof(*ptab));
	if (ptab == NULL)
		goto out;
	size = sizeof(h);
	nprof = 0;
	for (p = atomic_load(&profiles); p != NULL; p = p->cp_next) {
		ptab[nprof++] = p;
		size += sizeof(sp) + (p->cp_nioctls > 0 ?
		    (size_t)p->cp_nioctls * sizeof(uint64_t) : 0);
	}
	npins = atomic_load(&capsicum_cs.cs_npins);
	nbands = atomic_load(&capsicum_cs.cs_nbands);
	pthread_mutex_lock(&fdtab_lock);
	size += ((size_t)fdtab_len + npins) * sizeof(se) +
	    nbands * sizeof(sb);
	buf = malloc(size);
	if (buf == NULL) {
		pthread_mutex_unlock(&fdtab_lock);
		free(ptab);
		goto out;
	}
	memset(&h, 0, sizeof(h));
	w = buf + sizeof(h);
	for (i = 0; i < nprof; i++) {
		p = ptab[i];
		sp.sp_rights[0] = p->cp_rights.cr_rights[0];
		sp.sp_rights[1] = p->cp_rights.cr_rights[1];
		sp.sp_fcntls = p->cp_fcntls;
		sp.sp_nioctls = p->cp_nioctls;
		memcpy(w, &sp, sizeof(sp));
		w += sizeof(sp);
		if (p->cp_nioctls > 0) {
			memcpy(w, p->cp_ioctls,
			    (size_t)p->cp_nioctls * sizeof(uint64_t));
			w += (size_t)p->cp_nioctls * sizeof(uint64_t);
		}
	}
	for (i = 0; i < nbands; i++) {
		sb.sb_base = capsicum_cs.cs_bands[i].band_base;
		sb.sb_prof = prof_index(ptab, nprof,
		    capsicum_cs.cs_bands[i].band_prof);
		sb.sb_writable = (capsicum_cs.cs_bands[i].band_writable ?
		    SB_WRITABLE : 0) | (capsicum_cs.cs_bands[i].band_derived ?
		    SB_DERIVED : 0);
		sb.sb_shift = capsicum_cs.cs_bands[i].band_shift;
		memcpy(w, &sb, sizeof(sb));
		w += sizeof(sb);
	}
	h.sh_nent = 0;
	memset(&se, 0, sizeof(se));
	if (atomic_load(&capsicum_cs.cs_mode)) {
		for (i = 0; i < npins; i++) {
			se.se_fd = capsicum_cs.cs_pins[i].pin_fd;
			se.se_prof = prof_index(ptab, nprof,
			    atomic_load(&capsicum_cs.cs_pins[i].pin_prof));
			se.se_writable = capsicum_cs.cs_pins[i].pin_writable;
			band = atomic_load(&capsicum_cs.cs_pins[i].pin_band);
			se.se_band = band == NULL ? -1 :
			    (int32_t)(band - capsicum_cs.cs_bands);
			memcpy(w, &se, sizeof(se));
			w += sizeof(se);
			h.sh_nent++;
		}
	} else {
		for (i = 0; i < (unsigned int)fdtab_len; i++) {
			if (fdtab[i].fe_prof == NULL)
				continue;
			se.se_fd = (int32_t)i;
			se.se_prof = prof_index(ptab, nprof, fdtab[i].fe_prof);
			se.se_band = -1;
			se.se_dev = fdtab[i].fe_dev;
			se.se_ino = fdtab[i].fe_ino;
			memcpy(w, &se, sizeof(se));
			w += sizeof(se);
			h.sh_nent++;
		}
	}
	pthread_mutex_unlock(&fdtab_lock);
	h.sh_magic = STATE_MAGIC;
	h.sh_size = (uint32_t)(w - buf);
	h.sh_mode = atomic_load(&capsicum_cs.cs_mode);
	h.sh_ph = capsicum_cs.cs_ph;
	h.sh_nprof = nprof;
	h.sh_nbands = nbands;
	h.sh_active = capsicum_cs.cs_active;
	h.sh_missing = capsicum_cs.cs_missing;
	h.sh_ll_abi = capsicum_cs.cs_ll_abi;
	h.sh_nfilters = capsicum_cs.cs_nfilters;
	h.sh_insns = capsicum_cs.cs_insns;
	h.sh_flags = (capsicum_cs.cs_strict ? 1 : 0) |
	    (capsicum_cs.cs_trap ? 2 : 0) | (capsicum_cs.cs_recv_nofd ? 4 : 0) |
	    (capsicum_cs.cs_unix_held ? 8 : 0);
	h.sh_band_next = capsicum_cs.cs_band_next;
	h.sh_pid = capsicum_cs.cs_pid;
	h.sh_scratch = -1;	/* no scratch file any more; the field stays */
	memcpy(buf, &h, sizeof(h));
	/* A record only shrinks when limits were dropped with their
	 * descriptors; then the tail goes too. */
	if (RAW4(SYS_pwrite64, fd, buf, h.sh_size, 0) == (long)h.sh_size &&
	    (h.sh_size >= state_size ||
	    RAW2(SYS_ftruncate, fd, h.sh_size) == 0)) {
		state_size = h.sh_size;
		ret = 0;
	}
	free(buf);
	free(ptab);
out:
	pthread_mutex_unlock(&lock);
	return (ret);
}

/* ---------------------------------------------------------------------
 * Decoding.  The file is writable by the process, so a sandboxed program
 * could have scribbled on it before exec: every field is checked, nothing
 * is trusted for security, and a bad file is ignored.  Decoding is a pure
 * function of the bytes (fuzz/capsicum_state.c); applying is separate.
 */
struct cursor {
	const unsigned char	*p;
	size_t			 left;
};

static bool
take(struct cursor *c, void *out, size_t n)
{

	if (n > c->left)
		return (false);
	memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
	return (true);
}

void
capsicum_state_free(struct capsicum_state *st)
{
	unsigned int i;

	if (st == NULL)
		return;
	/* Every slot, including one half-decoded when decoding failed. */
	for (i = 0; st->prof != NULL && i < st->hdr.sh_nprof; i++)
		free(st->prof[i].ioctls);
	free(st->prof);
	free(st->ent);
	free(st->band);
	memset(st, 0, sizeof(*st));
}

static bool
fd_ok(int32_t fd)
{

	return (fd >= 0 && fd < (1 << 20));
}

int
capsicum_state_decode(const void *buf, size_t len, struct capsicum_state *st)
{
	struct cursor c = { buf, len };
	struct state_hdr h;
	struct state_prof sp;
	struct state_ent se;
	struct state_band sb;
	cap_rights_t r;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (!take(&c, &h, sizeof(h)) || h.sh_magic != STATE_MAGIC ||
	    h.sh_size != len || h.sh_nprof > 4096 ||
	    h.sh_nent > CAPSICUM_MAX_PINS + 65536 ||
	    h.sh_nbands > CAPSICUM_MAX_BANDS || (h.sh_flags & ~15U) != 0 ||
	    (h.sh_mode != 0 && h.sh_mode != 1) ||
	    (h.sh_ph != -1 && !fd_ok(h.sh_ph)) ||
	    (h.sh_scratch != -1 && !fd_ok(h.sh_scratch)) ||
	    h.sh_band_next < 0 || h.sh_band_next > (1 << 20) ||
	    (h.sh_active & ~CAP_LAYERS_ALL) != 0 ||
	    (h.sh_missing & ~CAP_LAYERS_ALL) != 0)
		return (-EINVAL);
	st->hdr = h;
	st->prof = calloc(h.sh_nprof + 1, sizeof(*st->prof));
	st->band = calloc(h.sh_nbands + 1, sizeof(*st->band));
	st->ent = calloc(h.sh_nent + 1, sizeof(*st->ent));
	if (st->prof == NULL || st->band == NULL || st->ent == NULL)
		goto bad;
	for (i = 0; i < h.sh_nprof; i++, st->nprof++) {
		if (!take(&c, &sp, sizeof(sp)))
			goto bad;
		r.cr_rights[0] = sp.sp_rights[0];
		r.cr_rights[1] = sp.sp_rights[1];
		if (!cap_rights_is_valid(&r) || sp.sp_nioctls > CAP_IOCTLS_MAX ||
		    sp.sp_nioctls < -1 || (sp.sp_fcntls & ~CAP_FCNTL_ALL) != 0)
			goto bad;
		st->prof[i].rights = r;
		st->prof[i].fcntls = sp.sp_fcntls;
		st->prof[i].nioctls = sp.sp_nioctls;
		if (sp.sp_nioctls <= 0)
			continue;
		st->prof[i].ioctls = calloc((size_t)sp.sp_nioctls,
		    sizeof(cap_ioctl_t));
		if (st->prof[i].ioctls == NULL || !take(&c, st->prof[i].ioctls,
		    (size_t)sp.sp_nioctls * sizeof(cap_ioctl_t)) ||
		    capsicum_ioctls_normalize(st->prof[i].ioctls,
		    (size_t)sp.sp_nioctls) != (size_t)sp.sp_nioctls)
			goto bad;
	}
	for (i = 0; i < h.sh_nbands; i++, st->nband++) {
		if (!take(&c, &sb, sizeof(sb)) || sb.sb_prof < 0 ||
		    sb.sb_prof >= (int32_t)h.sh_nprof || !fd_ok(sb.sb_base) ||
		    sb.sb_shift < 0 || sb.sb_shift > CAPSICUM_BAND_SHIFT +
		    ((sb.sb_writable & SB_DERIVED) != 0 ? 1 : 0) ||
		    (sb.sb_base & ((1 << sb.sb_shift) - 1)) != 0)
			goto bad;
		st->band[i] = sb;
	}
	for (i = 0; i < h.sh_nent; i++, st->nent++) {
		if (!take(&c, &se, sizeof(se)) || !fd_ok(se.se_fd) ||
		    se.se_prof < -1 || se.se_prof >= (int32_t)h.sh_nprof ||
		    se.se_band < -1 || se.se_band >= (int32_t)h.sh_nbands ||
		    (h.sh_mode == 0 && se.se_prof < 0))
			goto bad;
		st->ent[i] = se;
	}
	if (c.left != 0)
		goto bad;
	return (0);
bad:
	capsicum_state_free(st);
	return (-EINVAL);
}

/* Is fd an inert placeholder (an empty memfd, or an O_PATH of one)? */
static bool
is_inert(int fd)
{
	struct stat st;

	return (RAW2(SYS_fstat, fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_nlink == 0 && st.st_size == 0);
}

/* Install a decoded state (a new image after exec). */
static void
state_apply(const struct capsicum_state *d, int statefd)
{
	const struct capsicum_profile **ptab;
	struct capsicum_band *b, *pb;
	const struct capsicum_profile *p;
	const struct state_ent *se;
	unsigned int i;
	int slot;

	ptab = calloc(d->nprof + 1, sizeof(*ptab));
	if (ptab == NULL)
		return;
	for (i = 0; i < d->nprof; i++)
		ptab[i] = capsicum_profile_intern(&d->prof[i].rights,
		    d->prof[i].fcntls, d->prof[i].nioctls, d->prof[i].ioctls);
	capsicum_cs.cs_statefd = statefd;
	/* The placeholder must be what it claims, or nothing is parked. */
	capsicum_cs.cs_ph = d->hdr.sh_ph >= 0 && is_inert(d->hdr.sh_ph) ?
	    d->hdr.sh_ph : -1;
	capsicum_cs.cs_active = d->hdr.sh_active;
	capsicum_cs.cs_missing = d->hdr.sh_missing;
	capsicum_cs.cs_ll_abi = d->hdr.sh_ll_abi;
	capsicum_cs.cs_nfilters = d->hdr.sh_nfilters;
	capsicum_cs.cs_insns = d->hdr.sh_insns;
	capsicum_cs.cs_strict = (d->hdr.sh_flags & 1) != 0;
	capsicum_cs.cs_trap = (d->hdr.sh_flags & 2) != 0;
	capsicum_cs.cs_recv_nofd = (d->hdr.sh_flags & 4) != 0;
	capsicum_cs.cs_unix_held = (d->hdr.sh_flags & 8) != 0;
	capsicum_cs.cs_band_next = d->hdr.sh_band_next;
	capsicum_cs.cs_pid = d->hdr.sh_pid;
	for (i = 0; i < d->nband; i++) {
		b = &capsicum_cs.cs_bands[i];
		b->band_base = d->band[i].sb_base;
		b->band_shift = d->band[i].sb_shift;
		b->band_prof = ptab[d->band[i].sb_prof];
		b->band_writable = (d->band[i].sb_writable & SB_WRITABLE) != 0;
		b->band_derived = (d->band[i].sb_writable & SB_DERIVED) != 0;
		atomic_store(&b->band_used, 0);
		atomic_store(&capsicum_cs.cs_nbands, i + 1);
	}
	/* A slot is taken when it holds a copy, or when a sub-band (a
	 * later, smaller band inside it) reserved it. */
	for (i = 0; i < d->nband; i++) {
		b = &capsicum_cs.cs_bands[i];
		for (slot = 0; slot < capsicum_band_size(b); slot++) {
			if (capsicum_band_of_fd(b->band_base + slot) != b ||
			    capsicum_cs.cs_ph < 0 ||
			    RAW3(SYS_fcntl, b->band_base + slot, F_DUPFD_QUERY,
			    capsicum_cs.cs_ph) != 1)
				atomic_fetch_or(&b->band_used, 1U << slot);
		}
	}
	for (i = 0; i < d->nent; i++) {
		se = &d->ent[i];
		p = se->se_prof < 0 ? NULL : ptab[se->se_prof];
		pb = se->se_band < 0 ? NULL : &capsicum_cs.cs_bands[se->se_band];
		if (d->hdr.sh_mode) {
			if (capsicum_pin_add(se->se_fd, p, se->se_writable != 0,
			    pb) != 0)
				break;
			/* Exec closed a close-on-exec pin: keep it occupied. */
			if (RAW2(SYS_fcntl, se->se_fd, F_GETFD) < 0 &&
			    capsicum_cs.cs_ph >= 0)
				RAW3(SYS_dup3, capsicum_cs.cs_ph, se->se_fd, 0);
		} else {
			pthread_mutex_lock(&fdtab_lock);
			if (fdtab_grow(se->se_fd) == 0)
				fdtab_put_locked(se->se_fd, p,
				    (dev_t)se->se_dev, (ino_t)se->se_ino);
			pthread_mutex_unlock(&fdtab_lock);
		}
	}
	atomic_store(&capsicum_cs.cs_mode, d->hdr.sh_mode != 0);
	free(ptab);
}

void
capsicum_state_load(void)
{
	struct capsicum_state d;
	struct stat st;
	const char *env;
	char *end, *buf;
	long fd, v;

	env = getenv(STATE_ENV);
	if (env == NULL)
		return;
	v = strtol(env, &end, 10);
	if (*end != '\0' || end == env || !fd_ok((int32_t)v))
		return;
	fd = v;
	if (RAW2(SYS_fstat, fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 0 || st.st_size > STATE_MAX || st.st_size <= 0)
		return;
	if ((buf = malloc((size_t)st.st_size)) == NULL)
		return;
	if (RAW4(SYS_pread64, fd, buf, st.st_size, 0) == st.st_size &&
	    capsicum_state_decode(buf, (size_t)st.st_size, &d) == 0) {
		/* Inherited: maybe shared with the image's parent.  Known
		 * by identity, owned by nobody: the next save writes a
		 * record of this process's own and lets go of this one. */
		state_owner = 0;
		state_dev = st.st_dev;
		state_ino = st.st_ino;
		state_apply(&d, (int)fd);
		capsicum_state_free(&d);
	}
	free(buf);
}
