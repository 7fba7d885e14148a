/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness for nvlist_unpack().  The first input byte picks the
 * unpack flags; the rest is the message.  Whatever unpacks must also
 * clone, pack and unpack again to the same size: a list the library
 * accepted is a list the library can handle.
 *
 * With NV_FUZZ_SEED_DIR set, the harness first writes a few valid
 * messages there as seeds (mk/fuzz.sh does this).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/nv.h>

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_seed(const char *dir, const char *name, const nvlist_t *nvl)
{
	char path[4096];
	unsigned char flags;
	size_t size;
	void *buf;
	FILE *fp;

	buf = nvlist_pack(nvl, &size);
	if (buf == NULL)
		return;
	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	fp = fopen(path, "w");
	if (fp != NULL) {
		flags = (unsigned char)nvlist_flags(nvl);
		fwrite(&flags, 1, 1, fp);
		fwrite(buf, 1, size, fp);
		fclose(fp);
	}
	free(buf);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *sa[] = { "a", "", "ccc" };
	uint64_t na[] = { 1, 2 };
	bool ba[] = { true, false };
	nvlist_t *nvl, *child;
	const char *dir;

	(void)argc;
	(void)argv;
	dir = getenv("NV_FUZZ_SEED_DIR");
	if (dir == NULL)
		return (0);
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "cmd", "getpwnam");
	nvlist_add_string(nvl, "name", "root");
	write_seed(dir, "request", nvl);
	nvlist_add_null(nvl, "null");
	nvlist_add_bool(nvl, "bool", true);
	nvlist_add_number(nvl, "number", 42);
	nvlist_add_binary(nvl, "binary", "\1\2\3", 3);
	nvlist_add_bool_array(nvl, "ba", ba, 2);
	nvlist_add_number_array(nvl, "na", na, 2);
	nvlist_add_string_array(nvl, "sa", sa, 3);
	child = nvlist_clone(nvl);
	nvlist_append_nvlist_array(nvl, "arr", child);
	nvlist_append_nvlist_array(nvl, "arr", child);
	nvlist_move_nvlist(nvl, "child", child);
	write_seed(dir, "all", nvl);
	nvlist_destroy(nvl);
	nvl = nvlist_create(NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE);
	nvlist_add_number(nvl, "k", 1);
	nvlist_add_number(nvl, "K", 2);
	write_seed(dir, "flags", nvl);
	nvlist_destroy(nvl);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nvlist_t *nvl, *copy, *again;
	size_t packed;
	void *buf;

	if (size < 1)
		return (0);
	nvl = nvlist_unpack(data + 1, size - 1, data[0] & 3);
	if (nvl == NULL) {
		if (errno != EINVAL && errno != EEXIST && errno != EILSEQ &&
		    errno != ENOMEM)
			abort();
		return (0);
	}
	copy = nvlist_clone(nvl);
	if (copy == NULL)
		abort();
	buf = nvlist_pack(copy, &packed);
	if (buf == NULL || packed != nvlist_size(nvl))
		abort();
	again = nvlist_unpack(buf, packed, nvlist_flags(nvl));
	if (again == NULL)
		abort();
	nvlist_destroy(again);
	nvlist_destroy(copy);
	nvlist_destroy(nvl);
	free(buf);
	return (0);
}
