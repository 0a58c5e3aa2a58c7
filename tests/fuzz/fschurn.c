/*
 * fschurn SEED [ROUNDS]: concurrent file-system churn, then verification.
 * fschurn SEED big: the same on a large, fragmented disk (see big_run()).
 *
 * Each round NWORKERS processes work at once, each in its own directory
 * /fsc/wN and in a directory they share (/fsc/s, names unique per
 * worker): they create, overwrite, append to, link, unlink, make and
 * remove directories, and unlink open files, with random sizes, chosen
 * by a generator seeded with (SEED, round, worker). Every other round
 * starts with the disk and the inode table nearly full, so that creates,
 * links, mkdirs and writes run into "disk full" and "out of inodes".
 *
 * Each worker keeps a model of what it believes exists: which of its
 * names exist, which file each names (links share one), each file's
 * stamp and length (byte i of a file holds pattern(stamp, i)) and link
 * count. A call that may fail for want of space is allowed to fail, but
 * must then leave nothing behind; every other outcome must match the
 * model. Workers check single files as they go and everything at the end:
 * every name, its type, size, link count and every byte, and that their
 * directories hold nothing else. Then they remove it all.
 *
 * The parent counts the free inodes and data blocks (by filling them)
 * before the first round and after the last: the counts must match. The
 * runner's fsck (mkfs --check --clean) checks the disk after the boot.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "../user/tap.h"
#include "fuzz.h"

#define NWORKERS       4
#define NPLAIN	       70 /* names nXX in the worker's directory: two blocks of it */
#define NSHARED	       16 /* names in the shared directory, hex-numbered */
#define NDIRS	       4  /* subdirectories dK, each with a slot dK/f */
#define NSLOTS	       (NPLAIN + NSHARED + NDIRS)
#define NOBJ	       NSLOTS
#define STEPS	       120
#define DEFAULT_ROUNDS 4
#define IOBUF	       8192
#define TOP	       "/fsc"

static uint64 seed;
static struct rng rng;
static int worker;
static char iobuf[IOBUF];
static char path[64];

struct obj {
	uint32 stamp; /* byte i holds pattern(stamp, i) */
	int len;
	int nlink; /* names in the model (this worker's only) */
};

static struct obj objs[NOBJ];
static int slot_obj[NSLOTS]; /* index into objs, or -1 */
static int dir_exists[NDIRS];
static uint32 gen;
/* Calls refused for want of space (creates, links, mkdirs), writes cut short.
 */
static int refused_create, refused_link, refused_mkdir, shortw;

static inline uint64 mix(uint64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static inline char pattern(uint32 stamp, uint64 off)
{
	return (char)(mix(seed ^ ((uint64)stamp << 24) ^ (off / 8)) >>
		      (8 * (off % 8)));
}

/* Fails the worker: prints what went wrong and exits 1. */
#define broken(...)                                                            \
	do {                                                                   \
		printf("# fschurn: worker %d: ", worker);                      \
		printf(__VA_ARGS__);                                           \
		printf("\n");                                                  \
		exit(1);                                                       \
	} while (0)

/* The path of slot s, relative to the worker's directory. */
static const char *slot_path(int s)
{
	if (s < NPLAIN) {
		path[0] = 'n';
		path[1] = (char)('0' + s / 10);
		path[2] = (char)('0' + s % 10);
		path[3] = '\0';
	} else if (s < NPLAIN + NSHARED) {
		strcpy(path, "../s/w0k0");
		path[6] = (char)('0' + worker);
		path[8] = "0123456789abcdef"[s - NPLAIN];
	} else {
		strcpy(path, "d0/f");
		path[1] = (char)('0' + s - NPLAIN - NSHARED);
	}
	return path;
}

/* A slot whose directory exists (dK/f needs dK). */
static int usable(int s)
{
	return s < NPLAIN + NSHARED || dir_exists[s - NPLAIN - NSHARED];
}

static int new_obj(void)
{
	int i;

	for (i = 0; i < NOBJ; i++)
		if (objs[i].nlink == 0)
			return i;
	broken("no free model object (model bug)");
	return -1;
}

/* Whether path names anything now. */
static int exists(const char *p)
{
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Writes n bytes of the object's pattern at offset off through fd; the count
 * written or -1. */
static int write_pattern(int fd, const struct obj *o, int off, int n)
{
	int done = 0, i, chunk, r;

	while (done < n) {
		chunk = n - done < IOBUF ? n - done : IOBUF;
		for (i = 0; i < chunk; i++)
			iobuf[i] = pattern(o->stamp, (uint64)(off + done + i));
		r = write(fd, iobuf, chunk);
		if (r < 0)
			return done > 0 ? done : -1;
		done += r;
		if (r < chunk)
			break;
	}
	return done;
}

/* Reads n bytes at the current offset of fd and compares them with the pattern;
 * 1 if equal. */
static int read_matches(int fd, const struct obj *o, int off, int n)
{
	int done = 0, i, chunk, r;

	while (done < n) {
		chunk = n - done < IOBUF ? n - done : IOBUF;
		r = read(fd, iobuf, chunk);
		if (r != chunk)
			return 0;
		for (i = 0; i < chunk; i++)
			if (iobuf[i] !=
			    pattern(o->stamp, (uint64)(off + done + i)))
				return 0;
		done += chunk;
	}
	return 1;
}

/* Checks slot s against the model: absent, or type, size, links and bytes. */
static void check_slot(int s)
{
	const char *p = slot_path(s);
	struct stat st;
	struct obj *o;
	int fd;

	if (slot_obj[s] < 0) {
		if (usable(s) && exists(p))
			broken("%s exists but should not", p);
		return;
	}
	o = &objs[slot_obj[s]];
	fd = open(p, O_RDONLY);
	if (fd < 0)
		broken("%s is missing", p);
	if (fstat(fd, &st) < 0 || st.type != T_FILE ||
	    st.size != (uint64)o->len || st.nlink != o->nlink)
		broken("%s: type %d size %lu nlink %d, want a file of %d "
		       "bytes, %d links",
		       p, st.type, (unsigned long)st.size, st.nlink, o->len,
		       o->nlink);
	if (!read_matches(fd, o, 0, o->len) || read(fd, iobuf, 1) != 0)
		broken("%s: content differs from stamp %x", p, o->stamp);
	close(fd);
}

/* Size of an open file, or -1. */
static int fd_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? -1 : (int)st.size;
}

/* A write size: mostly small, sometimes up to 40 KiB (indirect blocks). */
static int gen_size(void)
{
	switch (rng_below(&rng, 6)) {
	case 0:
		return 0;
	case 1:
		return (int)rng_below(&rng, 40 * 1024);
	case 2:
		return BSIZE * (int)(1 + rng_below(&rng, 14));
	default:
		return (int)rng_below(&rng, 3000);
	}
}

/*
 * Creates or truncates slot s and writes a fresh stamp. A create may fail
 * for want of an inode or a directory block (then nothing may exist), a
 * write may stop short when the disk is full (then the size says how far
 * it got).
 */
static void op_write_new(int s, int n)
{
	const char *p = slot_path(s);
	int fd, o, w, size;

	fd = open(p, O_CREATE | O_RDWR | O_TRUNC);
	if (fd < 0) {
		if (slot_obj[s] >= 0)
			broken("cannot open existing %s", p);
		if (exists(slot_path(s)))
			broken("failed create left %s behind", p);
		refused_create++;
		return;
	}
	if (slot_obj[s] < 0) {
		o = new_obj();
		objs[o].nlink = 1;
		slot_obj[s] = o;
	}
	o = slot_obj[s];
	objs[o].stamp = (uint32)mix(seed + ((uint64)worker << 40) + ++gen) | 1;
	objs[o].len = 0;
	w = write_pattern(fd, &objs[o], 0, n);
	size = fd_size(fd);
	close(fd);
	/* A write that fails part way may still have written some blocks. */
	shortw += w != n;
	if ((w == n && size != n) || size < 0 || size > n)
		broken("%s: wrote %d of %d bytes but the size is %d",
		       slot_path(s), w, n, size);
	objs[o].len = size;
}

/* Appends to slot s after reading (and checking) what is there. */
static void op_append(int s)
{
	const char *p = slot_path(s);
	struct obj *o = &objs[slot_obj[s]];
	int fd = open(p, O_RDWR), n = gen_size(), w, size;

	if (fd < 0)
		broken("cannot open %s to append", p);
	if (!read_matches(fd, o, 0, o->len))
		broken("%s: content differs before the append", p);
	w = write_pattern(fd, o, o->len, n);
	size = fd_size(fd);
	close(fd);
	shortw += w != n;
	if ((w == n && size != o->len + n) || size < o->len ||
	    size > o->len + n)
		broken("%s: appended %d of %d bytes to %d but the size is %d",
		       slot_path(s), w, n, o->len, size);
	o->len = size;
}

/* Links slot b to slot a's file. May fail only for want of a directory block.
 */
static void op_link(int a, int b)
{
	char from[64];

	strcpy(from, slot_path(a));
	if (link(from, slot_path(b)) == 0) {
		slot_obj[b] = slot_obj[a];
		objs[slot_obj[a]].nlink++;
	} else if (exists(slot_path(b))) {
		broken("failed link left %s behind", slot_path(b));
	} else {
		refused_link++;
	}
}

static void op_unlink(int s)
{
	int o = slot_obj[s];

	if (unlink(slot_path(s)) < 0)
		broken("cannot unlink %s", slot_path(s));
	slot_obj[s] = -1;
	objs[o].nlink--;
}

/* Opens slot s, unlinks its last name, checks it through the descriptor,
 * closes. */
static void op_unlink_open(int s)
{
	const char *p = slot_path(s);
	struct obj *o = &objs[slot_obj[s]];
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		broken("cannot open %s", p);
	op_unlink(s);
	if (!read_matches(fd, o, 0, o->len))
		broken("%s: unlinked file reads wrong", p);
	close(fd); /* the last close of a file with no names frees it */
}

static void op_mkdir(int d)
{
	char name[4] = {'d', (char)('0' + d), 0, 0};

	if (mkdir(name) == 0)
		dir_exists[d] = 1;
	else if (exists(name))
		broken("failed mkdir left %s behind", name);
	else
		refused_mkdir++;
}

static void op_rmdir(int d)
{
	char name[4] = {'d', (char)('0' + d), 0, 0};
	int full = slot_obj[NPLAIN + NSHARED + d] >= 0;

	if ((unlink(name) == 0) == full)
		broken("unlink of directory %s %s", name,
		       full ? "succeeded though it is not empty"
			    : "failed though it is empty");
	if (!full)
		dir_exists[d] = 0;
}

/* Every name of the model, then nothing else in the worker's directory. */
static void check_all(void)
{
	struct dirent de;
	int s, fd, entries = 0, want = 2, d;

	for (s = 0; s < NSLOTS; s++) {
		check_slot(s);
		if (s < NPLAIN && slot_obj[s] >= 0)
			want++;
	}
	for (d = 0; d < NDIRS; d++)
		want += dir_exists[d];
	fd = open(".", O_RDONLY);
	while (fd >= 0 && read(fd, &de, sizeof(de)) == sizeof(de))
		if (de.inum != 0)
			entries++;
	close(fd);
	if (entries != want)
		broken("directory holds %d entries, the model %d", entries,
		       want);
}

/*
 * Once per worker and round: fills what is left of the disk with files
 * outside the model (../zW_K), links one file to every free name, and
 * removes the fillers. Past 64 names a directory needs another block,
 * just when there is none (unless another worker freed some meanwhile):
 * the link must fail cleanly.
 */
static void op_flood(int s)
{
	static struct obj junk;
	static int flooded;
	char name[8] = {'.', '.', '/', 'z', (char)('0' + worker), '_', '0', 0};
	int t, k, fd, w = 0;

	if (flooded++)
		return;
	for (k = 0; k < 8 && w >= 0; k++) {
		name[6] = (char)('0' + k);
		fd = open(name, O_CREATE | O_RDWR);
		if (fd < 0)
			break;
		w = write_pattern(fd, &junk, 0, (int)(MAXFILE * BSIZE));
		w = w == (int)(MAXFILE * BSIZE) ? 0 : -1;
		close(fd);
	}
	for (t = 0; t < NPLAIN + NSHARED && slot_obj[s] >= 0; t++)
		if (slot_obj[t] < 0)
			op_link(s, t);
	for (; k >= 0; k--) {
		name[6] = (char)('0' + k);
		unlink(name);
	}
}

/* One random step. */
static void step(void)
{
	int s = (int)rng_below(&rng, NSLOTS), t = (int)rng_below(&rng, NSLOTS);
	int d = (int)rng_below(&rng, NDIRS);

	switch (rng_below(&rng, 12)) {
	case 0:
	case 1:
	case 2:
		if (usable(s))
			op_write_new(s, gen_size());
		break;
	case 3:
		if (slot_obj[s] >= 0)
			op_append(s);
		break;
	case 4:
		if (slot_obj[s] >= 0 && slot_obj[t] < 0 && usable(t))
			op_link(s, t);
		break;
	case 5:
		if (rng_one_in(&rng, 4) && slot_obj[s] >= 0)
			op_flood(s);
		else if (slot_obj[s] >= 0 && slot_obj[t] < 0 && usable(t))
			op_link(s, t);
		break;
	case 6:
		if (slot_obj[s] >= 0)
			op_unlink(s);
		else if (usable(s) && unlink(slot_path(s)) == 0)
			broken("unlink of absent %s succeeded", slot_path(s));
		break;
	case 7:
		if (slot_obj[s] >= 0 && objs[slot_obj[s]].nlink == 1)
			op_unlink_open(s);
		break;
	case 8:
		if (!dir_exists[d])
			op_mkdir(d);
		else
			op_rmdir(d);
		break;
	case 9:
	case 10:
		check_slot(s);
		break;
	default:
		if (rng_one_in(&rng, 8))
			check_all();
		break;
	}
}

/* A worker: its directory, STEPS steps, the full check, then removal of it all.
 */
static void worker_main(int round, int w)
{
	char dir[8] = {'w', (char)('0' + w), 0};
	int s, d, i;

	worker = w;
	rng = rng_make(seed, (uint64)round * 16 + (uint64)w);
	for (s = 0; s < NSLOTS; s++)
		slot_obj[s] = -1;
	if (mkdir(dir) < 0 || chdir(dir) < 0) {
		/* No inode left for the directory: nothing to churn in. */
		exit(0);
	}
	for (i = 0; i < STEPS; i++)
		step();
	check_all();
	for (s = 0; s < NSLOTS; s++)
		if (slot_obj[s] >= 0)
			op_unlink(s);
	for (d = 0; d < NDIRS; d++)
		if (dir_exists[d])
			op_rmdir(d);
	check_all();
	chdir("..");
	if (unlink(dir) < 0)
		broken("cannot remove its directory");
	printf("# round %d worker %d: refused %d creates, %d links, %d mkdirs; "
	       "%d writes cut short\n",
	       round, w, refused_create, refused_link, refused_mkdir, shortw);
	exit(0);
}

/* ---- the parent: free inodes and blocks, counted by filling ---- */

/* Creates empty files in dir until that fails; removes them; the count. */
static int count_inodes(const char *dir)
{
	static char p[32];
	int n, fd, i;

	mkdir(dir);
	for (n = 0;; n++) {
		strcpy(p, dir);
		p[strlen(dir)] = '/';
		p[strlen(dir) + 1] = 'i';
		p[strlen(dir) + 2] = (char)('a' + n / 26 / 26 % 26);
		p[strlen(dir) + 3] = (char)('a' + n / 26 % 26);
		p[strlen(dir) + 4] = (char)('a' + n % 26);
		p[strlen(dir) + 5] = '\0';
		fd = open(p, O_CREATE | O_RDWR);
		if (fd < 0)
			break;
		close(fd);
	}
	for (i = 0; i < n; i++) {
		strcpy(p, dir);
		p[strlen(dir)] = '/';
		p[strlen(dir) + 1] = 'i';
		p[strlen(dir) + 2] = (char)('a' + i / 26 / 26 % 26);
		p[strlen(dir) + 3] = (char)('a' + i / 26 % 26);
		p[strlen(dir) + 4] = (char)('a' + i % 26);
		p[strlen(dir) + 5] = '\0';
		unlink(p);
	}
	unlink(dir);
	return n + 1; /* the directory's own inode */
}

/*
 * Writes files name0, name1, ... in the current directory until the disk
 * is full; returns the bytes that fit. keep > 0 leaves that many
 * blocks free by stopping early. The files stay; remove with unfill().
 */
static long fill_disk(const char *prefix, int keep, int *nfiles)
{
	static char name[16];
	long total = 0;
	int f, fd, w, size, want;

	if (keep > 0) {
		fd = open("keep", O_CREATE | O_RDWR);
		memset(iobuf, 'k', IOBUF);
		for (w = 0; w < keep; w++)
			write(fd, iobuf, BSIZE);
		close(fd);
	}

	memset(iobuf, 'x', IOBUF);
	for (f = 0;; f++) {
		strcpy(name, prefix);
		name[strlen(prefix)] = (char)('a' + f / 26 % 26);
		name[strlen(prefix) + 1] = (char)('a' + f % 26);
		name[strlen(prefix) + 2] = '\0';
		fd = open(name, O_CREATE | O_RDWR);
		if (fd < 0)
			break;
		do {
			size = fd_size(fd);
			want = (int)(MAXFILE * BSIZE) - size < IOBUF
				   ? (int)(MAXFILE * BSIZE) - size
				   : IOBUF;
			w = want > 0 ? write(fd, iobuf, want) : 0;
		} while (want > 0 && w == want);
		size = fd_size(fd);
		close(fd);
		total += size;
		if (want > 0)
			break; /* the disk is full */
	}
	*nfiles = f + 1;
	if (keep > 0)
		unlink("keep"); /* exactly keep blocks come free */
	return total;
}

static void unfill(const char *prefix, int nfiles)
{
	static char name[16];
	int f;

	strcpy(name, prefix);
	for (f = 0; f < nfiles; f++) {
		name[strlen(prefix)] = (char)('a' + f / 26 % 26);
		name[strlen(prefix) + 1] = (char)('a' + f % 26);
		name[strlen(prefix) + 2] = '\0';
		unlink(name);
	}
}

/* Free data blocks, counted by filling the disk (the count includes indirect
 * blocks' worth). */
static long count_blocks(void)
{
	int n;
	long bytes;

	mkdir("cnt");
	chdir("cnt");
	bytes = fill_disk("b", 0, &n);
	unfill("b", n);
	chdir("..");
	unlink("cnt");
	return bytes / BSIZE;
}

/* One round: NWORKERS workers at once; 1 if all of them passed. */
static int run_round(int r)
{
	int w, pid, status, good = 1, nfill = 0, i, k, fd;
	static char name[8];

	if (r % 2 == 1) {
		/* Nearly full: a few free blocks and inodes left. */
		mkdir("fill");
		chdir("fill");
		fill_disk("f", 4 + (int)rng_below(&rng, 40), &nfill);
		for (i = 0;; i++) {
			name[0] = 'i';
			name[1] = (char)('a' + i / 26 % 26);
			name[2] = (char)('a' + i % 26);
			name[3] = '\0';
			fd = open(name, O_CREATE | O_RDWR);
			if (fd < 0)
				break;
			close(fd);
		}
		for (k = 0; k < i; k += 5) {
			name[1] = (char)('a' + k / 26 % 26);
			name[2] = (char)('a' + k % 26);
			unlink(name); /* every fifth inode comes back */
		}
		chdir("..");
	}
	for (w = 0; w < NWORKERS; w++) {
		pid = fork();
		if (pid == 0)
			worker_main(r, w);
		if (pid < 0)
			good = 0;
	}
	while ((pid = wait(&status)) >= 0)
		if (status != 0)
			good = 0;
	if (r % 2 == 1) {
		chdir("fill");
		unfill("f", nfill);
		for (i = 0; i < 26 * 26; i++) {
			name[0] = 'i';
			name[1] = (char)('a' + i / 26 % 26);
			name[2] = (char)('a' + i % 26);
			name[3] = '\0';
			unlink(name);
		}
		chdir("..");
		if (unlink("fill") < 0)
			good = 0;
	}
	return good;
}

/* ---- the large, fragmented disk ---- */

#define VICTIM_BYTES (30 * BSIZE)

/* The name "fN" mkfs --fragment gives its N-th filler file. */
static char *filler_name(int n)
{
	static char name[12];
	char digits[10];
	int k = 0, i = 1;

	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	name[0] = 'f';
	while (k > 0)
		name[i++] = digits[--k];
	name[i] = '\0';
	return name;
}

/* How many filler files f0, f1, ... exist in the current directory. */
static int count_fillers(void)
{
	int n, fd;

	for (n = 0; (fd = open(filler_name(n), O_RDONLY)) >= 0; n++)
		close(fd);
	return n;
}

/* Checks that filler file n holds what mkfs --fragment put there: zeroes. */
static int filler_intact(int n)
{
	int fd = open(filler_name(n), O_RDONLY), r, i, good = 1, total = 0;

	if (fd < 0)
		return 0;
	while (good && (r = read(fd, iobuf, IOBUF)) > 0) {
		for (i = 0; i < r; i++)
			good = good && iobuf[i] == 0;
		total += r;
	}
	close(fd);
	return good && total > 0;
}

/*
 * Writes the 30 KiB victim file v whose blocks land in the scattered free
 * blocks, one per bitmap block; returns 1 if all of it fit.
 */
static int big_victim(int flags)
{
	static struct obj o;
	int fd = open("v", flags), w;

	if (fd < 0)
		return 0;
	o.stamp = 77;
	w = write_pattern(fd, &o, 0, VICTIM_BYTES);
	close(fd);
	return w == VICTIM_BYTES;
}

/*
 * fschurn SEED big: on the disk of mkfs --size 262144 --fragment big
 * (32 bitmap blocks; files big/f0, f1, ... fill everything but the last
 * block of each bitmap block's region), write and free a 30 KiB file in
 * each way the kernel frees one (unlink, an O_TRUNC open, the last close
 * of an unlinked file): its blocks all lie under different bitmap blocks.
 * Then free every other filler file, churn on the fragmented disk, and
 * remove everything.
 */
static void big_run(void)
{
	int nfiles, i, fd, good;

	diag(
	    "its disk: build/tests/fschurn_big.img (mkfs --size 262144 "
	    "--fragment big), "
	    "booted with tools/calf-run.py --disk build/tests/fschurn_big.img");
	tap_plan(7);
	chdir("/big");
	nfiles = count_fillers();
	diag("%d filler files", nfiles);
	if (!ok(nfiles > 900, "the fragmented disk is there"))
		diag("this mode needs the image of mkfs --size 262144 "
		     "--fragment big");
	good = big_victim(O_CREATE | O_RDWR) && unlink("v") == 0;
	ok(good, "unlink frees a file scattered over 30 bitmap blocks");
	good = big_victim(O_CREATE | O_RDWR) && big_victim(O_RDWR | O_TRUNC) &&
	       unlink("v") == 0;
	ok(good, "O_TRUNC frees a scattered file");
	good = big_victim(O_CREATE | O_RDWR);
	fd = open("v", O_RDONLY);
	good = good && fd >= 0 && unlink("v") == 0;
	close(fd); /* the last close frees it */
	ok(good, "the last close of an unlinked scattered file frees it");
	good = 1;
	for (i = 0; i < nfiles; i += 1 + (int)rng_below(&rng, 60))
		good = good && filler_intact(i);
	ok(good && filler_intact(nfiles - 1), "the filler files are intact");
	for (i = 0; i < nfiles; i += 2)
		unlink(filler_name(i));
	mkdir(TOP);
	chdir(TOP);
	mkdir("s");
	good = run_round(0) && run_round(2);
	unlink("s");
	chdir("/big");
	ok(good, "churn on the fragmented disk: every worker's model held");
	for (i = 1; i < nfiles; i += 2)
		unlink(filler_name(i));
	chdir("/");
	ok(unlink("/big") == 0 && unlink(TOP) == 0 && fuzz_kcheck(),
	   "everything removed");
	tap_done();
}

int main(int argc, char *argv[])
{
	static char run[64];
	uint64 rounds = DEFAULT_ROUNDS, r;
	long blocks0, blocks1;
	int inodes0, inodes1;

	int big = argc == 3 && strcmp(argv[2], "big") == 0;

	if (argc < 2 || argc > 3 || parse_ulong(argv[1], &seed) < 0 ||
	    (argc == 3 && !big && parse_ulong(argv[2], &rounds) < 0)) {
		printf(
		    "usage: fschurn SEED [ROUNDS]\n       fschurn SEED big\n");
		exit(2);
	}
	strcpy(run, argv[0]); /* fschurn, or its copy fschurn_big */
	strcpy(run + strlen(run), ",");
	strcpy(run + strlen(run), argv[1]);
	if (argc == 3) {
		strcpy(run + strlen(run), ",");
		strcpy(run + strlen(run), argv[2]);
	}
	fuzz_start(run, seed);
	rng = rng_make(seed, 999);
	if (big)
		big_run();
	tap_plan((int)rounds + 2);
	mkdir(TOP);
	if (chdir(TOP) < 0) {
		printf("Bail out! cannot make %s\n", TOP);
		exit(1);
	}
	inodes0 = count_inodes("cnti");
	blocks0 = count_blocks();
	if (mkdir("s") < 0) {
		printf("Bail out! cannot make %s/s\n", TOP);
		exit(1);
	}
	diag("free before: %d inodes, %ld blocks", inodes0, blocks0);
	for (r = 0; r < rounds; r++) {
		if (!ok(run_round((int)r) && fuzz_kcheck(),
			"round %lu%s: every worker's model held",
			(unsigned long)r, r % 2 ? " (nearly full disk)" : ""))
			fuzz_failed();
	}
	ok(unlink("s") == 0, "the shared directory is empty");
	inodes1 = count_inodes("cnti");
	blocks1 = count_blocks();
	if (!ok(inodes1 == inodes0 && blocks1 == blocks0,
		"the same inodes and blocks are free"))
		diag("free after: %d inodes, %ld blocks", inodes1, blocks1);
	chdir("/");
	unlink(TOP);
	tap_done();
	return 0;
}
