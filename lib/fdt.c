/*
 * Flattened device tree reader (see include/fdt.h for the format).
 *
 * Everything goes through one primitive, tag_at(), which decodes the token
 * at an offset of the structure block and checks that the token, the node
 * name or the property header, value and name string all lie inside their
 * blocks. fdt_open() checks the header and walks the whole structure block
 * with it once, so corruption is reported up front with a reason; the
 * accessors use the same primitive and simply stop (NOTFOUND/NULL) if they
 * ever meet something bad, so even a handle built on a blob that changed
 * afterwards cannot make them read outside the blob.
 */
#include <fdt.h>
#include <string.h>

/* Byte offsets of the header fields. */
enum {
	HDR_MAGIC = 0,
	HDR_TOTALSIZE = 4,
	HDR_OFF_STRUCT = 8,
	HDR_OFF_STRINGS = 12,
	HDR_OFF_RSVMAP = 16,
	HDR_VERSION = 20,
	HDR_LAST_COMP = 24,
	HDR_SIZE_STRINGS = 32,
	HDR_SIZE_STRUCT = 36,
};

#define FDT_VERSION    17
#define RSV_ENTRY_SIZE 16

/* One decoded structure-block token. */
struct tag {
	u32 token;
	u32 next;	  /* offset of the following token */
	const char *name; /* node name (BEGIN_NODE) or property name (PROP) */
	const u8 *value;  /* PROP only */
	u32 len;	  /* PROP only */
};

static const char *const fdt_errors[FDT_ERR_COUNT] = {
    [FDT_OK] = "no error",
    [FDT_ERR_NOTFOUND] = "not found",
    [FDT_ERR_MAGIC] = "bad magic",
    [FDT_ERR_VERSION] = "unsupported version",
    [FDT_ERR_TOTALSIZE] = "bad totalsize",
    [FDT_ERR_RSVMAP_RANGE] = "memory reservation map out of range",
    [FDT_ERR_STRUCT_RANGE] = "structure block out of range",
    [FDT_ERR_STRINGS_RANGE] = "strings block out of range",
    [FDT_ERR_BADTOKEN] = "bad structure token",
    [FDT_ERR_TRUNCATED] = "token or property runs past the structure block",
    [FDT_ERR_BADNAME] = "node name not terminated",
    [FDT_ERR_BADSTRING] = "property name offset out of range",
    [FDT_ERR_DEPTH] = "nodes nested too deeply",
    [FDT_ERR_STRUCTURE] = "unbalanced or missing nodes",
    [FDT_ERR_BADVALUE] = "bad property value",
};

const char *fdt_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= FDT_ERR_COUNT)
		return "unknown error";
	return fdt_errors[err];
}

/* Records a failure in diag (if any) and returns the negated code. */
static int fail(struct fdt_diag *diag, int err, u32 offset, u32 value)
{
	if (diag) {
		diag->err = err;
		diag->offset = offset;
		diag->value = value;
	}
	return -err;
}

/* Length of the string at p, or max when there is no NUL in [p, p + max). */
static u32 bounded_strlen(const u8 *p, u32 max)
{
	u32 n = 0;

	while (n < max && p[n] != 0)
		n++;
	return n;
}

/*
 * Decodes the BEGIN_NODE at off (the token is already read): its name must
 * end inside the structure block. Returns 0 or a negative code.
 */
static int tag_node(const struct fdt *fdt, u32 off, struct tag *t,
		    struct fdt_diag *diag)
{
	u32 start = off + 4;
	u32 n = bounded_strlen(fdt->blob + start, fdt->struct_end - start);

	if (n == fdt->struct_end - start)
		return fail(diag, FDT_ERR_BADNAME, off, n);
	t->name = (const char *)fdt->blob + start;
	t->next = ALIGN_UP(start + n + 1, 4);
	if (t->next > fdt->struct_end)
		return fail(diag, FDT_ERR_TRUNCATED, off, n);
	return 0;
}

/*
 * Decodes the PROP at off: its 8-byte header and value must fit in the
 * structure block, and its name offset must point at a string that ends
 * inside the strings block. Returns 0 or a negative code.
 */
static int tag_prop(const struct fdt *fdt, u32 off, struct tag *t,
		    struct fdt_diag *diag)
{
	u32 room, nameoff, n;

	if (fdt->struct_end - off < 12)
		return fail(diag, FDT_ERR_TRUNCATED, off, FDT_PROP);
	room = fdt->struct_end - (off + 12);
	t->len = fdt_be32(fdt->blob + off + 4);
	if (t->len > room)
		return fail(diag, FDT_ERR_TRUNCATED, off, t->len);
	nameoff = fdt_be32(fdt->blob + off + 8);
	if (nameoff >= fdt->strings_size)
		return fail(diag, FDT_ERR_BADSTRING, off, nameoff);
	n = bounded_strlen(fdt->blob + fdt->strings_off + nameoff,
			   fdt->strings_size - nameoff);
	if (n == fdt->strings_size - nameoff)
		return fail(diag, FDT_ERR_BADSTRING, off, nameoff);
	t->name = (const char *)fdt->blob + fdt->strings_off + nameoff;
	t->value = fdt->blob + off + 12;
	t->next = off + 12 + ALIGN_UP(t->len, 4);
	if (t->next > fdt->struct_end || t->next < off)
		return fail(diag, FDT_ERR_TRUNCATED, off, t->len);
	return 0;
}

/*
 * Decodes the token at offset off of the blob into *t, checking that it
 * and everything it refers to lies inside the blob's blocks. Returns 0 or a
 * negative FDT_ERR_* code (details in diag, which may be NULL).
 */
static int tag_at(const struct fdt *fdt, u32 off, struct tag *t,
		  struct fdt_diag *diag)
{
	if (off < fdt->struct_off || off >= fdt->struct_end ||
	    fdt->struct_end - off < 4 || (off & 3) != 0)
		return fail(diag, FDT_ERR_TRUNCATED, off, 0);
	t->token = fdt_be32(fdt->blob + off);
	t->name = NULL;
	t->value = NULL;
	t->len = 0;
	switch (t->token) {
	case FDT_BEGIN_NODE:
		return tag_node(fdt, off, t, diag);
	case FDT_PROP:
		return tag_prop(fdt, off, t, diag);
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		t->next = off + 4;
		return 0;
	default:
		return fail(diag, FDT_ERR_BADTOKEN, off, t->token);
	}
}

/*
 * Checks that the block [off, off + size) lies inside the blob after the
 * header. Returns 0 or -err.
 */
static int check_block(u32 off, u32 size, u32 totalsize, int err,
		       struct fdt_diag *diag)
{
	if (off < FDT_HEADER_SIZE || off > totalsize || size > totalsize - off)
		return fail(diag, err, off, size);
	return 0;
}

/*
 * Checks magic, version, totalsize and the three block ranges, and fills
 * the block bounds of *fdt. Returns 0 or a negative code.
 */
static int check_header(struct fdt *fdt, const u8 *b, size_t maxsize,
			struct fdt_diag *diag)
{
	u32 magic, total, off, size;
	int err;

	if (maxsize < FDT_HEADER_SIZE)
		return fail(diag, FDT_ERR_TOTALSIZE, 0, (u32)maxsize);
	magic = fdt_be32(b + HDR_MAGIC);
	if (magic != FDT_MAGIC)
		return fail(diag, FDT_ERR_MAGIC, HDR_MAGIC, magic);
	if (fdt_be32(b + HDR_VERSION) < FDT_VERSION ||
	    fdt_be32(b + HDR_LAST_COMP) > FDT_VERSION)
		return fail(diag, FDT_ERR_VERSION, HDR_VERSION,
			    fdt_be32(b + HDR_VERSION));
	total = fdt_be32(b + HDR_TOTALSIZE);
	if (total < FDT_HEADER_SIZE || total > maxsize || total > 0x7fffffffU)
		return fail(diag, FDT_ERR_TOTALSIZE, HDR_TOTALSIZE, total);
	fdt->blob = b;
	fdt->size = total;

	off = fdt_be32(b + HDR_OFF_STRUCT);
	size = fdt_be32(b + HDR_SIZE_STRUCT);
	err = check_block(off, size, total, FDT_ERR_STRUCT_RANGE, diag);
	if (err)
		return err;
	fdt->struct_off = off;
	fdt->struct_end = off + size;

	off = fdt_be32(b + HDR_OFF_STRINGS);
	size = fdt_be32(b + HDR_SIZE_STRINGS);
	err = check_block(off, size, total, FDT_ERR_STRINGS_RANGE, diag);
	fdt->strings_off = off;
	fdt->strings_size = size;
	return err;
}

/*
 * Counts the reservation-map entries: each 16-byte entry must lie inside
 * the blob and the map must end with a 0/0 entry. Returns 0 or -err.
 */
static int check_rsvmap(struct fdt *fdt, struct fdt_diag *diag)
{
	u32 off = fdt_be32(fdt->blob + HDR_OFF_RSVMAP);
	u32 n = 0;

	if (off < FDT_HEADER_SIZE || (off & 7) != 0)
		return fail(diag, FDT_ERR_RSVMAP_RANGE, HDR_OFF_RSVMAP, off);
	fdt->rsvmap_off = off;
	for (;;) {
		u32 e = off + n * RSV_ENTRY_SIZE;

		if (e < off || e > fdt->size || fdt->size - e < RSV_ENTRY_SIZE)
			return fail(diag, FDT_ERR_RSVMAP_RANGE, e, n);
		if (fdt_be64(fdt->blob + e) == 0 &&
		    fdt_be64(fdt->blob + e + 8) == 0)
			break;
		n++;
	}
	fdt->nrsv = n;
	return 0;
}

/* Nesting state of the structure walk in check_struct(). */
struct walk {
	int depth;
	bool root_seen;
	bool child_closed; /* a subnode ended since the last BEGIN_NODE */
};

/*
 * Applies one token to the walk state: nodes must nest properly under one
 * root, no deeper than FDT_MAX_DEPTH, and properties come before subnodes.
 * Returns 1 at the END token, 0 to go on, or a negative code.
 */
static int walk_step(struct walk *w, const struct tag *t, u32 off,
		     struct fdt_diag *diag)
{
	switch (t->token) {
	case FDT_BEGIN_NODE:
		if (w->root_seen && w->depth == 0)
			return fail(diag, FDT_ERR_STRUCTURE, off, t->token);
		if (++w->depth > FDT_MAX_DEPTH)
			return fail(diag, FDT_ERR_DEPTH, off, w->depth);
		w->root_seen = true;
		w->child_closed = false;
		return 0;
	case FDT_END_NODE:
		if (w->depth == 0)
			return fail(diag, FDT_ERR_STRUCTURE, off, t->token);
		w->depth--;
		w->child_closed = true;
		return 0;
	case FDT_PROP:
		if (w->depth == 0 || w->child_closed)
			return fail(diag, FDT_ERR_BADTOKEN, off, t->token);
		return 0;
	case FDT_END:
		if (w->depth != 0 || !w->root_seen)
			return fail(diag, FDT_ERR_STRUCTURE, off, t->token);
		return 1;
	default: /* FDT_NOP */
		return 0;
	}
}

/*
 * Walks the whole structure block, validating every token. Terminates
 * because each token advances by at least 4 bytes and tag_at() fails at the
 * end of the block. Returns 0 or a negative code.
 */
static int check_struct(const struct fdt *fdt, struct fdt_diag *diag)
{
	struct walk w = {0};
	struct tag t;
	u32 off = fdt->struct_off;
	int r;

	for (;;) {
		r = tag_at(fdt, off, &t, diag);
		if (r < 0)
			return r;
		r = walk_step(&w, &t, off, diag);
		if (r < 0)
			return r;
		if (r == 1)
			return 0;
		off = t.next;
	}
}

int fdt_open(struct fdt *fdt, const void *blob, size_t maxsize,
	     struct fdt_diag *diag)
{
	int err;

	if (diag)
		*diag = (struct fdt_diag){0};
	memset(fdt, 0, sizeof(*fdt));
	err = check_header(fdt, blob, maxsize, diag);
	if (!err)
		err = check_rsvmap(fdt, diag);
	if (!err)
		err = check_struct(fdt, diag);
	if (err)
		memset(fdt, 0, sizeof(*fdt));
	return err;
}

int fdt_check(const void *blob, size_t maxsize, struct fdt_diag *diag)
{
	struct fdt fdt;

	return fdt_open(&fdt, blob, maxsize, diag);
}

int fdt_get_rsv(const struct fdt *fdt, u32 i, u64 *addr, u64 *size)
{
	const u8 *e;

	if (i >= fdt->nrsv)
		return -FDT_ERR_NOTFOUND;
	e = fdt->blob + fdt->rsvmap_off + i * RSV_ENTRY_SIZE;
	*addr = fdt_be64(e);
	*size = fdt_be64(e + 8);
	return 0;
}

/*
 * Decodes the BEGIN_NODE at node. Returns 0, or -FDT_ERR_BADTOKEN when node
 * is not the offset of a node.
 */
static int node_tag(const struct fdt *fdt, int node, struct tag *t)
{
	if (node < 0 || tag_at(fdt, (u32)node, t, NULL) < 0 ||
	    t->token != FDT_BEGIN_NODE)
		return -FDT_ERR_BADTOKEN;
	return 0;
}

/*
 * Skips NOPs (and, with props set, properties) from off. Returns the
 * offset of the first other token, with it decoded in *t, or a negative
 * code.
 */
static int skip_filler(const struct fdt *fdt, u32 off, bool props,
		       struct tag *t)
{
	for (;;) {
		if (tag_at(fdt, off, t, NULL) < 0)
			return -FDT_ERR_TRUNCATED;
		if (t->token != FDT_NOP && !(props && t->token == FDT_PROP))
			return (int)off;
		off = t->next;
	}
}

int fdt_root(const struct fdt *fdt)
{
	struct tag t;
	int off = skip_filler(fdt, fdt->struct_off, false, &t);

	if (off < 0 || t.token != FDT_BEGIN_NODE)
		return -FDT_ERR_NOTFOUND;
	return off;
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	struct tag t;
	int off;

	if (node_tag(fdt, node, &t) < 0)
		return -FDT_ERR_NOTFOUND;
	off = skip_filler(fdt, t.next, true, &t);
	if (off < 0 || t.token != FDT_BEGIN_NODE)
		return -FDT_ERR_NOTFOUND;
	return off;
}

/*
 * Returns the offset just past the END_NODE that closes node, or a
 * negative code.
 */
static int node_end(const struct fdt *fdt, int node)
{
	struct tag t;
	u32 off;
	int depth = 0;

	if (node_tag(fdt, node, &t) < 0)
		return -FDT_ERR_NOTFOUND;
	for (off = (u32)node;; off = t.next) {
		if (tag_at(fdt, off, &t, NULL) < 0 || t.token == FDT_END)
			return -FDT_ERR_TRUNCATED;
		if (t.token == FDT_BEGIN_NODE)
			depth++;
		else if (t.token == FDT_END_NODE && --depth == 0)
			return (int)t.next;
	}
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	struct tag t;
	int off = node_end(fdt, node);

	if (off >= 0)
		off = skip_filler(fdt, (u32)off, true, &t);
	if (off < 0 || t.token != FDT_BEGIN_NODE)
		return -FDT_ERR_NOTFOUND;
	return off;
}

int fdt_next_node(const struct fdt *fdt, int node)
{
	struct tag t;
	u32 off;

	if (node < 0)
		return fdt_root(fdt);
	if (node_tag(fdt, node, &t) < 0)
		return -FDT_ERR_NOTFOUND;
	for (off = t.next;; off = t.next) {
		if (tag_at(fdt, off, &t, NULL) < 0 || t.token == FDT_END)
			return -FDT_ERR_NOTFOUND;
		if (t.token == FDT_BEGIN_NODE)
			return (int)off;
	}
}

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH + 1];
	int depth = 0;
	struct tag t;
	u32 off;

	for (off = fdt->struct_off;; off = t.next) {
		if (tag_at(fdt, off, &t, NULL) < 0 || t.token == FDT_END)
			return -FDT_ERR_NOTFOUND;
		if (t.token == FDT_BEGIN_NODE) {
			if ((int)off == node)
				return depth > 0 ? stack[depth - 1]
						 : -FDT_ERR_NOTFOUND;
			if (depth > FDT_MAX_DEPTH)
				return -FDT_ERR_NOTFOUND;
			stack[depth++] = (int)off;
		} else if (t.token == FDT_END_NODE && depth > 0) {
			depth--;
		}
	}
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	struct tag t;

	if (node_tag(fdt, node, &t) < 0)
		return NULL;
	return t.name;
}

/* True when none of the n bytes at s is c. */
static bool lacks_char(const char *s, size_t n, char c)
{
	while (n-- > 0)
		if (*s++ == c)
			return false;
	return true;
}

/*
 * True when node name matches the path component comp of length n: exactly,
 * or up to a unit address when comp has none.
 */
static bool name_matches(const char *name, const char *comp, size_t n)
{
	if (strncmp(name, comp, n) != 0 || strnlen(name, n) != n)
		return false;
	if (name[n] == '\0')
		return true;
	return name[n] == '@' && lacks_char(comp, n, '@');
}

/* Child of parent matching the component comp of length n, or an error. */
static int find_child(const struct fdt *fdt, int parent, const char *comp,
		      size_t n)
{
	int child;

	for (child = fdt_first_child(fdt, parent); child >= 0;
	     child = fdt_next_sibling(fdt, child)) {
		const char *name = fdt_node_name(fdt, child);

		if (name && name_matches(name, comp, n))
			return child;
	}
	return -FDT_ERR_NOTFOUND;
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	int node = fdt_root(fdt);

	if (path[0] != '/')
		return -FDT_ERR_NOTFOUND;
	while (node >= 0 && *path != '\0') {
		const char *end;

		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		for (end = path; *end != '\0' && *end != '/'; end++)
			;
		node = find_child(fdt, node, path, (size_t)(end - path));
		path = end;
	}
	return node;
}

const void *fdt_getprop(const struct fdt *fdt, int node, const char *name,
			int *len)
{
	struct tag t;
	u32 off;

	if (node_tag(fdt, node, &t) < 0)
		return NULL;
	for (off = t.next;; off = t.next) {
		if (tag_at(fdt, off, &t, NULL) < 0)
			return NULL;
		if (t.token == FDT_NOP)
			continue;
		if (t.token != FDT_PROP)
			return NULL;
		if (strcmp(t.name, name) == 0)
			break;
	}
	if (len)
		*len = (int)t.len;
	return t.value;
}

const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (!s || len < 1 || strnlen(s, (size_t)len) == (size_t)len)
		return NULL;
	return s;
}

bool fdt_prop_u32(const struct fdt *fdt, int node, const char *name, u32 *out)
{
	int len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len != 4)
		return false;
	*out = fdt_be32(p);
	return true;
}

bool fdt_prop_num(const struct fdt *fdt, int node, const char *name, u64 *out)
{
	int len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	if (!p || (len != 4 && len != 8))
		return false;
	*out = fdt_read_cells(p, len / 4);
	return true;
}

u64 fdt_read_cells(const void *p, int n)
{
	if (n == 1)
		return fdt_be32(p);
	if (n == 2)
		return fdt_be64(p);
	return 0;
}

int fdt_node_by_phandle(const struct fdt *fdt, u32 ph)
{
	int node;
	u32 v;

	if (ph == 0 || ph == 0xffffffffU)
		return -FDT_ERR_NOTFOUND;
	for (node = fdt_root(fdt); node >= 0; node = fdt_next_node(fdt, node)) {
		if ((fdt_prop_u32(fdt, node, "phandle", &v) ||
		     fdt_prop_u32(fdt, node, "linux,phandle", &v)) &&
		    v == ph)
			return node;
	}
	return -FDT_ERR_NOTFOUND;
}

bool fdt_stringlist_contains(const char *value, int len, const char *str)
{
	size_t want = strlen(str);
	int pos = 0;

	while (pos < len) {
		size_t n = strnlen(value + pos, (size_t)(len - pos));

		if (n == (size_t)(len - pos))
			return false; /* the last string is not terminated */
		if (n == want && memcmp(value + pos, str, n) == 0)
			return true;
		pos += (int)n + 1;
	}
	return false;
}

bool fdt_node_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	int len;
	const char *v = fdt_getprop(fdt, node, "compatible", &len);

	return v && fdt_stringlist_contains(v, len, compat);
}

int fdt_find_compatible(const struct fdt *fdt, int from, const char *compat)
{
	int node = fdt_next_node(fdt, from);

	for (; node >= 0; node = fdt_next_node(fdt, node))
		if (fdt_node_is_compatible(fdt, node, compat))
			return node;
	return -FDT_ERR_NOTFOUND;
}

bool fdt_node_enabled(const struct fdt *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	if (!s)
		return true;
	return fdt_stringlist_contains(s, len, "okay") ||
	       fdt_stringlist_contains(s, len, "ok");
}

int fdt_child_cells(const struct fdt *fdt, int node, int *acells, int *scells)
{
	u32 a = 2, s = 1;

	fdt_prop_u32(fdt, node, "#address-cells", &a);
	fdt_prop_u32(fdt, node, "#size-cells", &s);
	if (a < 1 || a > 2 || s > 2)
		return -FDT_ERR_BADVALUE;
	*acells = (int)a;
	*scells = (int)s;
	return 0;
}

int fdt_reg(const struct fdt *fdt, int parent, int node, int index, u64 *base,
	    u64 *size)
{
	int acells, scells, len, entry, err;
	const u8 *reg;

	if (parent < 0)
		parent = fdt_parent(fdt, node);
	if (parent < 0)
		return -FDT_ERR_NOTFOUND;
	err = fdt_child_cells(fdt, parent, &acells, &scells);
	if (err)
		return err;
	reg = fdt_getprop(fdt, node, "reg", &len);
	entry = (acells + scells) * 4;
	if (!reg || index < 0 || len / entry <= index)
		return -FDT_ERR_NOTFOUND;
	reg += index * entry;
	*base = fdt_read_cells(reg, acells);
	*size = scells ? fdt_read_cells(reg + acells * 4, scells) : 0;
	return 0;
}
