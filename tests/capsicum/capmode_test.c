/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capability mode, enforced by the kernel: every global namespace is
 * refused with ECAPMODE when reached through raw system calls, and
 * ordinary programs keep working.  Each test runs in a forked child.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/sched.h>

#include <sys/capsicum.h>

#include "harness.h"

static void
enter(void)
{

	capmode_enter();
}

/* ---------------------------------------------------------------------
 * Mode bookkeeping.
 */
static void
mode_is_one_and_irreversible(void *arg)
{
	unsigned int mode = 7;

	CHECK(cap_getmode(&mode) == 0 && mode == 0);
	CHECK(!cap_sandboxed());
	enter();
	CHECK(cap_getmode(&mode) == 0 && mode == 1);
	CHECK(cap_sandboxed());
	capmode_enter();	/* again: a no-op */
	CHECK(cap_getmode(&mode) == 0 && mode == 1);
	CHECK_LIBC_ERR(cap_getmode(NULL), EFAULT);
}

Test(cap_enter, mode_is_one_and_irreversible)
{
	SANDBOXED(mode_is_one_and_irreversible, NULL);
}

static void
reports_layers(void *arg)
{
	struct cap_enforcement ce;

	SKIP_UNDER_VALGRIND();
	CHECK(cap_enforcement(&ce) == 0 && ce.ce_mode == 0);
	CHECK(ce.ce_landlock_abi >= 1);
	enter();
	CHECK(cap_enforcement(&ce) == 0 && ce.ce_mode == 1);
	/* This kernel (6.18, Landlock ABI 7) supports every layer; the
	 * broker is only started for limited directories (broker_test). */
	CHECK(ce.ce_active == (CAP_LAYERS_ALL & ~CAP_LAYER_BROKER));
	CHECK(ce.ce_missing == 0);
	/* Nothing limited: M and R went in as one filter (bpfmerge.c). */
	CHECK(ce.ce_filters == 1 && ce.ce_filter_insns > 0);
	CHECK_LIBC_ERR(cap_enforcement(NULL), EFAULT);
	CHECK(strcmp(cap_layer_name(CAP_LAYER_SECCOMP), "seccomp") == 0);
	CHECK(cap_layer_name(0x8000) == NULL);
}

Test(cap_enforcement, reports_every_layer_on_this_kernel)
{
	SANDBOXED(reports_layers, NULL);
}

/* ---------------------------------------------------------------------
 * The file system namespace.
 */
static void
paths_refused(void *arg)
{
	struct stat st;
	char buf[64];

	enter();
	CHECK_ERR(raw(SYS_open, "/etc/passwd", O_RDONLY), ECAPMODE);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY), ECAPMODE);
	CHECK_ERR(raw(SYS_openat, AT_FDCWD, "x", O_RDONLY), ECAPMODE);
	/* High bits do not hide AT_FDCWD: the kernel truncates to int. */
	CHECK_ERR(raw(SYS_openat, 0x00000000FFFFFF9CULL, "x", O_RDONLY),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_openat, 0x12345678FFFFFF9CULL, "x", O_RDONLY),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_creat, "/tmp/x", 0600), ECAPMODE);
	CHECK_ERR(raw(SYS_stat, "/", &st), ECAPMODE);
	CHECK_ERR(raw(SYS_lstat, "/", &st), ECAPMODE);
	CHECK_ERR(raw(SYS_newfstatat, AT_FDCWD, "/", &st, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_newfstatat, AT_FDCWD, NULL, &st, AT_EMPTY_PATH),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_statx, AT_FDCWD, "/", 0, 0xfff, buf), ECAPMODE);
	CHECK_ERR(raw(SYS_access, "/", 0), ECAPMODE);
	CHECK_ERR(raw(SYS_faccessat, AT_FDCWD, "/", 0), ECAPMODE);
	CHECK_ERR(raw(SYS_chdir, "/"), ECAPMODE);
	CHECK_ERR(raw(SYS_fchdir, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_getcwd, buf, sizeof(buf)), ECAPMODE);
	CHECK_ERR(raw(SYS_readlink, "/proc/self/exe", buf, sizeof(buf)),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_mkdir, "/tmp/capsicum-x", 0700), ECAPMODE);
	CHECK_ERR(raw(SYS_mkdirat, AT_FDCWD, "x", 0700), ECAPMODE);
	CHECK_ERR(raw(SYS_unlink, "/tmp/x"), ECAPMODE);
	CHECK_ERR(raw(SYS_unlinkat, AT_FDCWD, "x", 0), ECAPMODE);
	CHECK_ERR(raw(SYS_rename, "/tmp/a", "/tmp/b"), ECAPMODE);
	CHECK_ERR(raw(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", 0),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_chmod, "/tmp", 0777), ECAPMODE);
	CHECK_ERR(raw(SYS_fchmodat, AT_FDCWD, "x", 0777), ECAPMODE);
	CHECK_ERR(raw(SYS_fchownat, AT_FDCWD, "x", 0, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_truncate, "/tmp/x", 0), ECAPMODE);
	CHECK_ERR(raw(SYS_utimensat, AT_FDCWD, "x", NULL, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_symlink, "a", "/tmp/b"), ECAPMODE);
	CHECK_ERR(raw(SYS_mknod, "/tmp/f", S_IFIFO | 0600, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_getxattr, "/", "user.x", buf, sizeof(buf)),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_execve, "/bin/true", NULL, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_execveat, AT_FDCWD, "/bin/true", NULL, NULL, 0),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_chroot, "/"), ECAPMODE);
	CHECK_ERR(raw(SYS_statfs, "/", buf), ECAPMODE);
	CHECK_ERR(raw(SYS_inotify_add_watch, 0, "/", 0xfff), ECAPMODE);
	CHECK_ERR(raw(SYS_name_to_handle_at, AT_FDCWD, "/", buf, buf, 0),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_open_by_handle_at, 0, buf, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_umount2, "/tmp", 0), ECAPMODE);
	CHECK_ERR(raw(SYS_pivot_root, "/", "/"), ECAPMODE);
	CHECK_ERR(raw(SYS_fsopen, "tmpfs", 0), ECAPMODE);
	CHECK_ERR(raw(SYS_open_tree, AT_FDCWD, "/", 0), ECAPMODE);
	CHECK_ERR(raw(SYS_acct, NULL), ECAPMODE);
	/* openat2 and clone3 hide their flags behind pointers: ENOSYS so
	 * that callers fall back to openat and clone. */
	CHECK_ERR(raw(SYS_openat2, 0, "x", buf, 24), ENOSYS);
	CHECK_ERR(raw(SYS_clone3, buf, 88), ENOSYS);
}

Test(capmode, paths_refused)
{
	SANDBOXED(paths_refused, NULL);
}

/* ---------------------------------------------------------------------
 * Processes, IPC, kernel facilities.
 */
static void
processes_refused(void *arg)
{
	struct iovec iov = { 0 };
	char buf[128];

	enter();
	CHECK_ERR(raw(SYS_kill, getppid(), 0), ECAPMODE);
	CHECK_ERR(raw(SYS_kill, 1, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_kill, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_kill, -1, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_kill, (getppid() | (1ULL << 32)), 0), ECAPMODE);
	CHECK_ERR(raw(SYS_tgkill, getppid(), getppid(), 0), ECAPMODE);
	CHECK_ERR(raw(SYS_tkill, getppid(), 0), ECAPMODE);
	CHECK_ERR(raw(SYS_rt_sigqueueinfo, getppid(), 0, buf), ECAPMODE);
	CHECK_ERR(raw(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_process_vm_readv, getppid(), &iov, 1, &iov, 1, 0),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_pidfd_open, getppid(), 0), ECAPMODE);
	CHECK_ERR(raw(SYS_pidfd_getfd, 0, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_wait4, -1, NULL, 0, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_waitid, P_ALL, 0, NULL, WEXITED, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_setpgid, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_setns, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_unshare, CLONE_NEWUSER), ECAPMODE);
	CHECK_ERR(raw(SYS_unshare, CLONE_NEWNET), ECAPMODE);
	CHECK_ERR(raw(SYS_unshare, CLONE_NEWNS), ECAPMODE);
	CHECK_ERR(raw(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_kcmp, getpid(), getppid(), 0, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_bpf, 0, buf, sizeof(buf)), ECAPMODE);
	CHECK_ERR(raw(SYS_perf_event_open, buf, 0, -1, -1, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_keyctl, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_add_key, "user", "x", "y", 1, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_io_uring_setup, 8, buf), ECAPMODE);
	CHECK_ERR(raw(SYS_io_setup, 8, buf), ECAPMODE);
	CHECK_ERR(raw(SYS_shmget, 0 /* IPC_PRIVATE */, 4096, 0600), ECAPMODE);
	CHECK_ERR(raw(SYS_shmget, 1234, 4096, 0600), ECAPMODE);
	CHECK_ERR(raw(SYS_semget, 1234, 1, 0600), ECAPMODE);
	CHECK_ERR(raw(SYS_msgget, 1234, 0600), ECAPMODE);
	CHECK_ERR(raw(SYS_mq_open, "/q", O_RDONLY, 0600, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_init_module, buf, 0, ""), ECAPMODE);
	CHECK_ERR(raw(SYS_reboot, 0, 0, 0, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_settimeofday, NULL, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_sethostname, "x", 1), ECAPMODE);
	CHECK_ERR(raw(SYS_userfaultfd, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_personality, 0xffffffff), ECAPMODE);
	CHECK_ERR(raw(SYS_syslog, 3, buf, sizeof(buf)), ECAPMODE);
	CHECK_ERR(raw(SYS_prctl, 35 /* PR_SET_MM */, 0, 0, 0, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_prctl, 0x59616d61 /* PR_SET_PTRACER */, 0, 0, 0, 0),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_sched_setaffinity, getppid(), 8, buf), ECAPMODE);
	CHECK_ERR(raw(SYS_prlimit64, getppid(), 7, NULL, buf), ECAPMODE);
	CHECK_ERR(raw(SYS_setpriority, 0, getppid(), 0), ECAPMODE);
	CHECK_ERR(raw(SYS_setgroups, 0, NULL), ECAPMODE);
	CHECK_ERR(raw(SYS_fcntl, 0, 1028 + 100 /* unknown */, 0), ECAPMODE);
}

Test(capmode, processes_and_kernel_facilities_refused)
{
	SANDBOXED(processes_refused, NULL);
}

static void
network_refused(void *arg)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int sv[2], s;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.sin_port = htons(9);
	strcpy(un.sun_path, "/tmp/capsicum-nothing");
	enter();
	s = (int)raw(SYS_socket, AF_INET, SOCK_STREAM, 0);
	CHECK(s >= 0);
	CHECK_ERR(raw(SYS_connect, s, &in, sizeof(in)), ECAPMODE);
	CHECK_ERR(raw(SYS_bind, s, &in, sizeof(in)), ECAPMODE);
	CHECK_ERR(raw(SYS_sendto, s, "x", 1, 0, &in, sizeof(in)), ECAPMODE);
	CHECK_ERR(raw(SYS_sendto, sv[0], "x", 1, 0, &un, sizeof(un)),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_sendto, s, "x", 1, MSG_FASTOPEN, NULL, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_connect, sv[0], &un, sizeof(un)), ECAPMODE);
	CHECK_ERR(raw(SYS_bind, sv[0], &un, sizeof(un)), ECAPMODE);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_DGRAM, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP), ECAPMODE);
	CHECK_ERR(raw(SYS_socket, AF_INET, SOCK_STREAM, 262 /* MPTCP */),
	    ECAPMODE);
	CHECK_ERR(raw(SYS_socket, AF_INET6, SOCK_DGRAM, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_socket, AF_NETLINK, SOCK_RAW, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_socket, AF_PACKET, SOCK_RAW, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_socket, AF_UNIX, SOCK_DGRAM, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv), ECAPMODE);
	CHECK_ERR(raw(SYS_socketpair, AF_INET, SOCK_STREAM, 0, sv), ECAPMODE);
	/* Sockets that ignore a destination address are fine. */
	CHECK_OK(raw(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CHECK_OK(raw(SYS_socket, AF_UNIX, SOCK_SEQPACKET, 0));
	CHECK_OK(raw(SYS_socket, AF_INET6, SOCK_STREAM, IPPROTO_TCP));
	CHECK_OK(raw(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv));
}

Test(capmode, network_refused)
{
	SANDBOXED(network_refused, NULL);
}

/* x32 and ia32 entry points are not another way in. */
static void
foreign_entry_points(void *arg)
{

	enter();
	/* x32: the syscall instruction with bit 30 set. */
	CHECK_ERR(raw(0x40000000 | SYS_getpid), ECAPMODE);
	CHECK_ERR(raw(0x40000000 | SYS_openat, AT_FDCWD, "/", 0), ECAPMODE);
	/* ia32: int $0x80, getpid is 20 and open is 5 there. */
	CHECK_ERR(raw_ia32(20, 0, 0, 0), ECAPMODE);
	CHECK_ERR(raw_ia32(5, 0, 0, 0), ECAPMODE);
}

Test(capmode, x32_and_ia32_refused)
{
	SANDBOXED(foreign_entry_points, NULL);
}

static void
tiocsti_refused(void *arg)
{
	int m, s;
	char c = 'x';

	m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	CHECK(s >= 0);
	enter();
	CHECK_ERR(raw(SYS_ioctl, s, TIOCSTI, &c), ECAPMODE);
	CHECK_ERR(raw(SYS_ioctl, m, TIOCSTI, &c), ECAPMODE);
	CHECK_ERR(raw(SYS_ioctl, s, TIOCSTI | (1ULL << 40), &c), ECAPMODE);
	CHECK_ERR(raw(SYS_ioctl, s, TIOCSCTTY, 0), ECAPMODE);
	CHECK_ERR(raw(SYS_ioctl, s, TIOCCONS, 0), ECAPMODE);
	/* Ordinary terminal ioctls still work. */
	struct winsize ws;
	CHECK_OK(raw(SYS_ioctl, s, TIOCGWINSZ, &ws));
}

Test(capmode, tiocsti_refused_on_any_terminal)
{
	SANDBOXED(tiocsti_refused, NULL);
}

/* ---------------------------------------------------------------------
 * What still works.
 */
static void *
thread_main(void *arg)
{
	int *p = arg;

	*p = 42;
	return (NULL);
}

static void
ordinary_programs_work(void *arg)
{
	struct timespec ts;
	pthread_t t;
	char *big, buf[16];
	int v = 0, p[2], sv[2], r;
	pid_t pid;

	enter();
	big = malloc(64 << 20);
	CHECK(big != NULL);
	memset(big, 0x5a, 64 << 20);
	CHECK(big[(64 << 20) - 1] == 0x5a);
	free(big);
	CHECK(pthread_create(&t, NULL, thread_main, &v) == 0);
	CHECK(pthread_join(t, NULL) == 0 && v == 42);
	CHECK(pipe(p) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		(void)write(p[1], "child", 5);
		_exit(0);
	}
	CHECK(read(p[0], buf, 5) == 5 && memcmp(buf, "child", 5) == 0);
	CHECK(write(sv[0], "ping", 4) == 4 && read(sv[1], buf, 4) == 4);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	CHECK(nanosleep(&ts, NULL) == 0);
	CHECK(getrandom(buf, sizeof(buf), 0) == sizeof(buf));
	CHECK(getpid() > 0 && getppid() > 0);
	r = dprintf(p[1], "%s %d\n", "formatted", 7);
	CHECK(r == 12);
	CHECK(raw(SYS_kill, getpid(), 0) == 0);
	CHECK(raise(0) == 0);
	CHECK(sched_yield() == 0);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
	CHECK(memfd_create("x", MFD_CLOEXEC) >= 0);
	(void)umask(022);
}

Test(capmode, ordinary_programs_work)
{
	SANDBOXED(ordinary_programs_work, NULL);
}

/* A process forked in capability mode may signal itself (its pid is
 * not the one the filter was built with). */
static void
forked_child_signals_itself(void *arg)
{
	pid_t pid;
	int st;

	enter();
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (raw(SYS_kill, getpid(), 0) != 0)
			_exit(1);
		if (raw(SYS_kill, getppid(), 0) != -ECAPMODE &&
		    getppid() != getpid())
			_exit(2);
		signal(SIGUSR1, SIG_IGN);
		if (raise(SIGUSR1) != 0)
			_exit(3);
		_exit(0);
	}
	/* No wait4 in capability mode: poll the child through its exit. */
	for (int i = 0; i < 200; i++) {
		if (raw(SYS_kill, pid, 0) == -ECAPMODE)
			break;
	}
	(void)st;
	sleep(1);
}

Test(capmode, forked_child_signals_itself)
{
	SANDBOXED(forked_child_signals_itself, NULL);
}

static void
child_inherits(void *arg)
{
	int p[2];
	long r;
	pid_t pid;

	CHECK(pipe(p) == 0);
	enter();
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		unsigned int mode = 0;

		r = raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
		cap_getmode(&mode);
		(void)write(p[1], &r, sizeof(r));
		(void)write(p[1], &mode, sizeof(mode));
		_exit(0);
	}
	unsigned int mode;
	CHECK(read(p[0], &r, sizeof(r)) == sizeof(r));
	CHECK(read(p[0], &mode, sizeof(mode)) == sizeof(mode));
	CHECK(r == -ECAPMODE && mode == 1);
}

Test(capmode, children_are_confined)
{
	SANDBOXED(child_inherits, NULL);
}

/* Threads that existed before cap_enter are confined too, by seccomp
 * (TSYNC) and by Landlock (each thread restricts itself on a signal). */
static int thread_dir = -1;
static volatile int thread_go, thread_done;
static long thread_res[3];

static void *
early_thread(void *arg)
{

	while (!thread_go)
		sched_yield();
	thread_res[0] = raw(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	thread_res[1] = raw(SYS_openat, thread_dir, "../../etc/passwd",
	    O_RDONLY);
	thread_res[2] = raw(SYS_open, "/etc/passwd", O_RDONLY);
	thread_done = 1;
	return (NULL);
}

static void
threads_before_cap_enter(void *arg)
{
	pthread_t t[3];
	int i;

	thread_dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(thread_dir >= 0);
	for (i = 0; i < 3; i++)
		CHECK(pthread_create(&t[i], NULL, early_thread, NULL) == 0);
	enter();
	struct cap_enforcement ce;
	CHECK(cap_enforcement(&ce) == 0);
	CHECK((ce.ce_active & CAP_LAYER_ALL_THREADS) != 0);
	thread_go = 1;
	for (i = 0; i < 3; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(thread_done);
	CHECK(thread_res[0] == -ECAPMODE);
	CHECK(thread_res[1] == -EACCES);	/* Landlock */
	CHECK(thread_res[2] == -ECAPMODE);
}

Test(capmode, threads_created_before_are_confined)
{
	SANDBOXED(threads_before_cap_enter, NULL);
}

/* A thread that blocks every signal cannot be reached by Landlock's
 * per-thread restriction on this kernel: cap_enter says so, and strict
 * mode refuses. */
static volatile int blocker_stop;

static void *
blocker(void *arg)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!blocker_stop)
		usleep(1000);
	return (NULL);
}

static void
unreachable_thread_reported(void *arg)
{
	struct cap_enforcement ce;
	pthread_t t;

	SKIP_UNDER_VALGRIND();
	CHECK(pthread_create(&t, NULL, blocker, NULL) == 0);
	usleep(10000);
	setenv("CAPSICUM_QUIET", "1", 1);
	enter();
	CHECK(cap_enforcement(&ce) == 0 && ce.ce_mode == 1);
	CHECK((ce.ce_missing & CAP_LAYER_ALL_THREADS) != 0);
	CHECK((ce.ce_active & CAP_LAYER_SECCOMP) != 0);
}

Test(cap_enforcement, unreachable_thread_is_reported, .timeout = 30)
{
	SANDBOXED(unreachable_thread_reported, NULL);
}

static void
strict_refuses_unreachable_thread(void *arg)
{
	pthread_t t;

	SKIP_UNDER_VALGRIND();
	CHECK(pthread_create(&t, NULL, blocker, NULL) == 0);
	usleep(10000);
	CHECK(cap_set_strict(true) == 0);
	CHECK_LIBC_ERR(cap_enter(), EBUSY);
}

Test(cap_set_strict, refuses_a_partial_landlock, .timeout = 30)
{
	SANDBOXED(strict_refuses_unreachable_thread, NULL);
}

static void
strict_from_environment(void *arg)
{
	pthread_t t;

	SKIP_UNDER_VALGRIND();
	CHECK(pthread_create(&t, NULL, blocker, NULL) == 0);
	usleep(10000);
	setenv("CAPSICUM_STRICT", "1", 1);
	CHECK_LIBC_ERR(cap_enter(), EBUSY);
}

Test(cap_set_strict, environment_variable, .timeout = 30)
{
	SANDBOXED(strict_from_environment, NULL);
}

static void
strict_in_capmode(void *arg)
{

	CHECK(cap_set_strict(true) == 0);
	CHECK(cap_set_strict(false) == 0);
	enter();
	CHECK_LIBC_ERR(cap_set_strict(true), ECAPMODE);
}

Test(cap_set_strict, not_after_cap_enter)
{
	SANDBOXED(strict_in_capmode, NULL);
}
