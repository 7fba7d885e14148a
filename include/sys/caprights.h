/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the capability rights type.
 *
 * The layout is FreeBSD's, word for word, so rights values can cross
 * between the systems (for example inside an nvlist).  Two 64-bit words;
 * the top two bits of word 0 hold the version (0), bits 57..61 of each
 * word hold a one-hot index of the word, the low 57 bits hold rights.
 */
#ifndef _SYS_CAPRIGHTS_H_
#define	_SYS_CAPRIGHTS_H_

#include <stdint.h>

#define	CAP_RIGHTS_VERSION_00	0
#define	CAP_RIGHTS_VERSION	CAP_RIGHTS_VERSION_00

#ifndef _CAP_RIGHTS_T_DECLARED
#define	_CAP_RIGHTS_T_DECLARED
struct cap_rights {
	uint64_t	cr_rights[CAP_RIGHTS_VERSION + 2];
};
typedef struct cap_rights	cap_rights_t;
#endif

#endif /* !_SYS_CAPRIGHTS_H_ */
