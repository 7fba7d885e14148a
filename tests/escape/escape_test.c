/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Attempts to get more than a right allows, or out of the sandbox, through
 * the broker and through descriptors it hands out.  Raw system calls; each
 * attempt must be refused.  docs/escape.md lists every attempt of the test
 * suites and where it lives.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/capsicum.h>

#include "harness.h"
#include "escape/tree.h"
#include "capsicum/policy.h"

static char *
tree_new(void)
{
	char *d = test_tmpdir();

	tree_file(d, "f", "hello");
	tree_mkdir(d, "sub");
	tree_open_to_all(d);
	return (d);
}

#define	IN_TREE(fn)	IN_TREE_OF(tree_new, fn, 60)

static int
ro_dir(const char *root)
{
	cap_rights_t r;
	int fd;

	SKIP_UNDER_VALGRIND();
	fd = open(root, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(cap_rights_limit(fd, cap_rights_init(&r, CAP_LOOKUP, CAP_READ,
	    CAP_FSTAT, CAP_SEEK)) == 0);
	return (fd);
}

/* Hostile arguments to the broker's own calls: errors, and the broker
 * keeps working. */
static void
hostile_calls(void *arg)
{
	struct sockaddr_un sun;
	struct stat st;
	char *big;
	int dir, plain, p[2], s;

	dir = ro_dir(arg);
	plain = open(arg, O_RDONLY | O_DIRECTORY);
	CHECK(plain >= 0 && pipe(p) == 0);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0);
	big = malloc(3 * 4096);
	CHECK(big != NULL);
	memset(big, 'a', 3 * 4096);
	capmode_enter();
	/* A path with no end, one that is not mapped, one that ends at
	 * the edge of the mapping. */
	CHECK_ERR(raw(SYS_openat, dir, big, O_RDONLY), ENAMETOOLONG);
	CHECK_ERR(raw(SYS_newfstatat, plain, big, &st, 0), ENAMETOOLONG);
	CHECK_ERR(raw(SYS_openat, dir, (char *)16, O_RDONLY), EFAULT);
	CHECK_ERR(raw(SYS_openat, dir, (char *)-4096L, O_RDONLY), EFAULT);
	big[3 * 4096 - 1] = '\0';
	CHECK_ERR(raw(SYS_openat, dir, big + 2 * 4096, O_RDONLY),
	    ENAMETOOLONG);
	/* Results into memory that is not there. */
	CHECK_ERR(raw(SYS_newfstatat, plain, "f", (void *)16, 0), EFAULT);
	CHECK_ERR(raw(SYS_readlinkat, plain, "f", (void *)16, 100), EINVAL);
	/* Wrong descriptors. */
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_newfstatat, -5, "f", &st, 0),
	    EBADF);
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_newfstatat, 100000, "f", &st,
	    0), EBADF);
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_newfstatat, p[0], "f", &st, 0),
	    ENOTDIR);
	CHECK_ERR(raw(SYS_openat, p[0], "f", O_RDONLY), ENOTDIR);
	/* Socket names of every wrong size. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	CHECK_ERR(raw(CAPSICUM_BINDAT_NR, plain, s, &sun, 0), EINVAL);
	CHECK_ERR(raw(CAPSICUM_BINDAT_NR, plain, s, &sun, 1 << 30), EINVAL);
	CHECK_ERR(raw(CAPSICUM_BINDAT_NR, plain, s, &sun, sizeof(sun)),
	    EINVAL);
	CHECK_ERR(raw(CAPSICUM_CONNECTAT_NR, plain, p[0], &sun, 3), EINVAL);
	/* Unknown original calls. */
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, -1L, plain, "f", 0, 0), ENOSYS);
	CHECK_ERR(raw(CAPSICUM_BROKER_NR, SYS_execve, plain, "f", 0, 0),
	    ENOSYS);
	/* Still answering. */
	CHECK_OK(raw(SYS_openat, dir, "f", O_RDONLY));
	CHECK_OK(raw(SYS_newfstatat, plain, "sub", &st, 0));
}

Test(escape, hostile_broker_calls)
{
	IN_TREE(hostile_calls);
}

/* Every way to write through a descriptor opened read-only through a
 * read-only directory. */
static void
write_through_derived(void *arg)
{
	char self[64];
	int dir, fd, p[2], other;
	loff_t off = 0;

	dir = ro_dir(arg);
	CHECK(pipe(p) == 0);
	capmode_enter();
	fd = (int)raw(SYS_openat, dir, "f", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(raw(SYS_write, p[1], "xyz", 3) == 3);
	CHECK_ERR(raw(SYS_sendfile, fd, p[0], NULL, 1), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_copy_file_range, p[0], NULL, fd, &off, 1, 0),
	    ENOTCAPABLE);
	CHECK_ERR(raw(SYS_splice, p[0], NULL, fd, &off, 1, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_pwritev, fd, NULL, 0, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_ftruncate, fd, 0), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_fallocate, fd, 0, 0, 10), ENOTCAPABLE);
	CHECK((long)raw(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0) == -ENOTCAPABLE);
	/* fcntl: no CAP_FCNTL, so the open file's flags stay. */
	CHECK_ERR(raw(SYS_fcntl, fd, F_SETFL, O_APPEND), ENOTCAPABLE);
	/* Copies keep the rights; numbers outside the band are refused. */
	CHECK_ERR(raw(SYS_dup2, fd, 200), ENOTCAPABLE);
	CHECK_ERR(raw(SYS_dup3, fd, 200, 0), ENOTCAPABLE);
	other = (int)raw(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);
	CHECK(other >= 0);
	CHECK_ERR(raw(SYS_write, other, "x", 1), ENOTCAPABLE);
	/* Reopening it by a magic link. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, self, O_RDWR), ECAPMODE);
	CHECK_ERR(raw(SYS_openat, dir, self, O_RDONLY), ENOTCAPABLE);
	/* Executing it. */
	CHECK_ERR(raw(SYS_execveat, fd, "", NULL, NULL, AT_EMPTY_PATH),
	    ENOTCAPABLE);
	/* Reading still works, through every call that reads. */
	CHECK(raw(SYS_sendfile, p[1], fd, NULL, 5) == 5);
}

Test(escape, write_through_a_derived_descriptor)
{
	IN_TREE(write_through_derived);
}

/*
 * Threads racing to swap the directory number under a brokered openat: an
 * unlimited directory put onto the limited number takes the number's
 * limits (rights follow numbers here), so no open ever gets more than
 * read, whichever file the broker finds there.
 */
struct race {
	int		dir;
	int		rw;
	int		ro2;
	atomic_bool	stop;
	int		wins;
};

static void *
swapper(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		/* Allowed, but the number keeps its limits: what lands
		 * there is as limited as what was there. */
		(void)raw(SYS_dup2, r->rw, r->dir);
		(void)raw(SYS_dup3, r->rw, r->dir, 0);
		(void)raw(SYS_dup3, r->ro2, r->dir, 0);
	}
	return (NULL);
}

static void
swap_race(void *arg)
{
	struct race r;
	pthread_t t;
	int i, fd;

	r.dir = ro_dir(arg);
	r.rw = open(arg, O_RDONLY | O_DIRECTORY);
	r.ro2 = (int)raw(SYS_dup, r.dir);
	CHECK(r.rw >= 0 && r.ro2 >= 0);
	atomic_store(&r.stop, false);
	r.wins = 0;
	capmode_enter();
	CHECK(pthread_create(&t, NULL, swapper, &r) == 0);
	for (i = 0; i < 2000; i++) {
		fd = (int)raw(SYS_openat, r.dir, "f", O_RDWR);
		CHECK(fd == -ENOTCAPABLE);
		fd = (int)raw(SYS_openat, r.dir, "f", O_RDONLY);
		CHECK(fd >= 0);
		CHECK_ERR(raw(SYS_write, fd, "x", 1), ENOTCAPABLE);
		CHECK_ERR(raw(SYS_ftruncate, fd, 0), ENOTCAPABLE);
		r.wins++;
		raw(SYS_close, fd);
	}
	atomic_store(&r.stop, true);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(r.wins > 0);
	CHECK_ERR(raw(SYS_mkdirat, r.dir, "new", 0700), ENOTCAPABLE);
}

Test(escape, racing_to_swap_the_directory)
{
	IN_TREE(swap_race);
}
