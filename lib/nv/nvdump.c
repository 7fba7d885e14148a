/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nvlist_dump() and nvlist_fdump(): a human-readable listing for
 * debugging.  One line per element, "name (TYPE): value", indented four
 * spaces per level of nesting; each element of a list array is followed
 * by a line holding a comma.  The format is not meant to be parsed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "nv_impl.h"

static void
dump_value(const nvpair_t *nvp, FILE *fp)
{
	const unsigned char *bin;
	size_t i, n;

	n = nvp->nvp_nitems;
	switch (nvp->nvp_type) {
	case NV_TYPE_NULL:
		fputs(" null", fp);
		break;
	case NV_TYPE_BOOL:
		fputs(nvp->nvp_u.b ? " TRUE" : " FALSE", fp);
		break;
	case NV_TYPE_NUMBER:
		fprintf(fp, " %ju (%jd) (0x%jx)", (uintmax_t)nvp->nvp_u.num,
		    (intmax_t)nvp->nvp_u.num, (uintmax_t)nvp->nvp_u.num);
		break;
	case NV_TYPE_STRING:
		fprintf(fp, " [%s]", nvp->nvp_u.str);
		break;
	case NV_TYPE_DESCRIPTOR:
		fprintf(fp, " %d", nvp->nvp_u.fd);
		break;
	case NV_TYPE_BINARY:
		bin = nvp->nvp_u.ptr;
		fprintf(fp, " %zu ", nvp->nvp_datasize);
		for (i = 0; i < nvp->nvp_datasize; i++)
			fprintf(fp, "%02x", bin[i]);
		break;
	case NV_TYPE_NVLIST:
		break;
	case NV_TYPE_NVLIST_ARRAY:
		fprintf(fp, " %zu", n);
		break;
	default:
		fputs(" [ ", fp);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs(", ", fp);
			switch (nvp->nvp_type) {
			case NV_TYPE_BOOL_ARRAY:
				fputs(((const bool *)nvp->nvp_u.ptr)[i] ?
				    "TRUE" : "FALSE", fp);
				break;
			case NV_TYPE_NUMBER_ARRAY:
			{
				uint64_t v = ((const uint64_t *)
				    nvp->nvp_u.ptr)[i];

				fprintf(fp, "%ju (%jd) (0x%jx)", (uintmax_t)v,
				    (intmax_t)v, (uintmax_t)v);
				break;
			}
			case NV_TYPE_STRING_ARRAY:
				fprintf(fp, "\"%s\"", nvp->nvp_u.strs[i]);
				break;
			case NV_TYPE_DESCRIPTOR_ARRAY:
				fprintf(fp, "%d",
				    ((const int *)nvp->nvp_u.ptr)[i]);
				break;
			}
		}
		fputs(" ]", fp);
		break;
	}
}

void
nvlist_fdump(const nvlist_t *nvl, FILE *fp)
{
	struct nv_walk w;
	int level;

	nv_impl_check_list(nvl, "nvlist_fdump");
	if (nvl->nvl_error != 0) {
		fprintf(fp, "error: %d\n", nvl->nvl_error);
		fflush(fp);
		return;
	}
	level = 0;
	nv_impl_walk_init(&w, nvl);
	for (;;) {
		switch (nv_impl_walk_next(&w)) {
		case NV_WALK_PAIR:
			fprintf(fp, "%*s%s (%s):", level * 4, "",
			    w.w_nvp->nvp_name,
			    nv_impl_type_name(w.w_nvp->nvp_type));
			dump_value(w.w_nvp, fp);
			fputc('\n', fp);
			break;
		case NV_WALK_DOWN:
			level++;
			break;
		case NV_WALK_NEXT:
			fprintf(fp, "%*s,\n", level * 4, "");
			break;
		case NV_WALK_UP:
			if ((w.w_left->nvl_flags & NV_FLAG_IN_ARRAY) != 0)
				fprintf(fp, "%*s,\n", level * 4, "");
			level--;
			break;
		case NV_WALK_END:
			fflush(fp);
			return;
		}
	}
}

void
nvlist_dump(const nvlist_t *nvl, int fd)
{
	FILE *fp;
	int dfd;

	nv_impl_check_list(nvl, "nvlist_dump");
	dfd = dup(fd);
	if (dfd == -1)
		return;
	fp = fdopen(dfd, "w");
	if (fp == NULL) {
		(void)close(dfd);
		return;
	}
	nvlist_fdump(nvl, fp);
	fclose(fp);
}
