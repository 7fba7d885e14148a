/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * THE POLICY TABLE.
 *
 * One row per fact: what capability mode does with a system call (and
 * under which argument conditions), and which right a descriptor argument
 * needs.  Everything that enforces or documents Capsicum on Linux is
 * derived from this file:
 *
 *   filter.c      builds the two seccomp filters from the rows
 *   landlock.c    maps directory rights to Landlock access (landlock_map)
 *   sigsys.c      implements the PK_EMULATE / PK_LIMITED_* emulations
 *   tools/capsicum-policy.c  generates docs/policy-table.md and checks
 *                 the table for contradictions
 *
 * To answer "what enforces CAP_FCHMOD?": grep this file for CAP_FCHMOD.
 *
 * Rows are grouped by subject.  Capability-mode verdicts mirror FreeBSD's
 * CAPENABLED system calls mapped to Linux; where Linux differs the row's
 * text says so.  The filter's default is ECAPMODE, so a call absent from
 * this table is refused; PK_DENY rows exist only to document why.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/landlock.h>
#include <linux/sched.h>
#include <asm/ioctls.h>
#include <asm/prctl.h>
#include <netinet/in.h>

#include <seccomp.h>

#include "fdtable.h"
#include "policy.h"
#include "sys.h"

/* Condition constructors. */
#define	C_LO32(a, v)	{ (a), PC_MASKED, 0xFFFFFFFFULL, (uint32_t)(v) }
#define	C_BITS(a, b)	{ (a), PC_MASKED, (b), (b) }
#define	C_NOBITS(a, b)	{ (a), PC_MASKED, (b), 0 }
#define	C_MASK(a, m, v)	{ (a), PC_MASKED, (m), (v) }
#define	C_EQ(a, v)	{ (a), PC_EQ, 0, (v) }
#define	C_NE(a, v)	{ (a), PC_NE, 0, (v) }
#define	C_GT(a, v)	{ (a), PC_GT, 0, (v) }
#define	C_ANY(a, m)	{ (a), PC_ANY, (m), 0 }
#define	C_NMASK(a, m, v) { (a), PC_MASKED_NE, (m), (v) }

/*
 * PIDFD_GET_INFO (pdgetpid) with its size field masked: the kernel accepts
 * any structure size.  It needs CAP_PDGETPID alone, as pdgetpid(2) does on
 * FreeBSD, so the CAP_IOCTL rows leave it out.
 */
#define	PIDFD_INFO_MASK	0xC000FFFFU
#define	PIDFD_INFO_CMD	0xC000FF0BU
#define	C_PDGETPID	C_MASK(1, PIDFD_INFO_MASK, PIDFD_INFO_CMD)
#define	C_NOT_PDGETPID	C_NMASK(1, PIDFD_INFO_MASK, PIDFD_INFO_CMD)

#define	NCOND(...)	(sizeof((struct pcond[]){ __VA_ARGS__ }) /	\
			    sizeof(struct pcond))

/* Row constructors. */
#define	ROW(s, nr, kind, fd, fd2, ...)					\
	{ .pr_sys = #s, .pr_nr = (nr), .pr_kind = (kind), .pr_fd = (fd),	\
	  .pr_fd2 = (fd2), __VA_ARGS__ }
#define	COND(...)	.pr_ncond = NCOND(__VA_ARGS__), .pr_cond = { __VA_ARGS__ }
#define	ALLOW(s, why)		ROW(s, -1, PK_ALLOW, -1, -1, .pr_why = why)
#define	ALLOW_NR(s, nr, why)	ROW(s, nr, PK_ALLOW, -1, -1, .pr_why = why)
#define	ALLOW_IF(s, why, ...)	ROW(s, -1, PK_ALLOW_IF, -1, -1,		\
	.pr_why = why, COND(__VA_ARGS__))
#define	REFUSE(s, why, ...)	ROW(s, -1, PK_REFUSE, -1, -1,		\
	.pr_why = why, COND(__VA_ARGS__))
#define	NOSYS(s, why)		ROW(s, -1, PK_ENOSYS, -1, -1, .pr_why = why)
#define	EMULATE(s, emu, why, ...) ROW(s, -1, PK_EMULATE, -1, -1,		\
	.pr_emu = (emu), .pr_why = why, COND(__VA_ARGS__))
#define	DENY(s, why)		ROW(s, -1, PK_DENY, -1, -1, .pr_why = why)
#define	DENY_NR(s, nr, why)	ROW(s, nr, PK_DENY, -1, -1, .pr_why = why)
#define	RIGHT(s, fd, r, why)	ROW(s, -1, PK_RIGHT, fd, -1,		\
	.pr_right = (r), .pr_why = why)
#define	RIGHT_NR(s, nr, fd, r, why) ROW(s, nr, PK_RIGHT, fd, -1,		\
	.pr_right = (r), .pr_why = why)
#define	RIGHT_IF(s, fd, r, why, ...) ROW(s, -1, PK_RIGHT, fd, -1,	\
	.pr_right = (r), .pr_why = why, COND(__VA_ARGS__))
#define	RIGHT_IF_F(s, fd, r, f, why, ...) ROW(s, -1, PK_RIGHT, fd, -1,	\
	.pr_right = (r), .pr_flags = (f), .pr_why = why, COND(__VA_ARGS__))
#define	FCNTL_RIGHT(cmd, r, bit, why) ROW(fcntl, -1, PK_RIGHT, 0, -1,	\
	.pr_right = (r), .pr_fcntl = (bit), .pr_why = why,		\
	COND(C_LO32(1, cmd)))
#define	LIMITED_EMU(s, fd, emu, why, ...) ROW(s, -1, PK_LIMITED_EMULATE,	\
	fd, -1, .pr_emu = (emu), .pr_why = why, COND(__VA_ARGS__))
#define	LIMITED_EMU0(s, fd, emu, why) ROW(s, -1, PK_LIMITED_EMULATE,	\
	fd, -1, .pr_emu = (emu), .pr_why = why)
#define	LIMITED_DUP(s, fd, fd2, why) ROW(s, -1, PK_LIMITED_DUP_TARGET,	\
	fd, fd2, .pr_why = why)
#define	LIMITED_RANGE(s, lo, hi, emu, why) ROW(s, -1, PK_LIMITED_RANGE,	\
	lo, hi, .pr_emu = (emu), .pr_why = why)
#define	BROKER(s, fd, why)	ROW(s, -1, PK_BROKER, fd, -1, .pr_why = why)
#define	BROKER_NR(s, nr, why)	ROW(s, nr, PK_BROKER, -1, -1, .pr_why = why)
#define	BROKER_LIMITED(s, fd, why) ROW(s, -1, PK_BROKER, fd, -1,		\
	.pr_flags = PF_BROKER_LIMITED, .pr_why = why)
#define	NOBROKER_EMU(s, emu, why) ROW(s, -1, PK_NOBROKER_EMULATE, -1, -1,	\
	.pr_emu = (emu), .pr_why = why)
#define	RIGHT_IF_NR(s, nr, fd, r, why, ...) ROW(s, nr, PK_RIGHT, fd, -1,	\
	.pr_right = (r), .pr_why = why, COND(__VA_ARGS__))
/* The broker's call: a lookup by path reissued by the SIGSYS handler
 * (filter.h); the directory is argument 1, the original call argument 0. */
#define	BCALL(nr, r, why)	RIGHT_IF_NR(capsicum_broker_call,		\
	CAPSICUM_BROKER_NR, 1, r, why, C_EQ(0, (nr)))

#define	FDCWD		((uint32_t)AT_FDCWD)
#define	OPATH_ACC	(O_ACCMODE | O_PATH)
#define	MAP_KIND	(0x0f | MAP_ANONYMOUS)	/* MAP_TYPE plus anonymous */
#define	NEG_INT		0x80000000ULL		/* sign bit of a C int */
#define	NS_FLAGS	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |	\
			 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |	\
			 CLONE_NEWNET)

const struct prow capsicum_policy[] = {
	/* ----------------------------------------------------------------
	 * Descriptor I/O.
	 */
	ALLOW(read, "read from a held descriptor"),
	RIGHT(read, 0, CAP_READ, "read"),
	ALLOW(readv, "read from a held descriptor"),
	RIGHT(readv, 0, CAP_READ, "readv"),
	ALLOW(pread64, "positioned read"),
	RIGHT(pread64, 0, CAP_PREAD, "pread"),
	ALLOW(preadv, "positioned read"),
	RIGHT(preadv, 0, CAP_PREAD, "preadv"),
	ALLOW(preadv2, "positioned read"),
	RIGHT(preadv2, 0, CAP_PREAD, "preadv2"),
	ALLOW(write, "write to a held descriptor"),
	RIGHT(write, 0, CAP_WRITE, "write"),
	ALLOW(writev, "write to a held descriptor"),
	RIGHT(writev, 0, CAP_WRITE, "writev"),
	ALLOW(pwrite64, "positioned write"),
	RIGHT(pwrite64, 0, CAP_PWRITE, "pwrite"),
	ALLOW(pwritev, "positioned write"),
	RIGHT(pwritev, 0, CAP_PWRITE, "pwritev"),
	ALLOW(pwritev2, "positioned write"),
	RIGHT(pwritev2, 0, CAP_PWRITE, "pwritev2"),
	ALLOW(lseek, "move the file offset"),
	RIGHT(lseek, 0, CAP_SEEK_TELL, "lseek(fd, 0, SEEK_CUR) needs only CAP_SEEK_TELL"),
	RIGHT_IF(lseek, 0, CAP_SEEK, "lseek with a non-zero offset", C_NE(1, 0)),
	RIGHT_IF(lseek, 0, CAP_SEEK, "lseek other than SEEK_CUR", C_NE(2, SEEK_CUR)),
	ALLOW(sendfile, "copy between held descriptors"),
	RIGHT(sendfile, 0, CAP_WRITE, "sendfile: output descriptor"),
	RIGHT(sendfile, 1, CAP_READ, "sendfile: input descriptor"),
	ALLOW(copy_file_range, "copy between held descriptors"),
	RIGHT(copy_file_range, 0, CAP_READ, "copy_file_range: input"),
	RIGHT(copy_file_range, 2, CAP_WRITE, "copy_file_range: output"),
	ALLOW(splice, "move data between held descriptors"),
	RIGHT(splice, 0, CAP_READ, "splice: input"),
	RIGHT(splice, 2, CAP_WRITE, "splice: output"),
	ALLOW(tee, "duplicate pipe data"),
	RIGHT(tee, 0, CAP_READ, "tee: input"),
	RIGHT(tee, 1, CAP_WRITE, "tee: output"),
	ALLOW(vmsplice, "map user pages into a pipe"),
	RIGHT(vmsplice, 0, CAP_READ, "vmsplice moves data in either direction: Linux needs both rights"),
	RIGHT(vmsplice, 0, CAP_WRITE, "vmsplice moves data in either direction: Linux needs both rights"),
	ALLOW(readahead, "page cache hint"),
	RIGHT(readahead, 0, CAP_READ, "readahead reads the file"),
	ALLOW(fadvise64, "access pattern hint (no right, as FreeBSD's posix_fadvise)"),
	ALLOW(fallocate, "allocate file space"),
	RIGHT(fallocate, 0, CAP_WRITE, "fallocate changes the file (Linux: FreeBSD's posix_fallocate needs CAP_WRITE)"),
	ALLOW(ftruncate, "truncate a held file"),
	RIGHT(ftruncate, 0, CAP_FTRUNCATE, "ftruncate"),
	ALLOW(fsync, "flush a held file"),
	RIGHT(fsync, 0, CAP_FSYNC, "fsync"),
	ALLOW(fdatasync, "flush a held file"),
	RIGHT(fdatasync, 0, CAP_FSYNC, "fdatasync"),
	ALLOW(sync_file_range, "flush part of a held file"),
	RIGHT(sync_file_range, 0, CAP_FSYNC, "sync_file_range"),
	ALLOW(syncfs, "flush the file system of a held file"),
	RIGHT(syncfs, 0, CAP_FSYNC, "syncfs"),
	ALLOW(sync, "flush all file systems (FreeBSD allows sync)"),
	ALLOW(getdents, "read a held directory"),
	RIGHT(getdents, 0, CAP_READ, "getdents (FreeBSD getdirentries needs CAP_READ)"),
	ALLOW(getdents64, "read a held directory"),
	RIGHT(getdents64, 0, CAP_READ, "getdents64"),
	ALLOW(flock, "advisory lock"),
	RIGHT(flock, 0, CAP_FLOCK, "flock"),
	ALLOW_NR(cachestat, 451, "page cache statistics of a held file"),
	RIGHT_NR(cachestat, 451, 0, CAP_READ, "cachestat reveals what the file caches"),

	/* Metadata of held descriptors. */
	ALLOW(fstat, "fstat of a held descriptor (glibc's fstat() is interposed onto it)"),
	RIGHT(fstat, 0, CAP_FSTAT, "fstat"),
	ALLOW(newfstatat, "fstatat; only the NULL-path form reaches the kernel"),
	REFUSE(newfstatat, "fstatat relative to the current directory", C_LO32(0, FDCWD)),
	EMULATE(newfstatat, EMU_EMPTY_PATH, "fstatat(fd, \"\", AT_EMPTY_PATH) is reissued with a NULL path; any other path goes to the broker", C_NE(1, 0)),
	RIGHT(newfstatat, 0, CAP_FSTAT, "fstatat on the descriptor itself needs CAP_FSTAT"),
	ALLOW(statx, "statx; only the NULL-path form reaches the kernel"),
	REFUSE(statx, "statx relative to the current directory", C_LO32(0, FDCWD)),
	EMULATE(statx, EMU_EMPTY_PATH, "statx(fd, \"\", AT_EMPTY_PATH) is reissued with a NULL path; any other path goes to the broker", C_NE(1, 0)),
	RIGHT(statx, 0, CAP_FSTAT, "statx"),
	ALLOW(fstatfs, "file system statistics of a held descriptor"),
	RIGHT(fstatfs, 0, CAP_FSTATFS, "fstatfs (also fpathconf)"),
	ALLOW(fchmod, "change mode of a held file"),
	RIGHT(fchmod, 0, CAP_FCHMOD, "fchmod"),
	ALLOW(fchown, "change owner of a held file"),
	RIGHT(fchown, 0, CAP_FCHOWN, "fchown"),
	ALLOW(utimensat, "futimens: utimensat(fd, NULL, times, 0); with a path, the broker"),
	REFUSE(utimensat, "utimensat relative to the current directory", C_LO32(0, FDCWD)),
	RIGHT(utimensat, 0, CAP_FUTIMES, "futimens"),
	ALLOW(fgetxattr, "extended attribute of a held file"),
	RIGHT(fgetxattr, 0, CAP_EXTATTR_GET, "fgetxattr"),
	ALLOW(fsetxattr, "extended attribute of a held file"),
	RIGHT(fsetxattr, 0, CAP_EXTATTR_SET, "fsetxattr"),
	ALLOW(flistxattr, "extended attributes of a held file"),
	RIGHT(flistxattr, 0, CAP_EXTATTR_LIST, "flistxattr"),
	ALLOW(fremovexattr, "extended attribute of a held file"),
	RIGHT(fremovexattr, 0, CAP_EXTATTR_DELETE, "fremovexattr"),

	/* ----------------------------------------------------------------
	 * Lookups relative to a directory descriptor.  AT_FDCWD is the global
	 * namespace and is refused with ECAPMODE.  Path strings are invisible
	 * to seccomp; Landlock confines them to the directories held at
	 * cap_enter (see the Landlock map below).
	 */
	ALLOW(openat, "open relative to a held directory"),
	REFUSE(openat, "openat(AT_FDCWD, ...)", C_LO32(0, FDCWD)),
	RIGHT(openat, 0, CAP_LOOKUP, "every openat"),
	RIGHT_IF(openat, 0, CAP_READ, "O_RDONLY", C_MASK(2, OPATH_ACC, O_RDONLY)),
	RIGHT_IF(openat, 0, CAP_READ, "O_RDWR", C_MASK(2, OPATH_ACC, O_RDWR)),
	RIGHT_IF(openat, 0, CAP_WRITE, "O_WRONLY", C_MASK(2, OPATH_ACC, O_WRONLY)),
	RIGHT_IF(openat, 0, CAP_WRITE, "O_RDWR", C_MASK(2, OPATH_ACC, O_RDWR)),
	RIGHT_IF(openat, 0, CAP_SEEK, "O_WRONLY without O_APPEND or O_TRUNC", C_MASK(2, OPATH_ACC | O_APPEND | O_TRUNC, O_WRONLY)),
	RIGHT_IF(openat, 0, CAP_SEEK, "O_RDWR without O_APPEND or O_TRUNC", C_MASK(2, OPATH_ACC | O_APPEND | O_TRUNC, O_RDWR)),
	RIGHT_IF(openat, 0, CAP_CREATE, "O_CREAT", C_MASK(2, O_CREAT | O_PATH, O_CREAT)),
	RIGHT_IF(openat, 0, CAP_CREATE, "O_TMPFILE (Linux)", C_MASK(2, O_TMPFILE | O_PATH, O_TMPFILE)),
	RIGHT_IF(openat, 0, CAP_FTRUNCATE, "O_TRUNC", C_MASK(2, O_TRUNC | O_PATH, O_TRUNC)),
	RIGHT_IF(openat, 0, CAP_FSYNC, "O_SYNC or O_DSYNC", C_MASK(2, O_DSYNC | O_PATH, O_DSYNC)),
	BROKER(openat, 0, "beneath a limited directory: the broker opens it (RESOLVE_BENEATH) into the directory's derived band, so the new descriptor has the directory's rights"),
	NOSYS(openat2, "struct open_how is behind a pointer: ENOSYS, callers fall back to openat"),
	DENY(name_to_handle_at, "file handles name objects globally"),
	DENY(open_by_handle_at, "file handles bypass path confinement"),
	ALLOW(mkdirat, "mkdir relative to a held directory"),
	REFUSE(mkdirat, "mkdirat(AT_FDCWD, ...)", C_LO32(0, FDCWD)),
	RIGHT(mkdirat, 0, CAP_MKDIRAT, "mkdirat"),
	ALLOW(mknodat, "mknod relative to a held directory"),
	REFUSE(mknodat, "mknodat(AT_FDCWD, ...)", C_LO32(0, FDCWD)),
	RIGHT_IF(mknodat, 0, CAP_MKFIFOAT, "mkfifoat (mode S_IFIFO)", C_MASK(2, S_IFMT, S_IFIFO)),
	RIGHT_IF(mknodat, 0, CAP_MKNODAT, "mknodat of a regular file", C_MASK(2, S_IFMT, 0)),
	RIGHT_IF(mknodat, 0, CAP_MKNODAT, "mknodat of a regular file", C_MASK(2, S_IFMT, S_IFREG)),
	RIGHT_IF(mknodat, 0, CAP_MKNODAT, "mknodat of a character device", C_MASK(2, S_IFMT, S_IFCHR)),
	RIGHT_IF(mknodat, 0, CAP_MKNODAT, "mknodat of a block device", C_MASK(2, S_IFMT, S_IFBLK)),
	RIGHT_IF(mknodat, 0, CAP_MKNODAT, "mknodat of a socket", C_MASK(2, S_IFMT, S_IFSOCK)),
	ALLOW(unlinkat, "unlink relative to a held directory"),
	REFUSE(unlinkat, "unlinkat(AT_FDCWD, ...)", C_LO32(0, FDCWD)),
	RIGHT(unlinkat, 0, CAP_UNLINKAT, "unlinkat"),
	ALLOW(renameat, "rename between held directories"),
	REFUSE(renameat, "renameat from AT_FDCWD", C_LO32(0, FDCWD)),
	REFUSE(renameat, "renameat to AT_FDCWD", C_LO32(2, FDCWD)),
	RIGHT(renameat, 0, CAP_RENAMEAT_SOURCE, "renameat: source directory"),
	RIGHT(renameat, 2, CAP_RENAMEAT_TARGET, "renameat: target directory (Linux: CAP_UNLINKAT for an existing target is not checked)"),
	ALLOW(renameat2, "rename between held directories"),
	REFUSE(renameat2, "renameat2 from AT_FDCWD", C_LO32(0, FDCWD)),
	REFUSE(renameat2, "renameat2 to AT_FDCWD", C_LO32(2, FDCWD)),
	RIGHT(renameat2, 0, CAP_RENAMEAT_SOURCE, "renameat2: source directory"),
	RIGHT(renameat2, 2, CAP_RENAMEAT_TARGET, "renameat2: target directory"),
	ALLOW(linkat, "link between held directories"),
	REFUSE(linkat, "linkat from AT_FDCWD", C_LO32(0, FDCWD)),
	REFUSE(linkat, "linkat to AT_FDCWD", C_LO32(2, FDCWD)),
	RIGHT(linkat, 0, CAP_LINKAT_SOURCE, "linkat: source directory"),
	RIGHT(linkat, 2, CAP_LINKAT_TARGET, "linkat: target directory"),
	ALLOW(symlinkat, "symlink in a held directory"),
	REFUSE(symlinkat, "symlinkat(..., AT_FDCWD, ...)", C_LO32(1, FDCWD)),
	RIGHT(symlinkat, 1, CAP_SYMLINKAT, "symlinkat"),
	ALLOW(execveat, "fexecve: execveat(fd, \"\", ..., AT_EMPTY_PATH); Landlock allows EXECUTE only on held files and directories with CAP_FEXECVE"),
	REFUSE(execveat, "execveat relative to the current directory", C_LO32(0, FDCWD)),
	RIGHT(execveat, 0, CAP_FEXECVE, "fexecve"),
	/* Lookups Landlock does not confine: the broker resolves the path
	 * beneath the directory (RESOLVE_BENEATH) and does the call on what
	 * it found; ECAPMODE without a broker.  A NULL path never looks
	 * anything up. */
	ALLOW(readlinkat, "readlinkat with a NULL path (EFAULT)"),
	REFUSE(readlinkat, "readlinkat relative to the current directory", C_LO32(0, FDCWD)),
	EMULATE(readlinkat, EMU_BROKER, "readlinkat: the broker resolves the path", C_NE(1, 0)),
	ALLOW(faccessat, "faccessat with a NULL path (EFAULT)"),
	REFUSE(faccessat, "faccessat relative to the current directory", C_LO32(0, FDCWD)),
	EMULATE(faccessat, EMU_BROKER, "faccessat: the broker resolves the path", C_NE(1, 0)),
	ALLOW(faccessat2, "faccessat2 with a NULL path (EFAULT)"),
	REFUSE(faccessat2, "faccessat2 relative to the current directory", C_LO32(0, FDCWD)),
	EMULATE(faccessat2, EMU_BROKER, "faccessat2: the broker resolves the path", C_NE(1, 0)),
	ALLOW(fchmodat, "fchmodat with a NULL path (EFAULT)"),
	REFUSE(fchmodat, "fchmodat relative to the current directory", C_LO32(0, FDCWD)),
	EMULATE(fchmodat, EMU_BROKER, "fchmodat: the broker resolves the path", C_NE(1, 0)),
	ALLOW_NR(fchmodat2, 452, "fchmodat2 with a NULL path (EFAULT)"),
	ROW(fchmodat2, 452, PK_REFUSE, -1, -1, .pr_why = "fchmodat2 relative to the current directory", COND(C_LO32(0, FDCWD))),
	ROW(fchmodat2, 452, PK_EMULATE, -1, -1, .pr_emu = EMU_BROKER, .pr_why = "fchmodat2: the broker resolves the path", COND(C_NE(1, 0))),
	ALLOW(fchownat, "fchownat with a NULL path (EFAULT)"),
	REFUSE(fchownat, "fchownat relative to the current directory", C_LO32(0, FDCWD)),
	EMULATE(fchownat, EMU_BROKER, "fchownat: the broker resolves the path", C_NE(1, 0)),
	EMULATE(utimensat, EMU_BROKER, "utimensat with a path: the broker resolves it", C_NE(1, 0)),
	ALLOW_NR(capsicum_broker_call, CAPSICUM_BROKER_NR, "the broker's call (filter B sends it to the broker; ENOSYS without one)"),
	BROKER_NR(capsicum_broker_call, CAPSICUM_BROKER_NR, "lookups by path reissued by the SIGSYS handler: the broker resolves them beneath the directory"),
	BCALL(SYS_newfstatat, CAP_FSTAT, "fstatat by path: CAP_FSTATAT = CAP_FSTAT"),
	BCALL(SYS_newfstatat, CAP_LOOKUP, "fstatat by path: and CAP_LOOKUP"),
	BCALL(SYS_statx, CAP_FSTAT, "statx by path: CAP_FSTAT"),
	BCALL(SYS_statx, CAP_LOOKUP, "statx by path: and CAP_LOOKUP"),
	BCALL(SYS_faccessat, CAP_FSTAT, "faccessat: CAP_FSTATAT = CAP_FSTAT"),
	BCALL(SYS_faccessat, CAP_LOOKUP, "faccessat: and CAP_LOOKUP"),
	BCALL(SYS_faccessat2, CAP_FSTAT, "faccessat2: CAP_FSTAT"),
	BCALL(SYS_faccessat2, CAP_LOOKUP, "faccessat2: and CAP_LOOKUP"),
	BCALL(SYS_readlinkat, CAP_LOOKUP, "readlinkat: CAP_LOOKUP"),
	BCALL(SYS_readlinkat, CAP_READ, "readlinkat: and CAP_READ"),
	BCALL(SYS_fchmodat, CAP_FCHMOD, "fchmodat: CAP_FCHMODAT = CAP_FCHMOD"),
	BCALL(SYS_fchmodat, CAP_LOOKUP, "fchmodat: and CAP_LOOKUP"),
	BCALL(452, CAP_FCHMOD, "fchmodat2: CAP_FCHMOD"),
	BCALL(452, CAP_LOOKUP, "fchmodat2: and CAP_LOOKUP"),
	BCALL(SYS_fchownat, CAP_FCHOWN, "fchownat: CAP_FCHOWNAT = CAP_FCHOWN"),
	BCALL(SYS_fchownat, CAP_LOOKUP, "fchownat: and CAP_LOOKUP"),
	BCALL(SYS_utimensat, CAP_FUTIMES, "utimensat by path: CAP_FUTIMESAT = CAP_FUTIMES"),
	BCALL(SYS_utimensat, CAP_LOOKUP, "utimensat by path: and CAP_LOOKUP"),
	ALLOW_NR(capsicum_bindat, CAPSICUM_BINDAT_NR, "bindat(2): a unix socket named beneath a directory (the broker binds it)"),
	BROKER_NR(capsicum_bindat, CAPSICUM_BINDAT_NR, "bindat: the broker resolves the name beneath the directory and binds the socket"),
	RIGHT_NR(capsicum_bindat, CAPSICUM_BINDAT_NR, 0, CAP_BINDAT, "bindat: the directory"),
	RIGHT_NR(capsicum_bindat, CAPSICUM_BINDAT_NR, 1, CAP_BIND, "bindat: the socket"),
	ALLOW_NR(capsicum_connectat, CAPSICUM_CONNECTAT_NR, "connectat(2): a unix socket named beneath a directory (the broker connects)"),
	BROKER_NR(capsicum_connectat, CAPSICUM_CONNECTAT_NR, "connectat: the broker resolves the name beneath the directory and connects the socket"),
	RIGHT_NR(capsicum_connectat, CAPSICUM_CONNECTAT_NR, 0, CAP_CONNECTAT, "connectat: the directory"),
	RIGHT_NR(capsicum_connectat, CAPSICUM_CONNECTAT_NR, 1, CAP_CONNECT, "connectat: the socket"),
	ALLOW_NR(capsicum_limit_call, CAPSICUM_LIMIT_NR, "a limit set in capability mode, told to the broker (ENOSYS without one)"),
	BROKER_NR(capsicum_limit_call, CAPSICUM_LIMIT_NR, "the broker narrows what it knows of the file's rights, never widens"),
	DENY(futimesat, "Landlock does not confine utimes by path (futimens is allowed)"),
	DENY_NR(setxattrat, 463, "extended attributes by path"),
	DENY_NR(getxattrat, 464, "extended attributes by path"),
	DENY_NR(listxattrat, 465, "extended attributes by path"),
	DENY_NR(removexattrat, 466, "extended attributes by path"),
	DENY_NR(file_getattr, 468, "inode attributes by path"),
	DENY_NR(file_setattr, 469, "inode attributes by path"),

	/* Path-only calls: the global file system namespace. */
	DENY(open, "path"), DENY(creat, "path"), DENY(stat, "path"),
	DENY(lstat, "path"), DENY(access, "path"), DENY(chdir, "cwd"),
	DENY(fchdir, "cwd (FreeBSD refuses fchdir too)"), DENY(getcwd, "cwd"),
	DENY(chmod, "path"), DENY(chown, "path"), DENY(lchown, "path"),
	DENY(mkdir, "path"), DENY(rmdir, "path"), DENY(rename, "path"),
	DENY(link, "path"), DENY(unlink, "path"), DENY(symlink, "path"),
	DENY(readlink, "path"), DENY(truncate, "path"), DENY(utime, "path"),
	DENY(utimes, "path"), DENY(mknod, "path"), DENY(statfs, "path"),
	DENY(execve, "exec by path"), DENY(chroot, "path"),
	DENY(setxattr, "path"), DENY(lsetxattr, "path"), DENY(getxattr, "path"),
	DENY(lgetxattr, "path"), DENY(listxattr, "path"),
	DENY(llistxattr, "path"), DENY(removexattr, "path"),
	DENY(lremovexattr, "path"), DENY(uselib, "path"), DENY(acct, "path"),
	DENY(inotify_add_watch, "path"), DENY(swapon, "path"),
	DENY(swapoff, "path"), DENY(quotactl, "path"),

	/* ----------------------------------------------------------------
	 * Descriptor table.
	 */
	ALLOW(close, "close"),
	LIMITED_EMU0(close, 0, EMU_CLOSE, "a limited number keeps a placeholder so it is never reused by an unrelated descriptor"),
	ALLOW(close_range, "close a range"),
	REFUSE(close_range, "first descriptor with high bits set (the kernel would truncate it)", C_GT(0, 0xFFFFFFFFULL)),
	REFUSE(close_range, "last descriptor with high bits set", C_GT(1, 0xFFFFFFFFULL)),
	LIMITED_RANGE(close_range, 0, 1, EMU_CLOSE_RANGE, "a range over limited numbers is split; limited numbers keep placeholders"),
	ALLOW(dup, "duplicate"),
	LIMITED_EMU0(dup, 0, EMU_DUP, "a limited descriptor is duplicated into its band, keeping its rights"),
	ALLOW(dup2, "duplicate onto a number"),
	LIMITED_DUP(dup2, 0, 1, "a limited descriptor may only be duplicated into its band"),
	ALLOW(dup3, "duplicate onto a number"),
	LIMITED_DUP(dup3, 0, 1, "a limited descriptor may only be duplicated into its band"),

	ALLOW_IF(fcntl, "F_DUPFD", C_EQ(1, F_DUPFD)),
	ALLOW_IF(fcntl, "F_DUPFD_CLOEXEC", C_EQ(1, F_DUPFD_CLOEXEC)),
	LIMITED_EMU(fcntl, 0, EMU_DUP, "F_DUPFD of a limited descriptor goes into its band", C_LO32(1, F_DUPFD)),
	LIMITED_EMU(fcntl, 0, EMU_DUP, "F_DUPFD_CLOEXEC of a limited descriptor goes into its band", C_LO32(1, F_DUPFD_CLOEXEC)),
	ALLOW_IF(fcntl, "F_GETFD (no right)", C_EQ(1, F_GETFD)),
	ALLOW_IF(fcntl, "F_SETFD (no right)", C_EQ(1, F_SETFD)),
	ALLOW_IF(fcntl, "F_GETFL", C_EQ(1, F_GETFL)),
	FCNTL_RIGHT(F_GETFL, CAP_FCNTL, CAP_FCNTL_GETFL, "F_GETFL"),
	ALLOW_IF(fcntl, "F_SETFL", C_EQ(1, F_SETFL)),
	FCNTL_RIGHT(F_SETFL, CAP_FCNTL, CAP_FCNTL_SETFL, "F_SETFL"),
	ALLOW_IF(fcntl, "F_GETOWN", C_EQ(1, F_GETOWN)),
	FCNTL_RIGHT(F_GETOWN, CAP_FCNTL, CAP_FCNTL_GETOWN, "F_GETOWN"),
	ALLOW_IF(fcntl, "F_GETOWN_EX", C_EQ(1, F_GETOWN_EX)),
	FCNTL_RIGHT(F_GETOWN_EX, CAP_FCNTL, CAP_FCNTL_GETOWN, "F_GETOWN_EX (Linux)"),
	ALLOW_IF(fcntl, "F_GETOWNER_UIDS", C_EQ(1, F_GETOWNER_UIDS)),
	FCNTL_RIGHT(F_GETOWNER_UIDS, CAP_FCNTL, CAP_FCNTL_GETOWN, "F_GETOWNER_UIDS (Linux)"),
	ALLOW_IF(fcntl, "F_SETOWN: SIGIO targets are confined by Landlock's signal scope", C_EQ(1, F_SETOWN)),
	FCNTL_RIGHT(F_SETOWN, CAP_FCNTL, CAP_FCNTL_SETOWN, "F_SETOWN"),
	ALLOW_IF(fcntl, "F_SETOWN_EX", C_EQ(1, F_SETOWN_EX)),
	FCNTL_RIGHT(F_SETOWN_EX, CAP_FCNTL, CAP_FCNTL_SETOWN, "F_SETOWN_EX (Linux)"),
	ALLOW_IF(fcntl, "F_GETSIG", C_EQ(1, F_GETSIG)),
	FCNTL_RIGHT(F_GETSIG, CAP_FSIGNAL, 0, "F_GETSIG (Linux right)"),
	ALLOW_IF(fcntl, "F_SETSIG", C_EQ(1, F_SETSIG)),
	FCNTL_RIGHT(F_SETSIG, CAP_FSIGNAL, 0, "F_SETSIG (Linux right)"),
	ALLOW_IF(fcntl, "F_GETLK", C_EQ(1, F_GETLK)),
	FCNTL_RIGHT(F_GETLK, CAP_FLOCK, 0, "F_GETLK"),
	ALLOW_IF(fcntl, "F_SETLK", C_EQ(1, F_SETLK)),
	FCNTL_RIGHT(F_SETLK, CAP_FLOCK, 0, "F_SETLK"),
	ALLOW_IF(fcntl, "F_SETLKW", C_EQ(1, F_SETLKW)),
	FCNTL_RIGHT(F_SETLKW, CAP_FLOCK, 0, "F_SETLKW"),
	ALLOW_IF(fcntl, "F_OFD_GETLK", C_EQ(1, F_OFD_GETLK)),
	FCNTL_RIGHT(F_OFD_GETLK, CAP_FLOCK, 0, "F_OFD_GETLK (Linux)"),
	ALLOW_IF(fcntl, "F_OFD_SETLK", C_EQ(1, F_OFD_SETLK)),
	FCNTL_RIGHT(F_OFD_SETLK, CAP_FLOCK, 0, "F_OFD_SETLK (Linux)"),
	ALLOW_IF(fcntl, "F_OFD_SETLKW", C_EQ(1, F_OFD_SETLKW)),
	FCNTL_RIGHT(F_OFD_SETLKW, CAP_FLOCK, 0, "F_OFD_SETLKW (Linux)"),
	ALLOW_IF(fcntl, "F_SETLEASE", C_EQ(1, F_SETLEASE)),
	FCNTL_RIGHT(F_SETLEASE, CAP_FLOCK, 0, "F_SETLEASE (Linux)"),
	ALLOW_IF(fcntl, "F_GETLEASE", C_EQ(1, F_GETLEASE)),
	FCNTL_RIGHT(F_GETLEASE, CAP_FLOCK, 0, "F_GETLEASE (Linux)"),
	ALLOW_IF(fcntl, "F_NOTIFY", C_EQ(1, F_NOTIFY)),
	FCNTL_RIGHT(F_NOTIFY, CAP_NOTIFY_MARK, 0, "F_NOTIFY: directory notification (Linux right)"),
	ALLOW_IF(fcntl, "F_SETPIPE_SZ", C_EQ(1, F_SETPIPE_SZ)),
	FCNTL_RIGHT(F_SETPIPE_SZ, CAP_FCNTL, 0, "F_SETPIPE_SZ (Linux)"),
	ALLOW_IF(fcntl, "F_GETPIPE_SZ", C_EQ(1, F_GETPIPE_SZ)),
	FCNTL_RIGHT(F_GETPIPE_SZ, CAP_FCNTL, 0, "F_GETPIPE_SZ (Linux)"),
	ALLOW_IF(fcntl, "F_ADD_SEALS (no right, as on FreeBSD)", C_EQ(1, F_ADD_SEALS)),
	ALLOW_IF(fcntl, "F_GET_SEALS (no right, as on FreeBSD)", C_EQ(1, F_GET_SEALS)),
	ALLOW_IF(fcntl, "F_DUPFD_QUERY (no right)", C_EQ(1, F_DUPFD_QUERY)),
	DENY(fcntl, "any other command is ECAPMODE (FreeBSD also bars some, e.g. F_KINFO)"),

	ALLOW(ioctl, "ioctl on a held descriptor"),
	RIGHT_IF(ioctl, 0, CAP_IOCTL, "every ioctl but PIDFD_GET_INFO (CAP_PDGETPID)", C_NOT_PDGETPID),
	RIGHT_IF(ioctl, 0, PR_IOCTL_LIST, "the command must be in the cap_ioctls_limit() list", C_NOT_PDGETPID),
	/* The refused-ioctl rows are generated from capsicum_refused_ioctls. */

	/* ----------------------------------------------------------------
	 * Memory.
	 */
	ALLOW(mmap, "map memory (PROT_EXEC allowed, as on FreeBSD)"),
	RIGHT_IF(mmap, 4, CAP_MMAP, "mapping a descriptor", C_NOBITS(3, MAP_ANONYMOUS)),
	RIGHT_IF(mmap, 4, CAP_MMAP_R, "PROT_READ", C_BITS(2, PROT_READ), C_NOBITS(3, MAP_ANONYMOUS)),
	RIGHT_IF(mmap, 4, CAP_MMAP_X, "PROT_EXEC", C_BITS(2, PROT_EXEC), C_NOBITS(3, MAP_ANONYMOUS)),
	RIGHT_IF(mmap, 4, CAP_MMAP_W, "PROT_WRITE with MAP_SHARED", C_BITS(2, PROT_WRITE), C_MASK(3, MAP_KIND, MAP_SHARED)),
	RIGHT_IF(mmap, 4, CAP_MMAP_W, "PROT_WRITE with MAP_SHARED_VALIDATE", C_BITS(2, PROT_WRITE), C_MASK(3, MAP_KIND, MAP_SHARED_VALIDATE)),
	RIGHT_IF_F(mmap, 4, CAP_MMAP_W, PF_WRITABLE_OFD, "Linux: any MAP_SHARED mapping of a writable open file, since mprotect() could add PROT_WRITE later", C_MASK(3, MAP_KIND, MAP_SHARED)),
	RIGHT_IF_F(mmap, 4, CAP_MMAP_W, PF_WRITABLE_OFD, "Linux: any MAP_SHARED_VALIDATE mapping of a writable open file", C_MASK(3, MAP_KIND, MAP_SHARED_VALIDATE)),
	ALLOW(munmap, "unmap"), ALLOW(mprotect, "change protection"),
	ALLOW(mremap, "remap"), ALLOW(brk, "heap"), ALLOW(msync, "flush a mapping"),
	ALLOW(mincore, "residency"), ALLOW(madvise, "advice on own memory"),
	ALLOW(mlock, "lock own memory"), ALLOW(mlock2, "lock own memory"),
	ALLOW(munlock, "unlock"), ALLOW(mlockall, "lock own memory"),
	ALLOW(munlockall, "unlock"), ALLOW(mbind, "NUMA policy of own memory"),
	ALLOW(set_mempolicy, "NUMA policy of own memory"),
	ALLOW(get_mempolicy, "NUMA policy of own memory"),
	ALLOW(set_mempolicy_home_node, "NUMA policy of own memory"),
	ALLOW(pkey_alloc, "memory protection keys"), ALLOW(pkey_free, "memory protection keys"),
	ALLOW(pkey_mprotect, "memory protection keys"),
	ALLOW(memfd_create, "anonymous shared memory (FreeBSD shm_open(SHM_ANON))"),
	ALLOW(memfd_secret, "anonymous secret memory"),
	ALLOW(membarrier, "memory barrier"),
	ALLOW_NR(map_shadow_stack, 453, "shadow stack for own threads"),
	ALLOW_NR(mseal, 462, "seal own mappings"),
	DENY(remap_file_pages, "obsolete"), DENY(migrate_pages, "acts on other processes"),
	DENY(move_pages, "acts on other processes"), DENY(process_madvise, "acts on other processes"),
	DENY(process_mrelease, "acts on other processes"),
	DENY(userfaultfd, "widens kernel race windows; FreeBSD has no equivalent"),

	/* ----------------------------------------------------------------
	 * Polling and events.  poll/select take descriptor arrays in memory,
	 * which seccomp cannot read, so CAP_EVENT is enforced on epoll_ctl only.
	 */
	ALLOW(poll, "poll held descriptors"), ALLOW(ppoll, "poll held descriptors"),
	ALLOW(select, "select"), ALLOW(pselect6, "select"),
	ALLOW(epoll_create, "new epoll instance"), ALLOW(epoll_create1, "new epoll instance"),
	ALLOW(epoll_ctl, "change an epoll set"),
	RIGHT(epoll_ctl, 0, CAP_EPOLL_CTL, "epoll_ctl: the epoll descriptor (Linux right)"),
	RIGHT(epoll_ctl, 2, CAP_EVENT, "epoll_ctl: the watched descriptor"),
	ALLOW(epoll_wait, "wait on an epoll set"),
	RIGHT(epoll_wait, 0, CAP_EVENT, "epoll_wait"),
	ALLOW(epoll_pwait, "wait on an epoll set"),
	RIGHT(epoll_pwait, 0, CAP_EVENT, "epoll_pwait"),
	ALLOW(epoll_pwait2, "wait on an epoll set"),
	RIGHT(epoll_pwait2, 0, CAP_EVENT, "epoll_pwait2"),
	DENY(epoll_ctl_old, "obsolete"), DENY(epoll_wait_old, "obsolete"),
	ALLOW(eventfd, "new eventfd"), ALLOW(eventfd2, "new eventfd"),
	ALLOW(timerfd_create, "new timerfd"),
	ALLOW(timerfd_settime, "arm a timerfd"),
	RIGHT(timerfd_settime, 0, CAP_WRITE, "timerfd_settime changes the timer"),
	ALLOW(timerfd_gettime, "read a timerfd setting"),
	RIGHT(timerfd_gettime, 0, CAP_READ, "timerfd_gettime"),
	ALLOW(signalfd, "new or re-masked signalfd"),
	RIGHT(signalfd, 0, CAP_SIGNALFD, "re-masking an existing signalfd (Linux right)"),
	ALLOW(signalfd4, "new or re-masked signalfd"),
	RIGHT(signalfd4, 0, CAP_SIGNALFD, "re-masking an existing signalfd (Linux right)"),
	ALLOW(inotify_init, "new inotify instance (watches need paths: refused)"),
	ALLOW(inotify_init1, "new inotify instance"),
	ALLOW(inotify_rm_watch, "remove a watch"),
	RIGHT(inotify_rm_watch, 0, CAP_NOTIFY_MARK, "inotify_rm_watch (Linux right)"),
	DENY(fanotify_init, "file system wide notification"),
	DENY(fanotify_mark, "marks by path"),

	/* ----------------------------------------------------------------
	 * Sockets.  Creating a socket is allowed for the protocols whose
	 * sendmsg() ignores a destination address (stream and seqpacket);
	 * bind and connect are the global network namespace.
	 */
	ALLOW_IF(socket, "AF_UNIX stream", C_EQ(0, AF_UNIX), C_MASK(1, 0xf, SOCK_STREAM)),
	ALLOW_IF(socket, "AF_UNIX seqpacket", C_EQ(0, AF_UNIX), C_MASK(1, 0xf, SOCK_SEQPACKET)),
	ALLOW_IF(socket, "TCP (Landlock refuses its bind and connect)", C_EQ(0, AF_INET), C_MASK(1, 0xf, SOCK_STREAM), C_EQ(2, 0)),
	ALLOW_IF(socket, "TCP", C_EQ(0, AF_INET), C_MASK(1, 0xf, SOCK_STREAM), C_EQ(2, IPPROTO_TCP)),
	ALLOW_IF(socket, "TCP over IPv6", C_EQ(0, AF_INET6), C_MASK(1, 0xf, SOCK_STREAM), C_EQ(2, 0)),
	ALLOW_IF(socket, "TCP over IPv6", C_EQ(0, AF_INET6), C_MASK(1, 0xf, SOCK_STREAM), C_EQ(2, IPPROTO_TCP)),
	DENY(socket, "datagram, raw, netlink, packet and MPTCP sockets: sendmsg() could name any address, which seccomp cannot see"),
	ALLOW_IF(socketpair, "AF_UNIX stream pair", C_EQ(0, AF_UNIX), C_MASK(1, 0xf, SOCK_STREAM)),
	ALLOW_IF(socketpair, "AF_UNIX seqpacket pair", C_EQ(0, AF_UNIX), C_MASK(1, 0xf, SOCK_SEQPACKET)),
	DENY(bind, "global network namespace (bindat is brokered)"),
	RIGHT(bind, 0, CAP_BIND, "bind"),
	DENY(connect, "global network namespace (connectat is brokered)"),
	RIGHT(connect, 0, CAP_CONNECT, "connect"),
	ALLOW(accept, "accept on a held listening socket"),
	RIGHT(accept, 0, CAP_ACCEPT, "accept"),
	ALLOW(accept4, "accept on a held listening socket"),
	RIGHT(accept4, 0, CAP_ACCEPT, "accept4"),
	BROKER_LIMITED(accept, 0, "on a limited listening socket: the broker accepts and puts the connection in the listener's derived band, with the listener's rights"),
	BROKER_LIMITED(accept4, 0, "on a limited listening socket: as accept"),
	ALLOW(listen, "listen"),
	RIGHT(listen, 0, CAP_LISTEN, "listen"),
	ALLOW(getsockname, "own address"),
	RIGHT(getsockname, 0, CAP_GETSOCKNAME, "getsockname"),
	ALLOW(getpeername, "peer address"),
	RIGHT(getpeername, 0, CAP_GETPEERNAME, "getpeername"),
	ALLOW(getsockopt, "socket option"),
	RIGHT(getsockopt, 0, CAP_GETSOCKOPT, "getsockopt"),
	ALLOW(setsockopt, "socket option"),
	RIGHT(setsockopt, 0, CAP_SETSOCKOPT, "setsockopt"),
	ALLOW(shutdown, "shutdown"),
	RIGHT(shutdown, 0, CAP_SHUTDOWN, "shutdown"),
	ALLOW(sendto, "send"),
	REFUSE(sendto, "sendto with a destination address", C_NE(4, 0)),
	REFUSE(sendto, "TCP fast open connects", C_BITS(3, MSG_FASTOPEN)),
	RIGHT(sendto, 0, CAP_SEND, "send"),
	ALLOW(sendmsg, "send (stream and seqpacket sockets ignore msg_name)"),
	REFUSE(sendmsg, "TCP fast open connects", C_BITS(2, MSG_FASTOPEN)),
	RIGHT(sendmsg, 0, CAP_SEND, "sendmsg"),
	ALLOW(sendmmsg, "send"),
	REFUSE(sendmmsg, "TCP fast open connects", C_BITS(3, MSG_FASTOPEN)),
	RIGHT(sendmmsg, 0, CAP_SEND, "sendmmsg"),
	ALLOW(recvfrom, "receive"),
	RIGHT(recvfrom, 0, CAP_RECV, "recv"),
	ALLOW(recvmsg, "receive"),
	RIGHT(recvmsg, 0, CAP_RECV, "recvmsg"),
	BROKER_NR(recvmsg, -1, "descriptors in SCM_RIGHTS keep their rights: the broker receives on its copy of the socket and installs each limited file in its profile's band (seccomp cannot read control messages)"),
	ALLOW(recvmmsg, "receive"),
	RIGHT(recvmmsg, 0, CAP_RECV, "recvmmsg"),
	BROKER_NR(recvmmsg, -1, "as recvmsg, one message after another"),
	NOBROKER_EMU(recvmsg, EMU_RECV_NOFD, "no broker (no directory, no limited directory or listener, no unix socket at cap_enter()) and a descriptor limited, at cap_enter() or later: received with recvfrom, which installs no descriptor, so a limited one sent to oneself cannot come back with full rights (descriptors are dropped, MSG_CTRUNC)"),
	NOBROKER_EMU(recvmmsg, EMU_RECV_NOFD, "as recvmsg, one message after another"),
	ALLOW(pipe, "new pipe"), ALLOW(pipe2, "new pipe"),

	/* ----------------------------------------------------------------
	 * Processes.  FreeBSD allows fork and pdfork but not wait4; a child is
	 * reaped through its process descriptor (waitid(P_PIDFD)).
	 */
	ALLOW(fork, "fork"), ALLOW(vfork, "vfork"),
	ALLOW(clone, "threads and fork; namespace flags refused"),
	REFUSE(clone, "new namespaces (mount, cgroup, UTS, IPC, user, PID, network) or tracing the child", C_ANY(0, NS_FLAGS | CLONE_PTRACE)),
	NOSYS(clone3, "struct clone_args is behind a pointer: ENOSYS, glibc falls back to clone"),
	ALLOW(unshare, "unshare the descriptor table or fs data; namespaces refused"),
	REFUSE(unshare, "any namespace", C_ANY(0, NS_FLAGS | CLONE_NEWTIME)),
	ALLOW(exit, "exit"), ALLOW(exit_group, "exit"),
	ALLOW(set_tid_address, "thread start-up"), ALLOW(set_robust_list, "thread start-up"),
	ALLOW_IF(get_robust_list, "own threads only", C_EQ(0, 0)),
	ALLOW(rseq, "restartable sequences (glibc registers one per thread)"),
	ALLOW(futex, "futex"), ALLOW(futex_waitv, "futex"),
	ALLOW_NR(futex_wake, 454, "futex"), ALLOW_NR(futex_wait, 455, "futex"),
	ALLOW_NR(futex_requeue, 456, "futex"),
	ALLOW(arch_prctl, "thread-local storage"),
	REFUSE(arch_prctl, "vDSO mapping changes (checkpoint/restore)", C_MASK(0, 0xFFFFFFF0, 0x2000)),
	ALLOW(sched_yield, "yield"),
	ALLOW(getcpu, "current CPU"),
	/* Reading scheduling state names a pid or thread id; seccomp cannot
	 * tell our threads' ids from other processes' pids, and glibc's
	 * pthread_getattr_np() reads its threads' affinity, so reads are
	 * allowed for any id (they reveal only scheduling parameters);
	 * changes only for the caller itself (id 0). */
	ALLOW(sched_getaffinity, "read CPU affinity (any id: pthread_getattr_np needs its threads')"),
	ALLOW_IF(sched_setaffinity, "own thread only (id 0)", C_EQ(0, 0)),
	ALLOW(sched_getparam, "read scheduling parameters"),
	ALLOW_IF(sched_setparam, "own thread only (id 0)", C_EQ(0, 0)),
	ALLOW(sched_getscheduler, "read scheduling policy"),
	ALLOW_IF(sched_setscheduler, "own thread only (id 0)", C_EQ(0, 0)),
	ALLOW(sched_getattr, "read scheduling attributes"),
	ALLOW_IF(sched_setattr, "own thread only (id 0)", C_EQ(0, 0)),
	ALLOW(sched_get_priority_max, "scheduler limits"),
	ALLOW(sched_get_priority_min, "scheduler limits"),
	ALLOW(sched_rr_get_interval, "read the round-robin interval"),
	ALLOW(getpriority, "read a nice value"),
	ALLOW_IF(setpriority, "own process (who == 0)", C_EQ(1, 0)),
	ALLOW_IF(prlimit64, "own process", C_EQ(0, 0)),
	ALLOW(getrlimit, "resource limits"), ALLOW(setrlimit, "resource limits"),
	ALLOW(getrusage, "resource usage of self and children"),
	ALLOW(times, "process times"),
	ALLOW_IF(waitid, "reap a child through its process descriptor (P_PIDFD)", C_EQ(0, 3)),
	RIGHT_IF(waitid, 1, CAP_PDWAIT, "waitid(P_PIDFD)", C_EQ(0, 3)),
	DENY(wait4, "FreeBSD refuses wait4 in capability mode: reap through a process descriptor"),
	ALLOW(pidfd_send_signal, "pdkill"),
	RIGHT(pidfd_send_signal, 0, CAP_PDKILL, "pdkill"),
	DENY(pidfd_open, "pid namespace"),
	DENY(pidfd_getfd, "takes descriptors from other processes"),
	RIGHT(pidfd_getfd, 0, CAP_PDGETFD, "pidfd_getfd (Linux right)"),
	DENY(setns, "namespaces"),
	RIGHT(setns, 0, CAP_SETNS, "setns (Linux right)"),
	DENY(ptrace, "debugging other processes"),
	DENY(process_vm_readv, "other processes' memory"),
	DENY(process_vm_writev, "other processes' memory"),
	DENY(kcmp, "compares other processes' state"),
	DENY(setpgid, "acts on other processes"), ALLOW(setsid, "new session"),
	ALLOW(getpid, "identity"), ALLOW(getppid, "identity"),
	ALLOW(gettid, "identity"), ALLOW(getpgrp, "identity"),
	ALLOW(getpgid, "identity"), ALLOW(getsid, "identity"),
	ALLOW(getuid, "identity"), ALLOW(geteuid, "identity"),
	ALLOW(getgid, "identity"), ALLOW(getegid, "identity"),
	ALLOW(getresuid, "identity"), ALLOW(getresgid, "identity"),
	ALLOW(getgroups, "identity"),
	ALLOW(setuid, "credentials (still subject to privilege)"),
	ALLOW(setgid, "credentials"), ALLOW(setreuid, "credentials"),
	ALLOW(setregid, "credentials"), ALLOW(setresuid, "credentials"),
	ALLOW(setresgid, "credentials"), ALLOW(setfsuid, "credentials"),
	ALLOW(setfsgid, "credentials"), ALLOW(capget, "capabilities"),
	ALLOW(capset, "capabilities (can only drop without privilege)"),
	DENY(setgroups, "FreeBSD refuses setgroups"),
	ALLOW(umask, "umask"),
	ALLOW(uname, "system name"), ALLOW(sysinfo, "system statistics"),
	DENY(syslog, "kernel log"), DENY(personality, "execution domain"),

	/* Prctl: only options that affect the caller alone. */
	ALLOW_IF(prctl, "PR_SET_PDEATHSIG", C_EQ(0, PR_SET_PDEATHSIG)),
	ALLOW_IF(prctl, "PR_GET_PDEATHSIG", C_EQ(0, PR_GET_PDEATHSIG)),
	ALLOW_IF(prctl, "PR_GET_DUMPABLE", C_EQ(0, PR_GET_DUMPABLE)),
	ALLOW_IF(prctl, "PR_SET_DUMPABLE", C_EQ(0, PR_SET_DUMPABLE)),
	ALLOW_IF(prctl, "PR_GET_KEEPCAPS", C_EQ(0, PR_GET_KEEPCAPS)),
	ALLOW_IF(prctl, "PR_SET_NAME", C_EQ(0, PR_SET_NAME)),
	ALLOW_IF(prctl, "PR_GET_NAME", C_EQ(0, PR_GET_NAME)),
	ALLOW_IF(prctl, "PR_GET_SECCOMP", C_EQ(0, PR_GET_SECCOMP)),
	ALLOW_IF(prctl, "PR_SET_SECCOMP (can only add restrictions)", C_EQ(0, PR_SET_SECCOMP)),
	ALLOW_IF(prctl, "PR_CAPBSET_READ", C_EQ(0, PR_CAPBSET_READ)),
	ALLOW_IF(prctl, "PR_CAPBSET_DROP", C_EQ(0, PR_CAPBSET_DROP)),
	ALLOW_IF(prctl, "PR_GET_SECUREBITS", C_EQ(0, PR_GET_SECUREBITS)),
	ALLOW_IF(prctl, "PR_SET_TIMERSLACK", C_EQ(0, PR_SET_TIMERSLACK)),
	ALLOW_IF(prctl, "PR_GET_TIMERSLACK", C_EQ(0, PR_GET_TIMERSLACK)),
	ALLOW_IF(prctl, "PR_SET_NO_NEW_PRIVS", C_EQ(0, PR_SET_NO_NEW_PRIVS)),
	ALLOW_IF(prctl, "PR_GET_NO_NEW_PRIVS", C_EQ(0, PR_GET_NO_NEW_PRIVS)),
	ALLOW_IF(prctl, "PR_GET_TID_ADDRESS", C_EQ(0, PR_GET_TID_ADDRESS)),
	ALLOW_IF(prctl, "PR_SET_THP_DISABLE", C_EQ(0, PR_SET_THP_DISABLE)),
	ALLOW_IF(prctl, "PR_GET_THP_DISABLE", C_EQ(0, PR_GET_THP_DISABLE)),
	ALLOW_IF(prctl, "PR_GET_SPECULATION_CTRL", C_EQ(0, PR_GET_SPECULATION_CTRL)),
	ALLOW_IF(prctl, "PR_SET_SPECULATION_CTRL", C_EQ(0, PR_SET_SPECULATION_CTRL)),
	ALLOW_IF(prctl, "PR_CAP_AMBIENT", C_EQ(0, PR_CAP_AMBIENT)),
	ALLOW_IF(prctl, "PR_SET_VMA (name own anonymous memory)", C_EQ(0, 0x53564d41)),
	ALLOW_IF(prctl, "PR_GET_CHILD_SUBREAPER", C_EQ(0, PR_GET_CHILD_SUBREAPER)),
	ALLOW_IF(prctl, "PR_SET_MDWE (can only add restrictions)", C_EQ(0, 65)),
	ALLOW_IF(prctl, "PR_GET_MDWE", C_EQ(0, 66)),
	ALLOW_IF(prctl, "PR_GET_AUXV", C_EQ(0, 0x41555856)),
	DENY(prctl, "any other option (PR_SET_MM, PR_SET_PTRACER, ...)"),

	/* Signals: only to the process itself, as on FreeBSD.  A call naming
	 * another pid traps; the handler delivers it if the pid is the
	 * caller's own (a process forked in capability mode has a pid the
	 * filter cannot know) and refuses it otherwise.  Landlock's signal
	 * scope is the kernel's second line. */
	ALLOW(rt_sigaction, "signal handlers"), ALLOW(rt_sigprocmask, "signal mask"),
	ALLOW(rt_sigreturn, "signal return"), ALLOW(rt_sigpending, "pending signals"),
	ALLOW(rt_sigtimedwait, "wait for signals"), ALLOW(rt_sigsuspend, "wait for signals"),
	ALLOW(sigaltstack, "signal stack"), ALLOW(pause, "wait for a signal"),
	ALLOW(restart_syscall, "restart after a signal"),
	ALLOW(kill, "kill(getpid(), sig)"),
	EMULATE(kill, EMU_SIGNAL, "any other pid: ECAPMODE unless it is the caller's own", C_NE(0, PV_SELF_PID)),
	ALLOW(tgkill, "raise(), pthread_kill() within the process"),
	EMULATE(tgkill, EMU_SIGNAL, "another thread group: ECAPMODE unless it is the caller's own", C_NE(0, PV_SELF_PID)),
	ALLOW(rt_sigqueueinfo, "sigqueue to the process itself"),
	EMULATE(rt_sigqueueinfo, EMU_SIGNAL, "any other pid: ECAPMODE unless the caller's own", C_NE(0, PV_SELF_PID)),
	ALLOW(rt_tgsigqueueinfo, "queue a signal to a thread of the process"),
	EMULATE(rt_tgsigqueueinfo, EMU_SIGNAL, "another thread group: ECAPMODE unless the caller's own", C_NE(0, PV_SELF_PID)),
	DENY(tkill, "targets a thread id in the global namespace"),

	/* ----------------------------------------------------------------
	 * Process descriptors (procdesc.c).  A process descriptor is a
	 * pidfd; pdkill and pdwait are the pidfd_send_signal and waitid rows
	 * above.  pdgetpid asks the kernel with PIDFD_GET_INFO, which takes
	 * any structure size, so the size field of the command is masked.
	 * CAP_PDGETPID alone allows it (the ioctl rows above exempt it).
	 */
	RIGHT_IF(ioctl, 0, CAP_PDGETPID, "pdgetpid: ioctl(PIDFD_GET_INFO)", C_PDGETPID),

	/* ----------------------------------------------------------------
	 * Time.
	 */
	ALLOW(clock_gettime, "time"), ALLOW(clock_getres, "time"),
	ALLOW(gettimeofday, "time"), ALLOW(time, "time"),
	ALLOW(nanosleep, "sleep"),
	ALLOW(clock_nanosleep, "sleep (Linux: glibc's sleep functions need it)"),
	ALLOW(getitimer, "interval timers"), ALLOW(setitimer, "interval timers"),
	ALLOW(alarm, "alarm"),
	ALLOW(timer_create, "POSIX timers (signals stay within the process)"),
	ALLOW(timer_settime, "POSIX timers"), ALLOW(timer_gettime, "POSIX timers"),
	ALLOW(timer_getoverrun, "POSIX timers"), ALLOW(timer_delete, "POSIX timers"),
	DENY(settimeofday, "system clock"), DENY(clock_settime, "system clock"),
	DENY(adjtimex, "system clock"), DENY(clock_adjtime, "system clock"),

	/* ----------------------------------------------------------------
	 * Sandboxing itself: adding restrictions is always allowed.
	 */
	ALLOW(seccomp, "add filters (a second listener is refused by the kernel)"),
	ALLOW(landlock_create_ruleset, "nest Landlock domains"),
	ALLOW(landlock_add_rule, "nest Landlock domains (rules name held descriptors)"),
	ALLOW(landlock_restrict_self, "nest Landlock domains"),
	ALLOW(getrandom, "randomness"),

	/* ----------------------------------------------------------------
	 * Refused global namespaces and kernel facilities.
	 */
	DENY(mount, "mounts"), DENY(umount2, "mounts"), DENY(pivot_root, "mounts"),
	DENY(open_tree, "mounts"), DENY(move_mount, "mounts"), DENY(fsopen, "mounts"),
	DENY(fsconfig, "mounts"), DENY(fsmount, "mounts"), DENY(fspick, "mounts"),
	DENY(mount_setattr, "mounts"), DENY_NR(statmount, 457, "mounts"),
	DENY_NR(listmount, 458, "mounts"), DENY_NR(open_tree_attr, 467, "mounts"),
	DENY(bpf, "eBPF"), DENY(perf_event_open, "performance monitoring"),
	DENY(add_key, "kernel keyrings"), DENY(request_key, "kernel keyrings"),
	DENY(keyctl, "kernel keyrings"),
	DENY(io_uring_setup, "io_uring operations bypass seccomp"),
	DENY(io_uring_enter, "io_uring operations bypass seccomp"),
	DENY(io_uring_register, "io_uring operations bypass seccomp"),
	DENY(io_setup, "Linux AIO submits descriptors in memory"),
	DENY(io_submit, "Linux AIO submits descriptors in memory"),
	DENY(shmget, "System V IPC keys and ids are global namespaces"),
	DENY(shmat, "System V IPC"), DENY(shmctl, "System V IPC"),
	ALLOW(shmdt, "detach (harmless)"),
	DENY(semget, "System V IPC"), DENY(semop, "System V IPC"),
	DENY(semtimedop, "System V IPC"), DENY(semctl, "System V IPC"),
	DENY(msgget, "System V IPC"), DENY(msgsnd, "System V IPC"),
	DENY(msgrcv, "System V IPC"), DENY(msgctl, "System V IPC"),
	DENY(mq_open, "POSIX message queues by name"), DENY(mq_unlink, "by name"),
	ALLOW(mq_timedsend, "send on a held queue"),
	RIGHT(mq_timedsend, 0, CAP_WRITE, "mq_send"),
	ALLOW(mq_timedreceive, "receive on a held queue"),
	RIGHT(mq_timedreceive, 0, CAP_READ, "mq_receive"),
	ALLOW(mq_notify, "notification on a held queue"),
	RIGHT(mq_notify, 0, CAP_EVENT, "mq_notify"),
	ALLOW(mq_getsetattr, "attributes of a held queue"),
	RIGHT(mq_getsetattr, 0, CAP_FSTAT, "mq_getattr"),
	DENY(init_module, "modules"), DENY(finit_module, "modules"),
	DENY(delete_module, "modules"), DENY(kexec_load, "kexec"),
	DENY(kexec_file_load, "kexec"), DENY(reboot, "reboot"),
	DENY(sethostname, "system name"), DENY(setdomainname, "system name"),
	DENY(iopl, "I/O ports"), DENY(ioperm, "I/O ports"),
	DENY(modify_ldt, "descriptor tables"), DENY(vhangup, "terminals"),
	DENY(ioprio_set, "acts on other processes"), DENY(ioprio_get, "acts on other processes"),
	DENY(lookup_dcookie, "profiling"), DENY(quotactl_fd, "quotas"),
	DENY_NR(lsm_set_self_attr, 460, "security module attributes"),
	ALLOW_NR(lsm_get_self_attr, 459, "own security attributes"),
	ALLOW_NR(lsm_list_modules, 461, "security modules"),
};
const unsigned int capsicum_policy_len =
    sizeof(capsicum_policy) / sizeof(capsicum_policy[0]);

/*
 * Ioctls refused on every descriptor in capability mode: they act on
 * something other than the descriptor (the terminal's input queue, the
 * console, the session).
 */
const unsigned long capsicum_refused_ioctls[] = {
	TIOCSTI,	/* push input into a terminal: classic sandbox escape */
	TIOCLINUX,	/* console subcommands */
	TIOCCONS,	/* redirect the console */
	TIOCSCTTY,	/* acquire a controlling terminal */
	TIOCSETD,	/* line discipline */
};
const unsigned int capsicum_refused_ioctls_len =
    sizeof(capsicum_refused_ioctls) / sizeof(capsicum_refused_ioctls[0]);

/*
 * Landlock access granted beneath a directory held at cap_enter(), per
 * right the directory descriptor holds.  A directory without CAP_LOOKUP
 * gets no rule at all.  Access not listed here is handled and denied.
 */
const struct plandlock capsicum_landlock_map[] = {
	{ CAP_READ, LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
	  "open files and directories for reading" },
	{ CAP_WRITE, LANDLOCK_ACCESS_FS_WRITE_FILE, "open files for writing" },
	{ CAP_FTRUNCATE, LL_ACCESS_FS_TRUNCATE, "O_TRUNC and truncate" },
	{ CAP_FEXECVE, LANDLOCK_ACCESS_FS_EXECUTE, "execute files (fexecve)" },
	{ CAP_CREATE, LANDLOCK_ACCESS_FS_MAKE_REG, "create regular files" },
	{ CAP_MKDIRAT, LANDLOCK_ACCESS_FS_MAKE_DIR, "mkdirat" },
	{ CAP_MKFIFOAT, LANDLOCK_ACCESS_FS_MAKE_FIFO, "mkfifoat" },
	{ CAP_MKNODAT, LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	  LANDLOCK_ACCESS_FS_MAKE_FIFO, "mknodat" },
	{ CAP_SYMLINKAT, LANDLOCK_ACCESS_FS_MAKE_SYM, "symlinkat" },
	{ CAP_BINDAT, LANDLOCK_ACCESS_FS_MAKE_SOCK, "bindat creates socket files" },
	{ CAP_UNLINKAT, LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR,
	  "unlinkat" },
	{ CAP_RENAMEAT_SOURCE, LANDLOCK_ACCESS_FS_REMOVE_FILE |
	  LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REFER,
	  "rename out of the directory" },
	{ CAP_RENAMEAT_TARGET, LL_ACCESS_FS_MAKE_ANY | LANDLOCK_ACCESS_FS_REFER,
	  "rename into the directory" },
	{ CAP_LINKAT_SOURCE, LANDLOCK_ACCESS_FS_REFER, "link from the directory" },
	{ CAP_LINKAT_TARGET, LL_ACCESS_FS_MAKE_ANY | LANDLOCK_ACCESS_FS_REFER,
	  "link into the directory" },
	{ CAP_IOCTL, LL_ACCESS_FS_IOCTL_DEV, "ioctl on devices opened beneath" },
};
const unsigned int capsicum_landlock_map_len =
    sizeof(capsicum_landlock_map) / sizeof(capsicum_landlock_map[0]);

/*
 * Rights that no table row checks, and why.  tools/capsicum-policy check
 * fails for a right that is neither checked nor listed here.
 */
const struct punenforced capsicum_unenforced[] = {
	{ CAP_FCHFLAGS, "Linux has no file flags system call (chattr uses FS_IOC_SETFLAGS, an ioctl: CAP_IOCTL)" },
	{ CAP_CHFLAGSAT, "Linux has no chflagsat" },
	{ CAP_FCHDIR, "fchdir is refused in capability mode (as on FreeBSD)" },
	{ CAP_FPATHCONF, "glibc implements fpathconf with fstatfs, which needs CAP_FSTATFS" },
	{ CAP_FSCK, "FreeBSD UFS background fsck only" },
	{ CAP_PEELOFF, "SCTP sockets cannot be created in capability mode" },
	{ CAP_MAC_GET, "FreeBSD MAC framework" },
	{ CAP_MAC_SET, "FreeBSD MAC framework" },
	{ CAP_SEM_GETVALUE, "POSIX semaphores are memory, not descriptors, on Linux" },
	{ CAP_SEM_POST, "POSIX semaphores are memory, not descriptors, on Linux" },
	{ CAP_SEM_WAIT, "POSIX semaphores are memory, not descriptors, on Linux" },
	{ CAP_KQUEUE_EVENT, "Linux has no kqueue (epoll: CAP_EVENT)" },
	{ CAP_KQUEUE_CHANGE, "Linux has no kqueue (epoll: CAP_EPOLL_CTL)" },
	{ CAP_TTYHOOK, "FreeBSD snp(4)" },
	{ CAP_ACL_CHECK, "POSIX ACLs are extended attributes on Linux (CAP_EXTATTR_*)" },
	{ CAP_ACL_DELETE, "POSIX ACLs are extended attributes on Linux (CAP_EXTATTR_*)" },
	{ CAP_ACL_GET, "POSIX ACLs are extended attributes on Linux (CAP_EXTATTR_*)" },
	{ CAP_ACL_SET, "POSIX ACLs are extended attributes on Linux (CAP_EXTATTR_*)" },
};
const unsigned int capsicum_unenforced_len =
    sizeof(capsicum_unenforced) / sizeof(capsicum_unenforced[0]);

#define	RN(r)	{ r, #r }
const struct pright_name capsicum_right_names[] = {
	/* Composite rights first, so names prefer them. */
	RN(CAP_PREAD), RN(CAP_PWRITE), RN(CAP_MMAP_RWX), RN(CAP_MMAP_RW),
	RN(CAP_MMAP_RX), RN(CAP_MMAP_WX), RN(CAP_MMAP_R), RN(CAP_MMAP_W),
	RN(CAP_MMAP_X), RN(CAP_SEEK), RN(CAP_FSTATAT), RN(CAP_FCHMODAT),
	RN(CAP_FCHOWNAT), RN(CAP_FUTIMESAT), RN(CAP_CHFLAGSAT),
	RN(CAP_LINKAT_TARGET), RN(CAP_MKDIRAT), RN(CAP_MKFIFOAT),
	RN(CAP_MKNODAT), RN(CAP_RENAMEAT_SOURCE), RN(CAP_SYMLINKAT),
	RN(CAP_UNLINKAT), RN(CAP_BINDAT), RN(CAP_CONNECTAT),
	RN(CAP_LINKAT_SOURCE), RN(CAP_RENAMEAT_TARGET),
	RN(CAP_READ), RN(CAP_WRITE), RN(CAP_SEEK_TELL), RN(CAP_MMAP),
	RN(CAP_CREATE), RN(CAP_FEXECVE), RN(CAP_FSYNC), RN(CAP_FTRUNCATE),
	RN(CAP_LOOKUP), RN(CAP_FCHDIR), RN(CAP_FCHFLAGS), RN(CAP_FCHMOD),
	RN(CAP_FCHOWN), RN(CAP_FCNTL), RN(CAP_FLOCK), RN(CAP_FPATHCONF),
	RN(CAP_FSCK), RN(CAP_FSTAT), RN(CAP_FSTATFS), RN(CAP_FUTIMES),
	RN(CAP_ACCEPT), RN(CAP_BIND), RN(CAP_CONNECT), RN(CAP_GETPEERNAME),
	RN(CAP_GETSOCKNAME), RN(CAP_GETSOCKOPT), RN(CAP_LISTEN),
	RN(CAP_PEELOFF), RN(CAP_SETSOCKOPT), RN(CAP_SHUTDOWN),
	RN(CAP_MAC_GET), RN(CAP_MAC_SET), RN(CAP_SEM_GETVALUE),
	RN(CAP_SEM_POST), RN(CAP_SEM_WAIT), RN(CAP_EVENT),
	RN(CAP_KQUEUE_EVENT), RN(CAP_IOCTL), RN(CAP_TTYHOOK),
	RN(CAP_PDGETPID), RN(CAP_PDWAIT), RN(CAP_PDKILL),
	RN(CAP_EXTATTR_DELETE), RN(CAP_EXTATTR_GET), RN(CAP_EXTATTR_LIST),
	RN(CAP_EXTATTR_SET), RN(CAP_ACL_CHECK), RN(CAP_ACL_DELETE),
	RN(CAP_ACL_GET), RN(CAP_ACL_SET), RN(CAP_KQUEUE_CHANGE),
	RN(CAP_PDGETFD), RN(CAP_SETNS), RN(CAP_FSIGNAL), RN(CAP_SIGNALFD),
	RN(CAP_NOTIFY_MARK), RN(CAP_EPOLL_CTL),
};
const unsigned int capsicum_right_names_len =
    sizeof(capsicum_right_names) / sizeof(capsicum_right_names[0]);

const char *
capsicum_right_name(uint64_t right)
{
	unsigned int i;

	if (right == PR_IOCTL_LIST)
		return ("ioctl list");
	for (i = 0; i < capsicum_right_names_len; i++) {
		if (capsicum_right_names[i].pn_right == right)
			return (capsicum_right_names[i].pn_name);
	}
	return ("?");
}

/* Is the call allowed at all in capability mode (under this Landlock
 * situation)?  Rights rules for refused calls would be pointless and
 * would turn ECAPMODE into ENOTCAPABLE. */
bool
capsicum_policy_capmode_allows(const char *sys)
{
	const struct prow *row;
	unsigned int i;

	for (i = 0; i < capsicum_policy_len; i++) {
		row = &capsicum_policy[i];
		if ((row->pr_kind == PK_ALLOW || row->pr_kind == PK_ALLOW_IF) &&
		    strcmp(row->pr_sys, sys) == 0)
			return (true);
	}
	return (false);
}

/*
 * Per-row facts: the syscall number, and whether the row's call is
 * allowed in capability mode.  The build-time tables (build/gen) have
 * both, read-only: nothing to compute or write, which matters in a
 * freshly forked child where each page first written faults.  Without
 * them (the generator itself) they are computed once, the numbers by
 * libseccomp, which takes a while, before anything reads them from a
 * signal handler.
 */
#define	POLICY_MAX	1024
static int row_nr[POLICY_MAX];
static bool row_allowed[POLICY_MAX];
static atomic_bool rows_ready;
extern const int capsicum_policy_nrs[] __attribute__((weak));
extern const bool capsicum_policy_allowed[] __attribute__((weak));
extern const unsigned int capsicum_policy_nrs_len __attribute__((weak));

static bool
built_rows(void)
{

	return (capsicum_policy_nrs != NULL &&
	    capsicum_policy_allowed != NULL &&
	    capsicum_policy_nrs_len == capsicum_policy_len);
}

void
capsicum_policy_init(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	unsigned int i;

	if (built_rows() || atomic_load(&rows_ready))
		return;
	pthread_mutex_lock(&lock);
	if (!atomic_load(&rows_ready)) {
		static bool nr_allowed[POLICY_MAX];
		const struct prow *row;

		for (i = 0; i < capsicum_policy_len && i < POLICY_MAX; i++) {
			row = &capsicum_policy[i];
			row_nr[i] = capsicum_policy_sysnr_slow(row);
			if (row_nr[i] < 0 || row_nr[i] >= POLICY_MAX ||
			    (row->pr_kind != PK_ALLOW &&
			    row->pr_kind != PK_ALLOW_IF))
				continue;
			nr_allowed[row_nr[i]] = true;
		}
		for (i = 0; i < capsicum_policy_len && i < POLICY_MAX; i++)
			row_allowed[i] = row_nr[i] >= 0 &&
			    row_nr[i] < POLICY_MAX && nr_allowed[row_nr[i]];
		atomic_store(&rows_ready, true);
	}
	pthread_mutex_unlock(&lock);
}

int
capsicum_policy_rownr(unsigned int i)
{

	return (built_rows() ? capsicum_policy_nrs[i] : row_nr[i]);
}

bool
capsicum_policy_row_allowed(unsigned int i)
{

	return (built_rows() ? capsicum_policy_allowed[i] : row_allowed[i]);
}

/* Does the profile hold what a PK_RIGHT row asks for (not the ioctl
 * list, which is checked per command)? */
bool
capsicum_profile_allows(const struct capsicum_profile *p,
    const struct prow *row)
{
	uint64_t have;

	if (p == NULL)
		return (true);
	/* One right: its word holds it, index bits included (the emitter
	 * asks this for every rule and target; interned profiles are
	 * valid, so cap_rights_contains()'s checks are not needed). */
	have = p->cp_rights.cr_rights[CAPIDXBIT(row->pr_right) == 2 ? 1 : 0];
	if ((have & row->pr_right) != row->pr_right)
		return (false);
	if (row->pr_fcntl != 0 && (p->cp_fcntls & row->pr_fcntl) == 0)
		return (false);
	return (true);
}

/* Evaluate a condition the way the kernel's BPF does. */
bool
capsicum_pcond_holds(const struct pcond *pc, uint64_t arg, pid_t self)
{
	uint64_t v;

	v = pc->pc_value == PV_SELF_PID ? (uint64_t)self : pc->pc_value;
	switch (pc->pc_op) {
	case PC_MASKED:
		return ((arg & pc->pc_mask) == v);
	case PC_EQ:
		return (arg == v);
	case PC_NE:
		return (arg != v);
	case PC_GT:
		return (arg > v);
	case PC_LE:
		return (arg <= v);
	case PC_GE:
		return (arg >= v);
	case PC_ANY:
		return ((arg & pc->pc_mask) != 0);
	case PC_MASKED_NE:
		return ((arg & pc->pc_mask) != v);
	}
	return (false);
}

/* The row's x86_64 syscall number, or -1 if neither libseccomp nor the
 * row knows it. */
int
capsicum_policy_sysnr_slow(const struct prow *row)
{
	int nr;

	nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, row->pr_sys);
	if (nr == __NR_SCMP_ERROR || nr < 0)
		nr = row->pr_nr;
	return (nr);
}
