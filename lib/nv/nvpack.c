/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The packed form: walking a list tree, sizing, packing and unpacking.
 * The byte layout is FreeBSD's (docs/nv.md has it in full): a 19-byte list
 * header, then per element a 19-byte pair header, the NUL-terminated name
 * and the data.  A nested list follows its pair directly and ends with an
 * UP marker; each element of a list array ends with a NEXT marker.
 * Integers are in the sender's byte order, which the header's BIG_ENDIAN
 * flag names.
 *
 * nv_impl_unpack() treats its input as hostile.  Every length is checked
 * against the bytes that remain before it is used, nothing is allocated
 * that the input does not pay for in kind, nesting is followed with
 * parent pointers (never recursion) up to NV_DEPTH_MAX, and every
 * descriptor that came with the message is either owned by exactly one
 * element or closed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nv_impl.h"

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define	NV_HOST_BE	true
#else
#define	NV_HOST_BE	false
#endif

/*
 * Walk.
 */
void
nv_impl_walk_init(struct nv_walk *w, const nvlist_t *root)
{

	w->w_root = root;
	w->w_nvl = root;
	w->w_nvp = NULL;
	w->w_left = NULL;
	w->w_descend = false;
	w->w_depth = 0;
}

enum nv_walk_event
nv_impl_walk_next(struct nv_walk *w)
{
	const nvpair_t *nvp;

	if (w->w_descend) {
		w->w_descend = false;
		nvp = w->w_nvp;
		w->w_nvl = nvp->nvp_type == NV_TYPE_NVLIST ? nvp->nvp_u.nvl :
		    nvp->nvp_u.nvls[0];
		w->w_nvp = NULL;
		w->w_depth++;
		return (NV_WALK_DOWN);
	}
	nvp = w->w_nvp == NULL ? TAILQ_FIRST(&w->w_nvl->nvl_head) :
	    TAILQ_NEXT(w->w_nvp, nvp_link);
	if (nvp != NULL) {
		w->w_nvp = nvp;
		w->w_descend = nvp->nvp_type == NV_TYPE_NVLIST ||
		    nvp->nvp_type == NV_TYPE_NVLIST_ARRAY;
		return (NV_WALK_PAIR);
	}
	if (w->w_nvl == w->w_root)
		return (NV_WALK_END);
	w->w_left = w->w_nvl;
	if (w->w_nvl->nvl_array_next != NULL) {
		w->w_nvl = w->w_nvl->nvl_array_next;
		w->w_nvp = NULL;
		return (NV_WALK_NEXT);
	}
	w->w_nvp = w->w_nvl->nvl_parent;
	w->w_nvl = w->w_nvp->nvp_list;
	w->w_depth--;
	return (NV_WALK_UP);
}

/*
 * Size.  Must agree byte for byte with nv_impl_pack_into().
 */
size_t
nvlist_size(const nvlist_t *nvl)
{
	struct nv_walk w;
	size_t size;

	nv_impl_check_list(nvl, "nvlist_size");
	size = NV_HEADER_SIZE;
	nv_impl_walk_init(&w, nvl);
	for (;;) {
		switch (nv_impl_walk_next(&w)) {
		case NV_WALK_PAIR:
			size += NV_PAIR_HEADER_SIZE + w.w_nvp->nvp_namesize;
			if (!w.w_descend)
				size += w.w_nvp->nvp_datasize;
			break;
		case NV_WALK_DOWN:
			size += NV_HEADER_SIZE;
			break;
		case NV_WALK_NEXT:
			size += NV_MARKER_SIZE + NV_HEADER_SIZE;
			break;
		case NV_WALK_UP:
			size += NV_MARKER_SIZE;
			break;
		case NV_WALK_END:
			return (size);
		}
	}
}

/*
 * Pack.
 */
static unsigned char *
put16(unsigned char *p, uint16_t v)
{

	memcpy(p, &v, sizeof(v));
	return (p + sizeof(v));
}

static unsigned char *
put64(unsigned char *p, uint64_t v)
{

	memcpy(p, &v, sizeof(v));
	return (p + sizeof(v));
}

static uint16_t
get16(const unsigned char *p, bool swap)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return (swap ? __builtin_bswap16(v) : v);
}

static uint64_t
get64(const unsigned char *p, bool swap)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return (swap ? __builtin_bswap64(v) : v);
}

static unsigned char *
pack_header(const nvlist_t *nvl, unsigned char *p, size_t left)
{

	p[0] = NV_HEADER_MAGIC;
	p[1] = NV_HEADER_VERSION;
	p[2] = (unsigned char)(nvl->nvl_flags & NV_FLAG_PUBLIC_MASK);
	if (NV_HOST_BE)
		p[2] |= NV_FLAG_BIG_ENDIAN;
	p = put64(p + 3, nvl->nvl_ndesc);
	return (put64(p, left - NV_HEADER_SIZE));
}

static unsigned char *
pack_marker(unsigned char *p, int type)
{

	p[0] = (unsigned char)type;
	p = put16(p + 1, 1);
	p = put64(p, 0);
	p = put64(p, 0);
	*p = '\0';
	return (p + 1);
}

static unsigned char *
pack_fdindex(unsigned char *p, int fd, int *fds, size_t *fdidx)
{

	if (fds != NULL)
		fds[*fdidx] = fd;
	return (put64(p, (uint64_t)(*fdidx)++));
}

static unsigned char *
pack_data(const nvpair_t *nvp, unsigned char *p, int *fds, size_t *fdidx)
{
	size_t i, len;

	switch (nvp->nvp_type) {
	case NV_TYPE_NULL:
		break;
	case NV_TYPE_BOOL:
		*p++ = nvp->nvp_u.b ? 1 : 0;
		break;
	case NV_TYPE_NUMBER:
		p = put64(p, nvp->nvp_u.num);
		break;
	case NV_TYPE_STRING:
	case NV_TYPE_BINARY:
	case NV_TYPE_NUMBER_ARRAY:
		memcpy(p, nvp->nvp_u.ptr, nvp->nvp_datasize);
		p += nvp->nvp_datasize;
		break;
	case NV_TYPE_BOOL_ARRAY:
		for (i = 0; i < nvp->nvp_nitems; i++)
			*p++ = ((const bool *)nvp->nvp_u.ptr)[i] ? 1 : 0;
		break;
	case NV_TYPE_STRING_ARRAY:
		for (i = 0; i < nvp->nvp_nitems; i++) {
			len = strlen(nvp->nvp_u.strs[i]) + 1;
			memcpy(p, nvp->nvp_u.strs[i], len);
			p += len;
		}
		break;
	case NV_TYPE_DESCRIPTOR:
		p = pack_fdindex(p, nvp->nvp_u.fd, fds, fdidx);
		break;
	case NV_TYPE_DESCRIPTOR_ARRAY:
		for (i = 0; i < nvp->nvp_nitems; i++)
			p = pack_fdindex(p, ((const int *)nvp->nvp_u.ptr)[i],
			    fds, fdidx);
		break;
	default:
		nv_impl_abort("nvlist_pack: corrupt element '%s' (type %d)",
		    nvp->nvp_name, nvp->nvp_type);
	}
	return (p);
}

/*
 * Pack nvl into buf, whose size must be nvlist_size(nvl).  Descriptors are
 * numbered in walk order; when fds is not NULL it receives them in that
 * order (it must have room for nvl->nvl_ndesc).
 *
 * FreeBSD records a nested list's packed size in its pair's datasize.  We
 * learn it only when the walk comes back up, so the field is patched then;
 * until then it holds the offset of the enclosing open field, which makes
 * the open fields a stack threaded through the buffer itself.
 */
void
nv_impl_pack_into(const nvlist_t *nvl, unsigned char *buf, size_t size,
    int *fds)
{
	struct nv_walk w;
	const nvpair_t *nvp;
	unsigned char *p, *field;
	uint64_t open, prev;
	size_t fdidx;
	uint16_t namesize;

	fdidx = 0;
	open = UINT64_MAX;
	p = pack_header(nvl, buf, size);
	nv_impl_walk_init(&w, nvl);
	for (;;) {
		switch (nv_impl_walk_next(&w)) {
		case NV_WALK_PAIR:
			nvp = w.w_nvp;
			p[0] = (unsigned char)nvp->nvp_type;
			p = put16(p + 1, nvp->nvp_namesize);
			if (nvp->nvp_type == NV_TYPE_NVLIST) {
				p = put64(p, open);
				open = (uint64_t)(p - 8 - buf);
			} else {
				p = put64(p, nvp->nvp_datasize);
			}
			p = put64(p, nvp->nvp_nitems);
			memcpy(p, nvp->nvp_name, nvp->nvp_namesize);
			p += nvp->nvp_namesize;
			if (!w.w_descend)
				p = pack_data(nvp, p, fds, &fdidx);
			break;
		case NV_WALK_DOWN:
			p = pack_header(w.w_nvl, p, size - (size_t)(p - buf));
			break;
		case NV_WALK_NEXT:
			p = pack_marker(p, NV_TYPE_NVLIST_ARRAY_NEXT);
			p = pack_header(w.w_nvl, p, size - (size_t)(p - buf));
			break;
		case NV_WALK_UP:
			if ((w.w_left->nvl_flags & NV_FLAG_IN_ARRAY) != 0) {
				p = pack_marker(p, NV_TYPE_NVLIST_ARRAY_NEXT);
				break;
			}
			field = buf + open;
			memcpy(&prev, field, sizeof(prev));
			memcpy(&namesize, field - 2, sizeof(namesize));
			(void)put64(field, (uint64_t)(p - (field + 16 +
			    namesize)));
			open = prev;
			p = pack_marker(p, NV_TYPE_NVLIST_UP);
			break;
		case NV_WALK_END:
			if ((size_t)(p - buf) != size)
				nv_impl_abort("nvlist_pack: packed %zu bytes, "
				    "expected %zu", (size_t)(p - buf), size);
			return;
		}
	}
}

void *
nvlist_pack(const nvlist_t *nvl, size_t *sizep)
{
	unsigned char *buf;
	size_t size;

	if (nvl == NULL) {
		errno = ENOMEM;
		return (NULL);
	}
	nv_impl_check_list(nvl, "nvlist_pack");
	if (nvl->nvl_error != 0) {
		errno = nvl->nvl_error;
		return (NULL);
	}
	/* Descriptor numbers mean nothing outside nvlist_send(). */
	if (nvl->nvl_ndesc > 0) {
		errno = EOPNOTSUPP;
		return (NULL);
	}
	size = nvlist_size(nvl);
	buf = malloc(size);
	if (buf == NULL)
		return (NULL);
	nv_impl_pack_into(nvl, buf, size, NULL);
	if (sizep != NULL)
		*sizep = size;
	return (buf);
}

/*
 * Unpack.
 */

/*
 * Check a list header: magic, version and flag bits.  On success return 0
 * and the descriptor count, the size that follows the header, the flags
 * and the byte order; else EINVAL.
 */
int
nv_impl_check_header(const unsigned char *hdr, bool *isbep, uint64_t *ndescp,
    uint64_t *sizep, int *flagsp)
{
	bool isbe;

	if (hdr[0] != NV_HEADER_MAGIC || hdr[1] != NV_HEADER_VERSION ||
	    (hdr[2] & ~NV_FLAG_WIRE_MASK) != 0)
		return (EINVAL);
	isbe = (hdr[2] & NV_FLAG_BIG_ENDIAN) != 0;
	*isbep = isbe;
	*ndescp = get64(hdr + 3, isbe != NV_HOST_BE);
	*sizep = get64(hdr + 11, isbe != NV_HOST_BE);
	*flagsp = hdr[2] & NV_FLAG_PUBLIC_MASK;
	return (0);
}

struct unpack {
	const unsigned char	*u_p;		/* next byte */
	size_t			 u_left;	/* bytes from u_p on */
	bool			 u_isbe;	/* the message's byte order */
	bool			 u_swap;	/* it is not ours */
	int			*u_fds;
	size_t			 u_nfds;
	unsigned char		*u_used;	/* u_fds[i] owned by a pair */
	size_t			 u_nused;
	int			 u_error;
};

/* A nested list's header: same byte order, its size what remains. */
static bool
unpack_nested_header(struct unpack *u, nvlist_t *nvl)
{
	uint64_t ndesc, size;
	bool isbe;
	int flags;

	if (u->u_left < NV_HEADER_SIZE ||
	    nv_impl_check_header(u->u_p, &isbe, &ndesc, &size, &flags) != 0 ||
	    isbe != u->u_isbe || size != u->u_left - NV_HEADER_SIZE ||
	    ndesc > u->u_nfds)
		return (false);
	nvl->nvl_flags = flags | (nvl->nvl_flags & NV_FLAG_IN_ARRAY);
	u->u_p += NV_HEADER_SIZE;
	u->u_left -= NV_HEADER_SIZE;
	return (true);
}

/*
 * Claim descriptor indexes for one pair: each must be in range and not
 * yet claimed by another element (an index used twice would let a hostile
 * message make us close one descriptor twice).  On failure nothing stays
 * claimed.
 */
static bool
claim_fds(struct unpack *u, const unsigned char *p, size_t n, int *out)
{
	uint64_t idx;
	size_t i;

	for (i = 0; i < n; i++) {
		idx = get64(p + 8 * i, u->u_swap);
		if (idx >= u->u_nfds || u->u_used[idx] != 0)
			goto unclaim;
		u->u_used[idx] = 1;
		out[i] = u->u_fds[idx];
	}
	u->u_nused += n;
	return (true);

unclaim:
	while (i-- > 0)
		u->u_used[get64(p + 8 * i, u->u_swap)] = 0;
	return (false);
}

static nvpair_t *
unpack_string_array(struct unpack *u, const char *name, const unsigned char *p,
    size_t datasize, size_t nitems)
{
	nvpair_t *nvp;
	char **strs, *s;
	size_t i, n;

	/* Exactly nitems strings, each ended by a NUL, fill the data. */
	if (nitems == 0 || nitems > datasize || p[datasize - 1] != '\0')
		return (NULL);
	n = 0;
	for (i = 0; i < datasize; i++)
		n += p[i] == '\0';
	if (n != nitems)
		return (NULL);
	strs = malloc(nitems * sizeof(strs[0]) + datasize);
	if (strs == NULL) {
		u->u_error = ENOMEM;
		return (NULL);
	}
	s = (char *)(strs + nitems);
	memcpy(s, p, datasize);
	for (i = 0; i < nitems; i++) {
		strs[i] = s;
		s += strlen(s) + 1;
	}
	nvp = nv_impl_pair_new(name, NV_TYPE_STRING_ARRAY, 0, NULL);
	if (nvp == NULL) {
		free(strs);
		u->u_error = ENOMEM;
		return (NULL);
	}
	nvp->nvp_flags |= NVP_F_STRBLOCK;
	nvp->nvp_u.strs = strs;
	return (nvp);
}

/*
 * Build a pair of a non-list type from its packed data.  Returns NULL on
 * malformed data (u_error stays EINVAL) or allocation failure (ENOMEM).
 */
static nvpair_t *
unpack_value(struct unpack *u, int type, const char *name,
    const unsigned char *p, size_t datasize, size_t nitems)
{
	nvpair_t *nvp;
	void *extra, *arr;
	size_t i;

	extra = arr = NULL;
	switch (type) {
	case NV_TYPE_NULL:
		if (datasize != 0 || nitems != 0)
			return (NULL);
		nvp = nv_impl_pair_new(name, type, 0, NULL);
		break;
	case NV_TYPE_BOOL:
		if (datasize != 1 || nitems != 0 || p[0] > 1)
			return (NULL);
		nvp = nv_impl_pair_new(name, type, 0, NULL);
		if (nvp != NULL)
			nvp->nvp_u.b = p[0] != 0;
		break;
	case NV_TYPE_NUMBER:
		if (datasize != 8 || nitems != 0)
			return (NULL);
		nvp = nv_impl_pair_new(name, type, 0, NULL);
		if (nvp != NULL)
			nvp->nvp_u.num = get64(p, u->u_swap);
		break;
	case NV_TYPE_STRING:
		if (datasize == 0 || nitems != 0 ||
		    memchr(p, '\0', datasize) != p + datasize - 1)
			return (NULL);
		/* FALLTHROUGH */
	case NV_TYPE_BINARY:
		if (datasize == 0 || nitems != 0)
			return (NULL);
		nvp = nv_impl_pair_new(name, type, datasize, &extra);
		if (nvp != NULL) {
			memcpy(extra, p, datasize);
			nvp->nvp_u.ptr = extra;
		}
		break;
	case NV_TYPE_DESCRIPTOR:
		if (datasize != 8 || nitems != 0)
			return (NULL);
		nvp = nv_impl_pair_new(name, type, 0, NULL);
		if (nvp != NULL && !claim_fds(u, p, 1, &nvp->nvp_u.fd)) {
			nv_impl_pair_free_structure(nvp);
			return (NULL);
		}
		break;
	case NV_TYPE_BOOL_ARRAY:
		if (nitems == 0 || datasize != nitems)
			return (NULL);
		for (i = 0; i < nitems; i++) {
			if (p[i] > 1)
				return (NULL);
		}
		arr = malloc(nitems * sizeof(bool));
		if (arr == NULL)
			goto nomem;
		for (i = 0; i < nitems; i++)
			((bool *)arr)[i] = p[i] != 0;
		goto array;
	case NV_TYPE_NUMBER_ARRAY:
		if (nitems == 0 || datasize / 8 != nitems || datasize % 8 != 0)
			return (NULL);
		arr = malloc(datasize);
		if (arr == NULL)
			goto nomem;
		for (i = 0; i < nitems; i++)
			((uint64_t *)arr)[i] = get64(p + 8 * i, u->u_swap);
		goto array;
	case NV_TYPE_STRING_ARRAY:
		nvp = unpack_string_array(u, name, p, datasize, nitems);
		if (nvp != NULL) {
			nvp->nvp_datasize = datasize;
			nvp->nvp_nitems = nitems;
		}
		return (nvp);
	case NV_TYPE_DESCRIPTOR_ARRAY:
		if (nitems == 0 || datasize / 8 != nitems || datasize % 8 != 0)
			return (NULL);
		arr = malloc(nitems * sizeof(int));
		if (arr == NULL)
			goto nomem;
		if (!claim_fds(u, p, nitems, arr)) {
			free(arr);
			return (NULL);
		}
		nvp = nv_impl_pair_new(name, type, 0, NULL);
		if (nvp == NULL) {
			/* Hand the claimed descriptors back for closing. */
			for (i = 0; i < nitems; i++)
				u->u_used[get64(p + 8 * i, u->u_swap)] = 0;
			u->u_nused -= nitems;
			free(arr);
			goto nomem;
		}
		nvp->nvp_u.ptr = arr;
		break;
	default:
		return (NULL);
	}
	if (nvp == NULL)
		goto nomem;
	nvp->nvp_datasize = datasize;
	nvp->nvp_nitems = nitems;
	return (nvp);

array:
	nvp = nv_impl_pair_new(name, type, 0, NULL);
	if (nvp == NULL) {
		free(arr);
		goto nomem;
	}
	nvp->nvp_u.ptr = arr;
	nvp->nvp_datasize = datasize;
	nvp->nvp_nitems = nitems;
	return (nvp);

nomem:
	u->u_error = ENOMEM;
	return (NULL);
}

/*
 * Unpack a message.  fds (nfds of them) came with it; on success each is
 * owned by exactly one element, and on failure every one is closed, so
 * the caller must not touch them afterwards either way.  flags must equal
 * the sender's public flags (EILSEQ otherwise, as on FreeBSD).
 */
nvlist_t *
nv_impl_unpack(const unsigned char *buf, size_t size, int *fds, size_t nfds,
    int flags)
{
	struct unpack u;
	nvlist_t *root, *cur, *child, **nvls;
	nvpair_t *nvp;
	const char *name;
	uint64_t ndesc, hsize, datasize, nitems;
	unsigned int depth;
	size_t i;
	int hflags, type;
	uint16_t namesize;

	memset(&u, 0, sizeof(u));
	u.u_fds = fds;
	u.u_nfds = nfds;
	u.u_error = EINVAL;
	root = NULL;
	if ((flags & ~NV_FLAG_PUBLIC_MASK) != 0)
		goto fail;
	if (nfds > 0) {
		u.u_used = calloc(nfds, 1);
		if (u.u_used == NULL) {
			u.u_error = ENOMEM;
			goto fail;
		}
	}
	if (size < NV_HEADER_SIZE ||
	    nv_impl_check_header(buf, &u.u_isbe, &ndesc, &hsize, &hflags) != 0 ||
	    hsize != size - NV_HEADER_SIZE || ndesc > nfds)
		goto fail;
	if (hflags != flags) {
		u.u_error = EILSEQ;
		goto fail;
	}
	u.u_swap = u.u_isbe != NV_HOST_BE;
	u.u_p = buf + NV_HEADER_SIZE;
	u.u_left = size - NV_HEADER_SIZE;
	root = nv_impl_list_new(flags);
	if (root == NULL) {
		u.u_error = ENOMEM;
		goto fail;
	}
	cur = root;
	depth = 0;
	while (u.u_left > 0) {
		if (u.u_left < NV_PAIR_HEADER_SIZE)
			goto fail;
		type = u.u_p[0];
		namesize = get16(u.u_p + 1, u.u_swap);
		datasize = get64(u.u_p + 3, u.u_swap);
		nitems = get64(u.u_p + 11, u.u_swap);
		u.u_p += NV_PAIR_HEADER_SIZE;
		u.u_left -= NV_PAIR_HEADER_SIZE;
		if (namesize == 0 || namesize > NV_NAME_MAX ||
		    namesize > u.u_left ||
		    memchr(u.u_p, '\0', namesize) != u.u_p + namesize - 1)
			goto fail;
		name = (const char *)u.u_p;
		u.u_p += namesize;
		u.u_left -= namesize;
		if (datasize > u.u_left)
			goto fail;

		switch (type) {
		case NV_TYPE_NVLIST_UP:
		case NV_TYPE_NVLIST_ARRAY_NEXT:
			if (namesize != 1 || datasize != 0 || nitems != 0 ||
			    cur == root)
				goto fail;
			if (type == NV_TYPE_NVLIST_UP) {
				if ((cur->nvl_flags & NV_FLAG_IN_ARRAY) != 0)
					goto fail;
			} else if ((cur->nvl_flags & NV_FLAG_IN_ARRAY) == 0) {
				goto fail;
			} else if (cur->nvl_array_next != NULL) {
				cur = cur->nvl_array_next;
				if (!unpack_nested_header(&u, cur))
					goto fail;
				continue;
			}
			cur = cur->nvl_parent->nvp_list;
			depth--;
			continue;
		case NV_TYPE_NVLIST:
			if (datasize == 0 || nitems != 0 ||
			    depth >= NV_DEPTH_MAX)
				goto fail;
			nvp = nv_impl_pair_new(name, type, 0, NULL);
			child = nv_impl_list_new(0);
			if (nvp == NULL || child == NULL) {
				free(child);
				if (nvp != NULL)
					nv_impl_pair_free_structure(nvp);
				u.u_error = ENOMEM;
				goto fail;
			}
			nvp->nvp_u.nvl = child;
			nvp->nvp_datasize = datasize;
			child->nvl_parent = nvp;
			if (!unpack_nested_header(&u, child)) {
				nv_impl_pair_free(nvp);
				goto fail;
			}
			break;
		case NV_TYPE_NVLIST_ARRAY:
			/*
			 * Each element costs at least a header and a marker,
			 * so the remaining bytes bound nitems before we
			 * allocate.  FreeBSD puts the size of its in-memory
			 * pointer array in datasize; accept 32- and 64-bit.
			 */
			if (nitems == 0 || depth >= NV_DEPTH_MAX ||
			    nitems > u.u_left / (NV_HEADER_SIZE +
			    NV_MARKER_SIZE) ||
			    (datasize != nitems * 8 && datasize != nitems * 4))
				goto fail;
			nvp = nv_impl_pair_new(name, type, 0, NULL);
			nvls = nvp != NULL ?
			    nv_impl_nvls_new(nvp, nitems, 0) : NULL;
			if (nvls == NULL) {
				if (nvp != NULL)
					nv_impl_pair_free_structure(nvp);
				u.u_error = ENOMEM;
				goto fail;
			}
			nvp->nvp_u.nvls = nvls;
			nvp->nvp_nitems = nitems;
			nvp->nvp_datasize = nitems * 8;
			child = nvls[0];
			if (!unpack_nested_header(&u, child)) {
				nv_impl_pair_free(nvp);
				goto fail;
			}
			break;
		default:
			if (type < NV_TYPE_FIRST || type > NV_TYPE_LAST)
				goto fail;
			nvp = unpack_value(&u, type, name, u.u_p, datasize,
			    nitems);
			if (nvp == NULL)
				goto fail;
			u.u_p += datasize;
			u.u_left -= datasize;
			child = NULL;
			break;
		}
		if (!nv_impl_insert(cur, nvp)) {
			u.u_error = errno;
			goto fail;
		}
		if (child != NULL) {
			cur = child;
			depth++;
		}
	}
	/*
	 * Every nested list must have been closed, and every descriptor
	 * that came with the message claimed by exactly one element.
	 */
	if (cur != root || u.u_nused != nfds)
		goto fail;
	free(u.u_used);
	return (root);

fail:
	/* Destroying the partial list closes the descriptors it owns. */
	nvlist_destroy(root);
	for (i = 0; i < nfds; i++) {
		if (u.u_used == NULL || u.u_used[i] == 0)
			(void)close(fds[i]);
	}
	free(u.u_used);
	errno = u.u_error;
	return (NULL);
}

nvlist_t *
nvlist_unpack(const void *buf, size_t size, int flags)
{

	if (buf == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	return (nv_impl_unpack(buf, size, NULL, 0, flags));
}
