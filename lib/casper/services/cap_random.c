/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * system.random: random bytes for programs written before getrandom(2)
 * worked in capability mode.  The service runs in capability mode itself
 * (getrandom needs nothing else) and answers "generate" with up to
 * RANDOM_CHUNK bytes; the client splits larger requests.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <libcasper.h>
#include <libcasper_service.h>
#include <casper/cap_random.h>

/* Bytes per round trip: large enough to amortise, small enough to bound
 * what a hostile request makes the service allocate. */
#define	RANDOM_CHUNK	(64 * 1024)

int
cap_random_buf(cap_channel_t *chan, void *buf, size_t nbytes)
{
	nvlist_t *nvl;
	const void *data;
	unsigned char *p;
	size_t n, got;

	p = buf;
	while (nbytes > 0) {
		n = nbytes < RANDOM_CHUNK ? nbytes : RANDOM_CHUNK;
		if ((nvl = nvlist_create(0)) == NULL)
			return (-1);
		nvlist_add_string(nvl, "cmd", "generate");
		nvlist_add_number(nvl, "size", (uint64_t)n);
		if ((nvl = cap_xfer_nvlist(chan, nvl)) == NULL)
			return (-1);
		if (!nvlist_exists_number(nvl, "error")) {
			nvlist_destroy(nvl);
			errno = EPROTO;
			return (-1);
		}
		if (nvlist_get_number(nvl, "error") != 0) {
			errno = (int)nvlist_get_number(nvl, "error");
			nvlist_destroy(nvl);
			return (-1);
		}
		if (!nvlist_exists_binary(nvl, "data") ||
		    (data = nvlist_get_binary(nvl, "data", &got), got != n)) {
			nvlist_destroy(nvl);
			errno = EPROTO;
			return (-1);
		}
		memcpy(p, data, n);
		nvlist_destroy(nvl);
		p += n;
		nbytes -= n;
	}
	return (0);
}

static int
random_command(const char *cmd, const nvlist_t *limits, nvlist_t *nvlin,
    nvlist_t *nvlout)
{
	unsigned char buf[RANDOM_CHUNK];
	uint64_t size;
	size_t off;
	ssize_t n;

	(void)limits;
	if (strcmp(cmd, "generate") != 0)
		return (EINVAL);
	if (!nvlist_exists_number(nvlin, "size"))
		return (EINVAL);
	size = nvlist_get_number(nvlin, "size");
	if (size == 0 || size > RANDOM_CHUNK)
		return (EINVAL);
	for (off = 0; off < size; off += (size_t)n) {
		n = getrandom(buf + off, size - off, 0);
		if (n < 0) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			return (errno);
		}
	}
	nvlist_add_binary(nvlout, "data", buf, size);
	explicit_bzero(buf, size);
	return (0);
}

CREATE_SERVICE("system.random", NULL, random_command, 0);
