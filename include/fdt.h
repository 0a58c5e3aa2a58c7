/*
 * A reader for flattened device trees (FDT, the "DTB" a boot loader hands
 * the kernel in a1).
 *
 * A blob is a 40-byte big-endian header followed by three blocks: the
 * memory reservation map (pairs of u64 address/size ending with 0/0), the
 * structure block (a stream of 32-bit tokens: BEGIN_NODE + name, PROP +
 * length + name offset + value, END_NODE, NOP, END) and the strings block
 * (property names, referenced by offset from PROP tokens).
 *
 * fdt_open() validates the whole blob once: the header, that every block
 * lies inside totalsize, and every token, node name, property length and
 * name offset of the structure block, and that nesting is balanced and no
 * deeper than FDT_MAX_DEPTH. The accessors below then work on the validated
 * handle, and still check every offset they follow, so no call ever reads
 * outside [blob, blob + totalsize).
 *
 * Nodes are named by their offset in the blob (of their BEGIN_NODE token).
 * Functions returning an offset return a negative FDT_ERR_* code when there
 * is no such node. Nothing here allocates or takes locks.
 */
#ifndef CALF_FDT_H
#define CALF_FDT_H

#include <types.h>

#define FDT_MAGIC	0xd00dfeedU
#define FDT_HEADER_SIZE 40
/* Deepest node nesting accepted; the root is at depth 1. */
#define FDT_MAX_DEPTH 16
/* Largest blob platform_init_from_fdt() accepts from the boot loader. */
#define FDT_MAX_TOTALSIZE (2U << 20)

/* Structure block tokens. */
#define FDT_BEGIN_NODE 0x1
#define FDT_END_NODE   0x2
#define FDT_PROP       0x3
#define FDT_NOP	       0x4
#define FDT_END	       0x9

/* Errors, returned negated (-FDT_ERR_MAGIC). */
enum fdt_err {
	FDT_OK = 0,
	FDT_ERR_NOTFOUND,     /* no such node or property (not corruption) */
	FDT_ERR_MAGIC,	      /* header magic is not 0xd00dfeed */
	FDT_ERR_VERSION,      /* version older than 17 or incompatible */
	FDT_ERR_TOTALSIZE,    /* totalsize smaller than the header or too big */
	FDT_ERR_RSVMAP_RANGE, /* reservation map outside the blob or unended */
	FDT_ERR_STRUCT_RANGE, /* structure block outside the blob */
	FDT_ERR_STRINGS_RANGE, /* strings block outside the blob */
	FDT_ERR_BADTOKEN,      /* unknown or misplaced structure token */
	FDT_ERR_TRUNCATED,     /* token or property value runs off the block */
	FDT_ERR_BADNAME,       /* node name not terminated inside the block */
	FDT_ERR_BADSTRING,     /* property name offset out of range/unended */
	FDT_ERR_DEPTH,	       /* nesting deeper than FDT_MAX_DEPTH */
	FDT_ERR_STRUCTURE,     /* unbalanced nodes, or no single root node */
	FDT_ERR_BADVALUE,      /* a property has the wrong length or cells */
	FDT_ERR_COUNT
};

/* Where fdt_open() found a problem, for a useful panic message. */
struct fdt_diag {
	int err;    /* enum fdt_err, positive; FDT_OK when none */
	u32 offset; /* byte offset in the blob of the offending item */
	u32 value;  /* the offending value (magic, length, name offset...) */
	/* What a caller (platform_parse()) was reading, or NULL. */
	const char *what;
};

/* A validated blob. The cached block bounds lie inside [0, size). */
struct fdt {
	const u8 *blob;
	u32 size; /* totalsize */
	u32 struct_off, struct_end;
	u32 strings_off, strings_size;
	u32 rsvmap_off;
	u32 nrsv; /* entries in the reservation map, without the 0/0 end */
};

/* Big-endian loads that work at any alignment. */
static inline u32 fdt_be32(const void *p)
{
	const u8 *b = p;
	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

static inline u64 fdt_be64(const void *p)
{
	return ((u64)fdt_be32(p) << 32) | fdt_be32((const u8 *)p + 4);
}

/*
 * The blob handed over by the boot loader and its totalsize, recorded by
 * platform_init_from_fdt() (kernel/platform.c). NULL/0 before that.
 */
extern const void *boot_fdt;
extern u32 boot_fdt_size;

/* Returns a constant sentence describing an error (positive or negative). */
const char *fdt_strerror(int err);

/*
 * Validates the blob at blob, which may occupy at most maxsize bytes, and
 * fills *fdt. Returns 0, or a negative FDT_ERR_* code with the details in
 * *diag (diag may be NULL). Reads nothing beyond min(maxsize, totalsize).
 */
int fdt_open(struct fdt *fdt, const void *blob, size_t maxsize,
	     struct fdt_diag *diag);
/* fdt_open() without keeping the handle. */
int fdt_check(const void *blob, size_t maxsize, struct fdt_diag *diag);

/*
 * Reads reservation-map entry i (0 <= i < fdt->nrsv). Returns 0, or
 * -FDT_ERR_NOTFOUND past the last entry.
 */
int fdt_get_rsv(const struct fdt *fdt, u32 i, u64 *addr, u64 *size);

/* Offset of the root node. */
int fdt_root(const struct fdt *fdt);
/* First child / next sibling of a node, or -FDT_ERR_NOTFOUND. */
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
/* Next node after node in document order (node < 0: the root), any depth. */
int fdt_next_node(const struct fdt *fdt, int node);
/* Parent of node (found by a walk from the root), or -FDT_ERR_NOTFOUND. */
int fdt_parent(const struct fdt *fdt, int node);
/* The node's name with any "@unit" ("" for the root); NULL for a non-node. */
const char *fdt_node_name(const struct fdt *fdt, int node);
/*
 * Finds a node by absolute path ("/soc/serial@10000000"). A path component
 * without '@' also matches a name with a unit address ("/memory" finds
 * "memory@80000000"). Returns the offset or -FDT_ERR_NOTFOUND.
 */
int fdt_path_offset(const struct fdt *fdt, const char *path);
/* Node whose phandle (or linux,phandle) is ph, or -FDT_ERR_NOTFOUND. */
int fdt_node_by_phandle(const struct fdt *fdt, u32 ph);

/*
 * Value of property name of node, with its length in *len (may be NULL).
 * Returns NULL when absent. The value lies inside the blob.
 */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name,
			int *len);
/* The property as a NUL-terminated string; NULL if absent or unterminated. */
const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name);
/* Reads a one-cell property; false (*out untouched) unless it is 4 bytes. */
bool fdt_prop_u32(const struct fdt *fdt, int node, const char *name, u32 *out);
/* A property of 4 or 8 bytes read as a number (initrd cells, frequencies). */
bool fdt_prop_num(const struct fdt *fdt, int node, const char *name, u64 *out);
/* Reads n (1 or 2) big-endian cells at p as one number. */
u64 fdt_read_cells(const void *p, int n);

/* True when value (len bytes of NUL-separated strings) contains str. */
bool fdt_stringlist_contains(const char *value, int len, const char *str);
/* True when node's compatible list contains compat. */
bool fdt_node_is_compatible(const struct fdt *fdt, int node,
			    const char *compat);
/* Next node after from (from < 0: start at the root) compatible with compat. */
int fdt_find_compatible(const struct fdt *fdt, int from, const char *compat);
/* True when status is absent, "okay" or "ok". */
bool fdt_node_enabled(const struct fdt *fdt, int node);

/*
 * #address-cells and #size-cells that apply to node's children (defaults
 * 2 and 1). Returns -FDT_ERR_BADVALUE when they are outside 1..2 / 0..2.
 */
int fdt_child_cells(const struct fdt *fdt, int node, int *acells, int *scells);
/*
 * Reads entry index of node's reg into *base and *size, sized by the
 * #address-cells/#size-cells of parent (pass a negative parent to have it
 * looked up). Returns 0, -FDT_ERR_NOTFOUND when there is no such entry, or
 * -FDT_ERR_BADVALUE when the parent's cell counts are unusable.
 */
int fdt_reg(const struct fdt *fdt, int parent, int node, int index, u64 *base,
	    u64 *size);

#endif
