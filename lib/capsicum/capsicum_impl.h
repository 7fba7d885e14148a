/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libcapsicum internals shared between its source files.  Never installed.
 * Internal symbols carry the capsicum_ prefix and hidden visibility.
 */
#ifndef CAPSICUM_IMPL_H
#define	CAPSICUM_IMPL_H

#include <stdbool.h>
#include <sys/capsicum.h>


bool	capsicum_rights_equal(const cap_rights_t *a, const cap_rights_t *b);

#endif /* !CAPSICUM_IMPL_H */
