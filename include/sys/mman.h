/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system's <sys/mman.h> plus FreeBSD's SHM_ANON.
 *
 * shm_open(SHM_ANON, O_RDWR, mode) creates anonymous shared memory, also
 * in capability mode, as on FreeBSD; libcapsicum provides the shm_open
 * that understands it (memfd_create underneath).
 */
#ifndef _CAPSICUM_SYS_MMAN_H_
#define	_CAPSICUM_SYS_MMAN_H_

#include_next <sys/mman.h>

#ifndef SHM_ANON
#define	SHM_ANON	((char *)1)
#endif

#endif /* !_CAPSICUM_SYS_MMAN_H_ */
