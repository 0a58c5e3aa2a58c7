/*
 * mkfs: builds a calf file-system image on the host, or checks one.
 *
 *   mkfs OUT.img [--size BLOCKS] [--inodes N] [--fragment DIR] SPEC...
 *   mkfs --check [--clean] IMG
 *
 * Each SPEC adds to the root directory:
 *   PATH          the host file PATH under its base name, without a
 *                 leading '_' (the build names user programs _cat etc.);
 *   NAME=PATH     the host file PATH as NAME, which may contain slashes
 *                 (missing directories are created);
 *   DIR/          an empty directory (nested ones like a/b/ too).
 *
 * --fragment DIR (for tests) then fills the data area with files DIR/fN,
 * leaving exactly the last block of each bitmap block's region free (plus
 * a few blocks at the end): the free blocks a program allocates next each
 * lie under a different bitmap block, the worst case for the log.
 *
 * The image is laid out as uapi/fs.h describes: boot block, superblock,
 * LOGBLOCKS+1 log blocks, inode blocks, bitmap, data. It is assembled in
 * memory and written at the end, so a failure leaves no half image.
 *
 * --check replays a committed log transaction in memory, then checks the
 * superblock, every inode, the directory tree (".", "..", link counts) and
 * that the bitmap marks exactly the blocks in use. It prints what is wrong
 * and exits 1 when the image is inconsistent. An allocated inode that no
 * directory names is reported with its type, size and blocks: after a
 * crash it is a file that was open and unlinked, which is legal; with
 * --clean (the image was shut down with every process gone) it is a leak
 * and an error.
 *
 * Host C with the standard library only; the on-disk structures come from
 * the kernel's uapi headers so both sides always agree.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/uapi/fs.h"
#include "../include/uapi/param.h"
#include "../include/uapi/stat.h"

#define DEFAULT_INODES 200
#define MAXFILE_BYTES  ((unsigned long)MAXFILE * BSIZE)

static unsigned char *img; /* the whole image, sb.size blocks */
static struct superblock sb;
static unsigned int next_block; /* next free data block while building */
static const char *fragment_dir;  /* --fragment DIR */
static unsigned int data_start;   /* first data block */
static unsigned int next_inum = ROOTINO;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mkfs: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static unsigned char *block(unsigned int b)
{
	if (b >= sb.size)
		die("internal error: block %u beyond image", b);
	return img + (size_t)b * BSIZE;
}

static struct dinode *dinode(unsigned int inum)
{
	if (inum < ROOTINO || inum >= sb.ninodes)
		die("internal error: inode %u out of range", inum);
	return (struct dinode *)block(IBLOCK(inum, sb)) + inum % IPB;
}

/* ---- building ---- */

/* Computes the layout and allocates the in-memory image. */
static void layout(unsigned int size, unsigned int ninodes)
{
	unsigned int nlog = LOGBLOCKS + 1;
	unsigned int ninodeblocks = ninodes / IPB + 1;
	unsigned int nbitmap = size / BPB + 1;
	unsigned int nmeta = 2 + nlog + ninodeblocks + nbitmap;

	if (ninodes < 2 || ninodes > 65535)
		die("--inodes must be between 2 and 65535");
	if (size <= nmeta + 1)
		die("--size %u leaves no data blocks", size);
	sb.magic = FSMAGIC;
	sb.size = size;
	sb.nblocks = size - nmeta;
	sb.ninodes = ninodes;
	sb.nlog = nlog;
	sb.logstart = 2;
	sb.inodestart = 2 + nlog;
	sb.bmapstart = 2 + nlog + ninodeblocks;
	next_block = data_start = nmeta;
	img = calloc(size, BSIZE);
	if (img == NULL)
		die("out of memory for a %u-block image", size);
}

/* With --fragment, the last block of every bitmap region stays free. */
static int is_hole(unsigned int b)
{
	return fragment_dir != NULL && b >= data_start && b % BPB == BPB - 1;
}

/* Blocks from next_block to the end that new_block() can still hand out. */
static unsigned int blocks_left(void)
{
	unsigned int n = sb.size - next_block;

	if (fragment_dir != NULL) /* minus the holes in [next_block, size) */
		n -= sb.size / BPB - next_block / BPB;
	return n;
}

static unsigned int new_block(void)
{
	while (next_block < sb.size && is_hole(next_block))
		next_block++;
	if (next_block >= sb.size)
		die("image full: use a larger --size");
	return next_block++;
}

static unsigned int new_inode(short type)
{
	struct dinode *d;

	if (next_inum >= sb.ninodes)
		die("out of inodes: use a larger --inodes");
	d = dinode(next_inum);
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->nlink = 1;
	return next_inum++;
}

/* The disk block holding byte off of inode inum, allocated if missing. */
static unsigned int file_block(unsigned int inum, unsigned int off)
{
	struct dinode *d = dinode(inum);
	unsigned int bn = off / BSIZE;
	unsigned int *ind;

	if (bn < NDIRECT) {
		if (d->addrs[bn] == 0)
			d->addrs[bn] = new_block();
		return d->addrs[bn];
	}
	bn -= NDIRECT;
	if (bn >= NINDIRECT)
		die("file larger than MAXFILE (%lu bytes)", MAXFILE_BYTES);
	if (d->addrs[NDIRECT] == 0)
		d->addrs[NDIRECT] = new_block();
	ind = (unsigned int *)block(d->addrs[NDIRECT]);
	if (ind[bn] == 0)
		ind[bn] = new_block();
	return ind[bn];
}

/* Appends n bytes to inode inum. */
static void append(unsigned int inum, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n > 0) {
		struct dinode *d = dinode(inum);
		unsigned int off = d->size;
		size_t m = BSIZE - off % BSIZE;

		if (m > n)
			m = n;
		if ((unsigned long)off + m > MAXFILE_BYTES)
			die("file larger than MAXFILE (%lu bytes)",
			    MAXFILE_BYTES);
		memcpy(block(file_block(inum, off)) + off % BSIZE, p, m);
		d->size = off + (unsigned int)m;
		p += m;
		n -= m;
	}
}

/* The inode named name in directory dir, or 0. */
static unsigned int lookup(unsigned int dir, const char *name)
{
	struct dinode *d = dinode(dir);

	for (unsigned int off = 0; off < d->size;
	     off += sizeof(struct dirent)) {
		struct dirent *de =
		    (struct dirent *)(block(file_block(dir, off)) +
				      off % BSIZE);
		if (de->inum != 0 && strncmp(de->name, name, DIRSIZ) == 0)
			return de->inum;
	}
	return 0;
}

static void add_entry(unsigned int dir, const char *name, unsigned int inum)
{
	struct dirent de;

	if (strlen(name) > DIRSIZ)
		die("name '%s' longer than %d characters", name, DIRSIZ);
	if (lookup(dir, name) != 0)
		die("'%s' given twice", name);
	memset(&de, 0, sizeof(de));
	de.inum = (unsigned short)inum;
	memcpy(de.name, name, strlen(name)); /* NUL-padded by the memset */
	append(dir, &de, sizeof(de));
}

static unsigned int make_dir(unsigned int parent, const char *name)
{
	unsigned int inum = new_inode(T_DIR);

	add_entry(inum, ".", inum);
	add_entry(inum, "..", parent);
	if (name != NULL) {
		add_entry(parent, name, inum);
		dinode(parent)->nlink++; /* the new ".." */
	}
	return inum;
}

/*
 * Walks the directories of path, creating missing ones. Returns the
 * directory that should hold the last element, which goes to *last (NULL
 * when path ends with '/', i.e. names only directories).
 */
static unsigned int walk_dirs(char *path, char **last)
{
	unsigned int dir = ROOTINO;
	char *elem = path, *slash;

	while ((slash = strchr(elem, '/')) != NULL) {
		*slash = '\0';
		if (*elem != '\0') {
			unsigned int sub = lookup(dir, elem);
			if (sub == 0)
				sub = make_dir(dir, elem);
			else if (dinode(sub)->type != T_DIR)
				die("'%s' is not a directory", elem);
			dir = sub;
		}
		elem = slash + 1;
	}
	*last = *elem != '\0' ? elem : NULL;
	return dir;
}

static void add_file(const char *image_path, const char *host_path)
{
	char path[1024], buf[BSIZE];
	char *name;
	unsigned int dir, inum;
	size_t n;
	FILE *f;

	if (strlen(image_path) >= sizeof(path))
		die("path too long: %s", image_path);
	strcpy(path, image_path);
	dir = walk_dirs(path, &name);
	if (name == NULL || host_path == NULL)
		return; /* "DIR/": only directories */
	f = fopen(host_path, "rb");
	if (f == NULL)
		die("cannot open %s", host_path);
	inum = new_inode(T_FILE);
	add_entry(dir, name, inum);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		append(inum, buf, n);
	if (ferror(f))
		die("error reading %s", host_path);
	fclose(f);
}

/* Turns one command-line SPEC into an image path and a host path. */
static void add_spec(const char *spec)
{
	const char *eq = strchr(spec, '=');
	const char *base;
	size_t len = strlen(spec);

	if (eq != NULL) {
		char name[1024];
		if ((size_t)(eq - spec) >= sizeof(name))
			die("name too long in %s", spec);
		memcpy(name, spec, eq - spec);
		name[eq - spec] = '\0';
		add_file(name, eq + 1);
	} else if (len > 0 && spec[len - 1] == '/') {
		add_file(spec, NULL);
	} else {
		base = strrchr(spec, '/');
		base = base ? base + 1 : spec;
		if (base[0] == '_' && base[1] != '\0')
			base++;
		add_file(base, spec);
	}
}

/*
 * --fragment: fills the rest of the data area with files DIR/f0, f1, ...
 * of up to MAXFILE blocks, skipping the holes, until only a few blocks
 * are left for the directory to grow into.
 */
static void fill_fragmented(const char *dir)
{
	static const unsigned char zero[BSIZE];
	unsigned int d = make_dir(ROOTINO, dir);

	for (unsigned int k = 0; blocks_left() > 8; k++) {
		char name[DIRSIZ + 1];
		unsigned int inum, want;

		snprintf(name, sizeof(name), "f%u", k);
		inum = new_inode(T_FILE);
		add_entry(d, name, inum);
		want = blocks_left() - 4; /* the indirect block, dir growth */
		if (want > MAXFILE)
			want = MAXFILE;
		for (unsigned int i = 0; i < want; i++)
			append(inum, zero, BSIZE);
	}
}

/* Marks every block used so far in the bitmap. */
static void write_bitmap(void)
{
	for (unsigned int b = 0; b < next_block; b++)
		if (!is_hole(b))
			block(BBLOCK(b, sb))[(b % BPB) / 8] |= 1u << (b % 8);
}

static void write_image(const char *out)
{
	FILE *f = fopen(out, "wb");

	if (f == NULL)
		die("cannot create %s", out);
	if (fwrite(img, BSIZE, sb.size, f) != sb.size || fclose(f) != 0)
		die("error writing %s", out);
}

/* ---- checking ---- */

static int nerrors;

static void bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mkfs --check: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	nerrors++;
}

static unsigned char *used; /* per block: times referenced */
static int *refs;	    /* per inode: directory entries naming it */
static int clean_shutdown;  /* --clean: an unnamed inode is a leak */

static int is_data(unsigned int b)
{
	return b >= sb.size - sb.nblocks && b < sb.size;
}

static void use_block(unsigned int inum, unsigned int b)
{
	if (!is_data(b)) {
		bad("inode %u: block %u outside the data area", inum, b);
		return;
	}
	if (used[b]++ != 0)
		bad("inode %u: block %u used twice", inum, b);
}

static int check_super(unsigned long devblocks)
{
	unsigned long ninodeblocks = (sb.ninodes + IPB - 1) / IPB;
	unsigned long nbitmap = (sb.size + BPB - 1) / BPB;

	if (sb.magic != FSMAGIC)
		bad("bad magic %#x", sb.magic);
	else if (sb.size > devblocks || sb.size < 2)
		bad("superblock size %u but image has %lu blocks", sb.size,
		    devblocks);
	else if (sb.logstart < 2 || sb.nlog < 2 ||
		 (unsigned long)sb.logstart + sb.nlog > sb.inodestart)
		bad("bad log area");
	else if (sb.ninodes < 2 || sb.ninodes > 65536 ||
		 sb.inodestart + ninodeblocks > sb.bmapstart)
		bad("bad inode area");
	else if (sb.nblocks == 0 || sb.nblocks >= sb.size ||
		 sb.bmapstart + nbitmap > sb.size - sb.nblocks)
		bad("bad data area");
	return nerrors == 0;
}

static void replay_log(void)
{
	struct logheader *lh = (struct logheader *)block(sb.logstart);

	if (lh->n == 0)
		return;
	if (lh->n < 0 || (unsigned int)lh->n >= sb.nlog) {
		bad("log header count %d out of range", lh->n);
		return;
	}
	printf("log holds a committed transaction of %d blocks: replaying "
	       "it in memory\n",
	       lh->n);
	for (int i = 0; i < lh->n; i++) {
		unsigned int b = (unsigned int)lh->block[i];
		if (b < sb.logstart + sb.nlog || b >= sb.size) {
			bad("logged block %u out of range", b);
			return;
		}
		memcpy(block(b), block(sb.logstart + 1 + i), BSIZE);
	}
	lh->n = 0;
}

/*
 * Records the blocks of one inode and checks its size. Blocks past the
 * size are legal: a write that failed half way leaves them allocated.
 */
static void check_inode_blocks(unsigned int inum, const struct dinode *d)
{
	if (d->size > MAXFILE_BYTES)
		bad("inode %u: size %u beyond MAXFILE", inum, d->size);
	for (int i = 0; i < NDIRECT; i++)
		if (d->addrs[i] != 0)
			use_block(inum, d->addrs[i]);
	if (d->addrs[NDIRECT] == 0)
		return;
	use_block(inum, d->addrs[NDIRECT]);
	if (!is_data(d->addrs[NDIRECT]))
		return;
	const unsigned int *ind =
	    (const unsigned int *)block(d->addrs[NDIRECT]);
	for (unsigned int i = 0; i < NINDIRECT; i++)
		if (ind[i] != 0)
			use_block(inum, ind[i]);
}

/* The entry at off in directory inum, without allocating; NULL in a hole. */
static const struct dirent *dir_entry(unsigned int inum, unsigned int off)
{
	const struct dinode *d = dinode(inum);
	unsigned int bn = off / BSIZE, b;

	if (bn < NDIRECT) {
		b = d->addrs[bn];
	} else {
		if (!is_data(d->addrs[NDIRECT]))
			return NULL;
		b = ((const unsigned int *)block(
		    d->addrs[NDIRECT]))[bn - NDIRECT];
	}
	if (b == 0 || !is_data(b))
		return NULL;
	return (const struct dirent *)(block(b) + off % BSIZE);
}

/* Checks directory inum (whose parent is parent) and recurses. */
static void check_dir(unsigned int inum, unsigned int parent, int depth)
{
	const struct dinode *d = dinode(inum);

	if (depth > 64) {
		bad("directory %u: tree too deep (a loop?)", inum);
		return;
	}
	if (d->size % sizeof(struct dirent) != 0 ||
	    d->size < 2 * sizeof(struct dirent)) {
		bad("directory %u: bad size %u", inum, d->size);
		return;
	}
	for (unsigned int off = 0; off < d->size;
	     off += sizeof(struct dirent)) {
		const struct dirent *de = dir_entry(inum, off);
		char name[DIRSIZ + 1];

		if (de == NULL || de->inum == 0) {
			if (off < 2 * sizeof(struct dirent))
				bad("directory %u: missing . or ..", inum);
			continue;
		}
		memcpy(name, de->name, DIRSIZ);
		name[DIRSIZ] = '\0';
		if (off == 0) {
			if (strcmp(name, ".") != 0 || de->inum != inum)
				bad("directory %u: bad '.'", inum);
			continue;
		}
		if (off == sizeof(struct dirent)) {
			if (strcmp(name, "..") != 0 || de->inum != parent)
				bad("directory %u: bad '..'", inum);
			if (inum != ROOTINO)
				refs[parent]++;
			continue;
		}
		if (de->inum >= sb.ninodes) {
			bad("directory %u: '%s' names inode %u out of range",
			    inum, name, de->inum);
			continue;
		}
		const struct dinode *c = dinode(de->inum);
		if (c->type == 0) {
			bad("directory %u: '%s' names free inode %u", inum,
			    name, de->inum);
			continue;
		}
		refs[de->inum]++;
		if (c->type == T_DIR) {
			if (refs[de->inum] > 1)
				bad("directory %u linked twice", de->inum);
			else
				check_dir(de->inum, inum, depth + 1);
		}
	}
}

/* Data blocks inode d holds, counting its indirect block. */
static unsigned int count_blocks(const struct dinode *d)
{
	unsigned int n = 0;

	for (int i = 0; i < NDIRECT; i++)
		n += d->addrs[i] != 0;
	if (d->addrs[NDIRECT] == 0)
		return n;
	n++;
	if (!is_data(d->addrs[NDIRECT]))
		return n;
	const unsigned int *ind =
	    (const unsigned int *)block(d->addrs[NDIRECT]);
	for (unsigned int i = 0; i < NINDIRECT; i++)
		n += ind[i] != 0;
	return n;
}

/*
 * An allocated inode that no directory names: legal after a crash (a file
 * open and unlinked at that moment), a leak after a clean shutdown. Either
 * way say what it is, so that a leak names the object leaked.
 */
static void report_unnamed(unsigned int inum, const struct dinode *d)
{
	static const char *const types[] = {"?", "directory", "file", "device"};
	const char *type =
	    d->type >= T_DIR && d->type <= T_DEVICE ? types[d->type] : types[0];

	if (clean_shutdown)
		bad("inode %u leaked: %s, nlink %d, size %u, %u blocks, "
		    "named by no directory",
		    inum, type, d->nlink, d->size, count_blocks(d));
	else
		printf("note: inode %u is unlinked but allocated (%s, size %u, "
		       "%u blocks; an open file at the crash)\n",
		       inum, type, d->size, count_blocks(d));
}

static void check_counts(void)
{
	unsigned int nfree_inodes = 0, nfree_blocks = 0;

	for (unsigned int inum = ROOTINO; inum < sb.ninodes; inum++) {
		const struct dinode *d = dinode(inum);
		int want = refs[inum] + (inum == ROOTINO);

		if (d->type == 0) {
			nfree_inodes++;
			continue;
		}
		if (d->nlink == 0 && want == 0)
			report_unnamed(inum, d);
		else if (d->nlink != want)
			bad("inode %u: nlink %d but %d references", inum,
			    d->nlink, want);
	}
	for (unsigned int b = 0; b < sb.size; b++) {
		int marked =
		    (block(BBLOCK(b, sb))[(b % BPB) / 8] >> (b % 8)) & 1;
		int in_use = is_data(b) ? used[b] > 0 : 1;

		if (marked && !in_use)
			bad("block %u marked in use but unreferenced", b);
		if (!marked && in_use)
			bad("block %u in use but free in the bitmap", b);
		if (!marked)
			nfree_blocks++;
	}
	printf("%u blocks (%u data, %u free), %u inodes (%u free)\n", sb.size,
	       sb.nblocks, nfree_blocks, sb.ninodes, nfree_inodes);
}

static int check_image(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0)
		die("cannot read %s", path);
	if (len < 2 * BSIZE || len % BSIZE != 0)
		die("%s: size %ld is not a whole number of blocks", path, len);
	rewind(f);
	img = malloc(len);
	if (img == NULL || fread(img, 1, len, f) != (size_t)len)
		die("cannot read %s", path);
	fclose(f);
	memcpy(&sb, img + BSIZE, sizeof(sb));
	if (!check_super(len / BSIZE))
		return 1;
	replay_log();
	used = calloc(sb.size, 1);
	refs = calloc(sb.ninodes, sizeof(int));
	for (unsigned int inum = ROOTINO; inum < sb.ninodes; inum++) {
		const struct dinode *d = dinode(inum);
		if (d->type == 0)
			continue;
		if (d->type != T_DIR && d->type != T_FILE &&
		    d->type != T_DEVICE)
			bad("inode %u: bad type %d", inum, d->type);
		else
			check_inode_blocks(inum, d);
	}
	if (dinode(ROOTINO)->type != T_DIR)
		bad("root inode is not a directory");
	else
		check_dir(ROOTINO, ROOTINO, 0);
	check_counts();
	if (nerrors)
		printf("%s: %d problems\n", path, nerrors);
	else
		printf("%s: clean\n", path);
	return nerrors ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mkfs OUT.img [--size BLOCKS] [--inodes N] "
			"[--fragment DIR] [FILE | NAME=FILE | DIR/]...\n"
			"       mkfs --check [--clean] IMG\n");
	exit(2);
}

static unsigned int number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 0x7fffffffUL)
		usage();
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	unsigned int size = FSSIZE, ninodes = DEFAULT_INODES;
	const char *out;
	int first;

	if (argc == 3 && strcmp(argv[1], "--check") == 0)
		return check_image(argv[2]);
	if (argc == 4 && strcmp(argv[1], "--check") == 0 &&
	    strcmp(argv[2], "--clean") == 0) {
		clean_shutdown = 1;
		return check_image(argv[3]);
	}
	if (argc < 2 || argv[1][0] == '-')
		usage();
	out = argv[1];
	for (first = 2; first < argc && strncmp(argv[first], "--", 2) == 0;
	     first += 2) {
		if (first + 1 >= argc)
			usage();
		if (strcmp(argv[first], "--size") == 0)
			size = number(argv[first + 1]);
		else if (strcmp(argv[first], "--inodes") == 0)
			ninodes = number(argv[first + 1]);
		else if (strcmp(argv[first], "--fragment") == 0)
			fragment_dir = argv[first + 1];
		else
			usage();
	}
	layout(size, ninodes);
	memcpy(block(1), &sb, sizeof(sb));
	if (make_dir(ROOTINO, NULL) != ROOTINO)
		die("internal error: root is not inode %d", ROOTINO);
	for (int i = first; i < argc; i++)
		add_spec(argv[i]);
	if (fragment_dir != NULL)
		fill_fragmented(fragment_dir);
	write_bitmap();
	write_image(out);
	return 0;
}
