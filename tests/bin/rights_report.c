/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper, run through exec: report what libcapsicum believes about
 * the descriptors named on the command line, and the capability mode.
 * Built static (a program exec'd in capability mode cannot open shared
 * libraries by path).
 */
#include <stdio.h>
#include <stdlib.h>

#include <sys/capsicum.h>

int
main(int argc, char **argv)
{
	cap_rights_t r;
	uint32_t fcntls;
	unsigned int mode;
	int i, fd;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == 'm') {
			if (cap_getmode(&mode) != 0)
				return (2);
			printf("mode %u\n", mode);
			continue;
		}
		fd = atoi(argv[i]);
		if (cap_rights_get(fd, &r) != 0 ||
		    cap_fcntls_get(fd, &fcntls) != 0) {
			printf("fd %d: error\n", fd);
			continue;
		}
		printf("fd %d: 0x%016llx 0x%016llx fcntls 0x%x ioctls %zd\n",
		    fd, (unsigned long long)r.cr_rights[0],
		    (unsigned long long)r.cr_rights[1], fcntls,
		    cap_ioctls_get(fd, NULL, 0));
	}
	fflush(stdout);
	return (0);
}
