/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the decoder of libcapsicum's exec state file.  A
 * sandboxed program can write anything into that file before it execs,
 * so the decoder treats every byte as hostile.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capsicum.h>

#include "capsicum/fdtable.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A valid file: one profile with two ioctls, one band, two entries. */
static size_t
seed(unsigned char *buf)
{
	struct state_hdr h;
	struct state_prof p;
	struct state_band b;
	struct state_ent e;
	uint64_t ioctls[2] = { 0x5401, 0x5413 };
	cap_rights_t r;
	size_t n;

	memset(&h, 0, sizeof(h));
	h.sh_magic = 0x32544143u;
	h.sh_mode = 1;
	h.sh_ph = 201;
	h.sh_scratch = 202;
	h.sh_nprof = 1;
	h.sh_nent = 2;
	h.sh_nbands = 1;
	h.sh_active = CAP_LAYERS_ALL;
	h.sh_band_next = 272;
	n = sizeof(h);
	cap_rights_init(&r, CAP_READ, CAP_IOCTL);
	p.sp_rights[0] = r.cr_rights[0];
	p.sp_rights[1] = r.cr_rights[1];
	p.sp_fcntls = 0;
	p.sp_nioctls = 2;
	memcpy(buf + n, &p, sizeof(p));
	n += sizeof(p);
	memcpy(buf + n, ioctls, sizeof(ioctls));
	n += sizeof(ioctls);
	b = (struct state_band){ 256, 0, 1, 4 };
	memcpy(buf + n, &b, sizeof(b));
	n += sizeof(b);
	e = (struct state_ent){ 0, 0, 0, 0, 0, 0 };
	memcpy(buf + n, &e, sizeof(e));
	n += sizeof(e);
	e = (struct state_ent){ 201, -1, 0, -1, 0, 0 };
	memcpy(buf + n, &e, sizeof(e));
	n += sizeof(e);
	h.sh_size = (uint32_t)n;
	memcpy(buf, &h, sizeof(h));
	return (n);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct capsicum_state st;
	unsigned char buf[512];
	const char *dir;
	char path[4096];
	size_t n;
	FILE *f;

	n = seed(buf);
	/* The seed must decode, or the harness tests nothing. */
	if (capsicum_state_decode(buf, n, &st) != 0)
		abort();
	capsicum_state_free(&st);
	if ((dir = getenv("NV_FUZZ_SEED_DIR")) == NULL)
		return (0);
	snprintf(path, sizeof(path), "%s/seed-valid", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(buf, 1, n, f);
		fclose(f);
	}
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capsicum_state st;
	unsigned int i;

	if (capsicum_state_decode(data, size, &st) != 0)
		return (0);
	/* Whatever decoded must be within the limits it promises. */
	for (i = 0; i < st.nent; i++) {
		if (st.ent[i].se_prof >= (int32_t)st.nprof ||
		    st.ent[i].se_band >= (int32_t)st.nband)
			abort();
	}
	for (i = 0; i < st.nprof; i++) {
		if (!cap_rights_is_valid(&st.prof[i].rights) ||
		    st.prof[i].nioctls > CAP_IOCTLS_MAX)
			abort();
	}
	capsicum_state_free(&st);
	return (0);
}
