/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * shm_open(SHM_ANON): anonymous shared memory, in and out of capability
 * mode, as on FreeBSD; named objects are refused in capability mode.
 */
#include <sys/mman.h>

#include <sys/capsicum.h>

#include "harness.h"

static void
anon(void *arg)
{
	struct stat st;
	char *p;
	int fd;

	(void)arg;
	capmode_enter();
	fd = shm_open(SHM_ANON, O_RDWR, 0600);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(ftruncate(fd, 8192) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 8192);
	CHECK((st.st_mode & 0777) == 0600);
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	p[4096] = 'x';
	CHECK(pread(fd, &p[0], 1, 4096) == 1 && p[0] == 'x');
	/* Two calls, two objects. */
	CHECK(shm_open(SHM_ANON, O_RDWR, 0600) != fd);
	CHECK_LIBC_ERR(shm_open(SHM_ANON, O_RDONLY, 0600), EINVAL);
	CHECK_LIBC_ERR(shm_open(SHM_ANON, O_WRONLY, 0600), EINVAL);
	/* Named objects live in a global namespace. */
	CHECK_LIBC_ERR(shm_open("/capsicum-test", O_RDWR | O_CREAT, 0600),
	    ECAPMODE);
}

Test(shm_open, anonymous_in_capability_mode)
{
	SANDBOXED(anon, NULL);
}

Test(shm_open, named_outside_capability_mode)
{
	char name[64];
	int fd, fd2;

	snprintf(name, sizeof(name), "/capsicum-test-%d", (int)getpid());
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert(fd >= 0, "shm_open: %s", strerror(errno));
	cr_assert(write(fd, "abc", 3) == 3);
	fd2 = shm_open(name + 1, O_RDONLY, 0);
	cr_assert(fd2 >= 0);
	cr_assert(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600) == -1 &&
	    errno == EEXIST);
	cr_assert(shm_unlink(name) == 0);
	cr_assert(shm_open(name, O_RDONLY, 0) == -1 && errno == ENOENT);
	cr_assert(shm_open("a/b", O_RDONLY, 0) == -1 && errno == EINVAL);
	cr_assert(shm_open("/", O_RDONLY, 0) == -1 && errno == EINVAL);
	cr_assert(shm_open("..", O_RDONLY, 0) == -1 && errno == EINVAL);
	close(fd);
	close(fd2);
}
