/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libnv internals shared between its source files.  Never installed.
 * Internal functions carry the nv_impl_ prefix; the version script keeps
 * them out of the shared library's dynamic symbol table.
 */
#ifndef NV_IMPL_H
#define	NV_IMPL_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/nv.h>

/*
 * Private element types.  They only appear in packed lists, as markers
 * that close a nested list (UP) or one element of a list array (NEXT).
 */
#define	NV_TYPE_FIRST			NV_TYPE_NULL
#define	NV_TYPE_LAST			NV_TYPE_DESCRIPTOR_ARRAY
#define	NV_TYPE_NVLIST_ARRAY_NEXT	254
#define	NV_TYPE_NVLIST_UP		255

/*
 * Private flags.  BIG_ENDIAN only appears in packed headers; IN_ARRAY only
 * in memory (it does not fit the 8-bit header field, as on FreeBSD).
 */
#define	NV_FLAG_PUBLIC_MASK	(NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE)
#define	NV_FLAG_BIG_ENDIAN	0x080
#define	NV_FLAG_IN_ARRAY	0x100
#define	NV_FLAG_WIRE_MASK	(NV_FLAG_PUBLIC_MASK | NV_FLAG_BIG_ENDIAN)

/* Packed form: see docs/nv.md. */
#define	NV_HEADER_MAGIC		0x6c
#define	NV_HEADER_VERSION	0x00
#define	NV_HEADER_SIZE		19	/* magic, version, flags, 2 x u64 */
#define	NV_PAIR_HEADER_SIZE	19	/* type, u16 namesize, 2 x u64 */
#define	NV_MARKER_SIZE		(NV_PAIR_HEADER_SIZE + 1)

/*
 * Limits on what nvlist_unpack() and nvlist_recv() accept.  They bound
 * the work and memory a hostile peer can cause; nv(3) documents them.
 */
#define	NV_DEPTH_MAX		128		/* nested lists below the top */
#define	NV_DESCRIPTORS_MAX	4096		/* per message */
#define	NV_MSG_SIZE_MAX		(64UL << 20)	/* bytes, header included */

/* Descriptors per SCM_RIGHTS message; Linux refuses more than 253. */
#define	NV_FD_BATCH		253

#define	NVLIST_MAGIC		0x6e766c73	/* "nvls" */
#define	NVPAIR_MAGIC		0x6e767072	/* "nvpr" */

/* Lists longer than this get a hash index for name lookups. */
#define	NV_HASH_MIN		16

typedef struct nvpair nvpair_t;

struct nvpair {
	int		 nvp_magic;
	int		 nvp_type;
	uint32_t	 nvp_hash;	/* of the case-folded name */
	uint16_t	 nvp_namesize;	/* strlen(name) + 1 */
	uint16_t	 nvp_flags;	/* NVP_F_* */
	union {
		bool		  b;
		uint64_t	  num;
		int		  fd;
		char		 *str;
		void		 *ptr;	/* binary and scalar arrays */
		nvlist_t	 *nvl;
		nvlist_t	**nvls;
		char		**strs;
	}		 nvp_u;
	size_t		 nvp_datasize;	/* packed data bytes */
	size_t		 nvp_nitems;	/* array elements, else 0 */
	nvlist_t	*nvp_list;	/* list holding the pair, or NULL */
	TAILQ_ENTRY(nvpair) nvp_link;
	nvpair_t	*nvp_hnext;	/* hash chain */
	char		 nvp_name[];
};

/*
 * Where a pair's value lives.  Strings and binaries made by add and unpack
 * sit in the pair's own allocation (one malloc per pair); a string array
 * made by unpack is one block of pointers followed by the strings, which
 * bounds the memory a hostile message can cost.  take hands out copies of
 * such values, since the caller frees them with free(3).
 */
#define	NVP_F_INLINE		0x0001
#define	NVP_F_STRBLOCK		0x0002

TAILQ_HEAD(nvl_head, nvpair);

struct nvlist {
	int		 nvl_magic;
	int		 nvl_error;
	int		 nvl_flags;
	size_t		 nvl_count;	/* pairs in this list */
	size_t		 nvl_ndesc;	/* descriptors in this subtree */
	nvpair_t	*nvl_parent;	/* pair holding this list, or NULL */
	nvlist_t	*nvl_array_next; /* next element of a list array */
	struct nvl_head	 nvl_head;
	nvpair_t	**nvl_buckets;	/* hash index, or NULL */
	size_t		 nvl_nbuckets;	/* a power of two */
};

/*
 * An iterative pre-order walk over a list tree; nothing in the library
 * recurses over nesting.  nv_impl_walk_next() reports a pair, a step
 * down into a nested list (or the first element of a list array), a step
 * to the next element of a list array, a step back up, or the end.
 */
enum nv_walk_event {
	NV_WALK_PAIR,
	NV_WALK_DOWN,
	NV_WALK_NEXT,
	NV_WALK_UP,
	NV_WALK_END
};

struct nv_walk {
	const nvlist_t	*w_root;
	const nvlist_t	*w_nvl;		/* current list */
	const nvpair_t	*w_nvp;		/* last pair reported in w_nvl */
	const nvlist_t	*w_left;	/* for UP and NEXT: the list left */
	bool		 w_descend;	/* w_nvp holds lists to visit */
	unsigned int	 w_depth;
};

/* Diagnostics for programming errors; these never return. */
_Noreturn void	nv_impl_abort(const char *fmt, ...)
		    __attribute__((__format__(__printf__, 1, 2)));
_Noreturn void	nv_impl_missing(const char *func, int type, const char *name);
const char	*nv_impl_type_name(int type);

/* Object checks: abort on a bad magic number or on a list in error. */
void		 nv_impl_check_list(const nvlist_t *nvl, const char *func);
void		 nv_impl_check_usable(const nvlist_t *nvl, const char *func);
void		 nv_impl_check_pair(const nvpair_t *nvp, const char *func);

/* Error handling. */
void		 nv_impl_fail(nvlist_t *nvl, int error);
bool		 nv_impl_usable(nvlist_t *nvl);

/* Pairs (nvpair.c). */
nvpair_t	*nv_impl_pair_new(const char *name, int type, size_t extra,
		    void **extrap);
int		 nv_impl_strs_unblock(nvpair_t *nvp);
void		 nv_impl_pair_free(nvpair_t *nvp);
void		 nv_impl_pair_free_structure(nvpair_t *nvp);
nvpair_t	*nv_impl_pair_clone(const nvpair_t *nvp);
size_t		 nv_impl_pair_ndesc(const nvpair_t *nvp);
nvlist_t	**nv_impl_nvls_new(nvpair_t *nvp, size_t nitems, int flags);
void		 nv_impl_nvls_detach(nvlist_t **nvls, size_t nitems);
bool		 nv_impl_fd_valid(int fd);
uint32_t	 nv_impl_hash(const char *name, size_t *lenp);

/* Lists (nvlist.c). */
nvlist_t	*nv_impl_list_new(int flags);
void		 nv_impl_list_free_structure(nvlist_t *nvl);
nvpair_t	*nv_impl_find(const nvlist_t *nvl, int type, const char *name);
bool		 nv_impl_insert(nvlist_t *nvl, nvpair_t *nvp);
void		 nv_impl_remove(nvlist_t *nvl, nvpair_t *nvp);
void		 nv_impl_ndesc_add(nvlist_t *nvl, size_t n);
void		 nv_impl_ndesc_sub(nvlist_t *nvl, size_t n);
void		*nv_impl_take(nvpair_t *nvp, size_t *nitemsp);
void		 nv_impl_release(nvpair_t *nvp);

/* Walks, packing and unpacking (nvpack.c). */
void		 nv_impl_walk_init(struct nv_walk *w, const nvlist_t *root);
enum nv_walk_event nv_impl_walk_next(struct nv_walk *w);
void		 nv_impl_pack_into(const nvlist_t *nvl, unsigned char *buf,
		    size_t size, int *fds);
nvlist_t	*nv_impl_unpack(const unsigned char *buf, size_t size,
		    int *fds, size_t nfds, int flags);
int		 nv_impl_check_header(const unsigned char *hdr, bool *isbep,
		    uint64_t *ndescp, uint64_t *sizep, int *flagsp);

/*
 * msgio.c: nvlist_recv() in one system call, for a socket the caller
 * knows to be SOCK_SEQPACKET.  Exported (NV_PRIVATE) for libcasper only,
 * which declares it itself.
 */
nvlist_t	*nv_impl_recv_seqpacket(int sock, int flags);

#endif /* !NV_IMPL_H */
