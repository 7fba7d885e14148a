/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Descriptor limits bookkeeping.
 *
 * A profile is one immutable set of limits (rights, fcntl mask, ioctl
 * list).  Profiles are interned and never freed, so a pointer to one can
 * be read from a signal handler without locks.
 *
 * Before cap_enter() the table maps descriptor numbers to profiles; it is
 * library bookkeeping (nothing is enforced yet) and follows dup, dup2,
 * dup3, F_DUPFD, close, fork and exec.  cap_enter() turns every limited
 * number into a pin: the seccomp filter then enforces the profile on that
 * number, keeps the number occupied for its lifetime, and duplicates it
 * only into the profile's band, a block of 16 numbers enforced like it.
 *
 * A descriptor narrowed again in capability mode gets a sub-band: an
 * aligned half (quarter, ...) of its old band.  The filters stack, so the
 * old filter's "only into the old band" and the new one's "only into the
 * sub-band" agree, and slots in the sub-band carry both rule sets, whose
 * intersection is the new profile.
 */
#ifndef CAPSICUM_FDTABLE_H
#define	CAPSICUM_FDTABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/capsicum.h>

struct capsicum_profile {
	const struct capsicum_profile *cp_next;	/* interning list */
	cap_rights_t	cp_rights;
	uint32_t	cp_fcntls;
	int32_t		cp_nioctls;		/* -1: all */
	cap_ioctl_t	cp_ioctls[];		/* sorted, unique */
};

#define	CAPSICUM_BAND_SHIFT	4
#define	CAPSICUM_BAND_SIZE	(1 << CAPSICUM_BAND_SHIFT)	/* 16 */
#define	CAPSICUM_MAX_PINS	1024
#define	CAPSICUM_MAX_BANDS	64
#define	CAPSICUM_MIN_BAND_BASE	256

/* A number the filter treats specially.  cp_prof NULL: a protected
 * bookkeeping descriptor (placeholder source, state file) that close
 * leaves alone. */
struct capsicum_band {
	int		 band_base;
	int		 band_shift;	/* size is 1 << band_shift */
	const struct capsicum_profile *band_prof;
	_Atomic uint32_t band_used;	/* bit i: band_base + i is taken */
	bool		 band_writable;
	/* Where the broker puts descriptors opened through a directory of
	 * this profile (broker.c); the library never fills its slots, and
	 * copies of its descriptors go to the profile's top band. */
	bool		 band_derived;
};

struct capsicum_pin {
	int		 pin_fd;
	_Atomic(const struct capsicum_profile *) pin_prof;
	_Atomic(struct capsicum_band *) pin_band; /* where its dups go */
	bool		 pin_writable;	/* open file allows writing */
};

/* Capability-mode state; append-only after cap_enter(). */
struct capsicum_capstate {
	atomic_int	cs_mode;
	int		cs_ph;			/* placeholder source */
	int		cs_statefd;		/* exec state file */
	int		cs_band_next;		/* next free band base */
	pid_t		cs_pid;			/* getpid() at cap_enter */
	atomic_uint	cs_npins;
	atomic_uint	cs_nbands;
	struct capsicum_pin  cs_pins[CAPSICUM_MAX_PINS];
	struct capsicum_band cs_bands[CAPSICUM_MAX_BANDS];
	/* What enforces it. */
	unsigned int	cs_active;
	unsigned int	cs_missing;
	int		cs_ll_abi;
	unsigned int	cs_nfilters;
	unsigned int	cs_insns;
	bool		cs_strict;
	bool		cs_trap;
	/* recvmsg/recvmmsg trap to EMU_RECV_NOFD (a limit set in capability
	 * mode with no broker running). */
	bool		cs_recv_nofd;
	bool		cs_unix_held;	/* a unix socket at cap_enter() */
};

extern struct capsicum_capstate capsicum_cs;

/* Profiles. */
const struct capsicum_profile *capsicum_profile_intern(const cap_rights_t *,
	    uint32_t fcntls, int32_t nioctls, const cap_ioctl_t *ioctls);
bool	capsicum_profile_le(const struct capsicum_profile *small,
	    const struct capsicum_profile *big);
const struct capsicum_profile *capsicum_profile_lookup(const cap_rights_t *,
	    uint32_t fcntls, int32_t nioctls, const cap_ioctl_t *ioctls);

/* Limits of a descriptor: NULL means unlimited.  -1 with errno EBADF if
 * fd is not open. */
int	capsicum_fd_profile(int fd, const struct capsicum_profile **profp);
int	capsicum_fd_set_profile(int fd, const struct capsicum_profile *prof);

/* Bookkeeping hooks for the interposed libc functions (pre-cap_enter). */
void	capsicum_fdtab_dup(int oldfd, int newfd);
void	capsicum_fdtab_close(int fd);
void	capsicum_fdtab_close_range(unsigned int lo, unsigned int hi);
bool	capsicum_fdtab_any(void);

/* cap_enter() support. */
struct capsicum_fdlist {
	int		 fd;
	const struct capsicum_profile *prof;
};
int	capsicum_fdtab_snapshot(struct capsicum_fdlist **listp, unsigned *np);
int	capsicum_pin_add(int fd, const struct capsicum_profile *prof,
	    bool writable, struct capsicum_band *band);
const struct capsicum_pin *capsicum_pin_find(int fd);
void	capsicum_pin_forget(int fd);
struct capsicum_band *capsicum_band_of_fd(int fd);
struct capsicum_band *capsicum_band_top(const struct capsicum_profile *prof);
struct capsicum_band *capsicum_band_add(const struct capsicum_profile *prof,
	    bool writable, struct capsicum_band *parent);
struct capsicum_band *capsicum_dup_band(int fd);
struct capsicum_band *capsicum_band_add_derived(
	    const struct capsicum_profile *prof, bool writable, int shift);

static inline int
capsicum_band_size(const struct capsicum_band *b)
{

	return (1 << b->band_shift);
}

static inline uint32_t
capsicum_band_mask(const struct capsicum_band *b)
{

	return (~(uint32_t)(capsicum_band_size(b) - 1));
}

/* Exec state. */
struct state_hdr {
	uint32_t	sh_magic;
	uint32_t	sh_size;
	int32_t		sh_mode;
	int32_t		sh_ph;
	uint32_t	sh_nprof;
	uint32_t	sh_nent;
	uint32_t	sh_nbands;
	uint32_t	sh_active;
	uint32_t	sh_missing;
	int32_t		sh_ll_abi;
	uint32_t	sh_nfilters;
	uint32_t	sh_insns;
	uint32_t	sh_flags;	/* 1: strict, 2: trap */
	int32_t		sh_band_next;
	int32_t		sh_pid;
	int32_t		sh_scratch;
};

struct state_prof {
	uint64_t	sp_rights[2];
	uint32_t	sp_fcntls;
	int32_t		sp_nioctls;
};

struct state_ent {
	int32_t		se_fd;
	int32_t		se_prof;	/* index, -1 for protected */
	uint32_t	se_writable;
	int32_t		se_band;	/* index of its band, -1 for none */
	uint64_t	se_dev;
	uint64_t	se_ino;
};

#define	SB_WRITABLE	0x1
#define	SB_DERIVED	0x2

struct state_band {
	int32_t		sb_base;
	int32_t		sb_prof;
	uint32_t	sb_writable;	/* SB_WRITABLE | SB_DERIVED */
	int32_t		sb_shift;
};

/* A decoded state file. */
struct capsicum_state {
	struct state_hdr	hdr;
	struct {
		cap_rights_t	rights;
		uint32_t	fcntls;
		int32_t		nioctls;
		cap_ioctl_t	*ioctls;
	}			*prof;
	struct state_ent	*ent;
	struct state_band	*band;
	unsigned int		nprof, nent, nband;
};

int	capsicum_state_open(void);
int	capsicum_state_save(void);
void	capsicum_state_load(void);
int	capsicum_state_decode(const void *buf, size_t len,
	    struct capsicum_state *st);
void	capsicum_state_free(struct capsicum_state *st);

#endif /* !CAPSICUM_FDTABLE_H */
