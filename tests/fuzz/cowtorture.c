/*
 * cowtorture SEED [ROUNDS]: random fork trees over a patterned heap.
 *
 * The root grows a heap of HUGE_BYTES in whole 2 MiB-aligned blocks
 * (eager sbrk: 2 MiB pages) and SMALL_BYTES above it (sbrklazy: 4 KiB
 * pages) and fills it. The heap is cut into CHUNK-byte chunks; every chunk
 * carries a stamp, and every 64-bit word of it holds pattern(stamp,
 * address). A process keeps the stamps of its own view in stamps[] (its
 * own memory, copied at fork like the heap), so it knows exactly what each
 * byte should hold; stamp 0 means zero-filled. Stamps come from the node
 * (the process's place in the tree, never its pid) and a per-node counter,
 * so a word written by another process or left over from a freed page
 * cannot match.
 *
 * Each round the root runs a tree of processes. Every node, driven by a
 * generator seeded with (SEED, node), does random steps: stores into
 * random chunks (copy-on-write faults on 4 KiB and 2 MiB pages; a run of
 * chunks is stored going up, a stream that copy-ahead serves), read()
 * from a pipe or a file into its chunks (the kernel breaking COW in
 * copy_to_user), sbrk shrinks and regrows (splitting 2 MiB pages; regrown
 * memory must be zero), forks (children inherit the view), waits, full
 * checks of its view, and now and then exec or an early exit. A few
 * children exhaust memory on purpose. Every process checks its whole view
 * word by word before it exits and exits 1 on a mismatch (printing the
 * first one); parents pass their children's failures up. The root checks
 * its own view after every round and at the end, then that no page leaked.
 *
 * The view also spans mmap'd memory the root makes once: an anonymous
 * private mapping (zero-filled lazily) and a private mapping of a file
 * (written after mmap and unlinked at once, so its pages come from the
 * page cache on first touch) are chunks like the heap's, copy-on-write
 * across every fork: a store or a read() into them must stay in the
 * process that made it, and the file's contents must never change. An
 * anonymous shared mapping next to them is written by every node (the
 * pages stay shared, writable, across the whole tree) and checked only
 * by kcheck.
 */
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "../user/tap.h"
#include "fuzz.h"

/*
 * Memory hogs may be anywhere in the tree: any node may hog memory and
 * touch lazily grown pages until the kernel kills it, while other
 * processes keep faulting. Only the hogs may die of it: with several
 * dying at once the out-of-memory killer once picked an innocent process
 * (this test's root) instead of waiting for their memory (seeds 100-104).
 */

#define MIB	       (1024UL * 1024)
#define HUGE	       (2 * MIB)
#define HUGE_BYTES     (2 * HUGE)
#define SMALL_BYTES    (256 * 1024UL)
#define HEAP_BYTES     (HUGE_BYTES + SMALL_BYTES)
#define CHUNK	       512
#define NCHUNK	       (HEAP_BYTES / CHUNK)
#define MAX_DEPTH      3
#define MAX_LIVE       2 /* live children per node */
#define PIPE_PIECE     512
#define DEFAULT_ROUNDS 4

/* Exit statuses of tree nodes. */
#define ST_OK	0
#define ST_BAD	1 /* a view mismatch, here or below */
#define ST_HOG	3 /* a hog that ran out of memory as planned */
#define ST_EXEC 5 /* a node that exec'd the helper */

static uint64 seed;
static char *heap;	/* 2 MiB-aligned start of the heap */
static uint64 heap_len; /* bytes of the heap this process maps now */
static uint32 stamps[NCHUNK];
static char scratch[4096];
static uint64 node; /* this process's place in the tree */
static uint32 gen;  /* stamps made by this node */
static int depth, is_root;
static struct rng rng;
static int live[MAX_LIVE], nlive;
static int hog_pid; /* the live memory hog child, if any */
static int failed;  /* this node or a child saw a mismatch */

/* The mmap'd part of the view: MCHUNK chunks, anonymous then file. */
#define AMAP_BYTES (64 * 1024UL)
#define FMAP_BYTES (16 * 1024UL)
#define SMAP_BYTES (16 * 1024UL)
#define MCHUNK	   ((AMAP_BYTES + FMAP_BYTES) / CHUNK)
static char *amap, *fmap, *smap; /* private anon, private file, shared anon */
static uint32 mstamps[MCHUNK];

static inline uint64 mix(uint64 x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	return x ^ (x >> 33);
}

/* What the word at address a holds under stamp s (0: zero-filled). */
static inline uint64 pattern(uint32 s, uint64 a)
{
	return s ? mix(seed ^ ((uint64)s << 32) ^ a) : 0;
}

/* A stamp no other node or earlier step of this node uses (never 0). */
static uint32 new_stamp(void)
{
	uint32 s = (uint32)mix(node * 0x10001 + ++gen);

	return s ? s : 1;
}

/* Fills chunk c of the heap (or, with to != 0, of the buffer to) for stamp s.
 */
static void fill_chunk(uint64 c, uint32 s, char *to)
{
	uint64 a = (uint64)heap + c * CHUNK, i;
	uint64 *w = (uint64 *)(to ? to : (char *)a);

	for (i = 0; i < CHUNK / 8; i++)
		w[i] = pattern(s, a + 8 * i);
}

static int check_maps(const char *when);

/*
 * Checks this process's view of the whole mapped heap (and of the mmap'd
 * chunks); prints the first bad word and returns 0 on a mismatch.
 */
static int check_view(const char *when)
{
	uint64 c, i, nc = heap_len / CHUNK;

	for (c = 0; c < nc; c++) {
		uint64 a = (uint64)heap + c * CHUNK;
		const uint64 *w = (const uint64 *)a;

		for (i = 0; i < CHUNK / 8; i++) {
			if (w[i] != pattern(stamps[c], a + 8 * i)) {
				printf("# cowtorture: node %lx (%s): word at "
				       "%lx is %lx, want %lx "
				       "(chunk %lu stamp %x)\n",
				       (unsigned long)node, when,
				       (unsigned long)(a + 8 * i),
				       (unsigned long)w[i],
				       (unsigned long)pattern(stamps[c],
							      a + 8 * i),
				       (unsigned long)c, stamps[c]);
				failed = 1;
				return 0;
			}
		}
	}
	return check_maps(when);
}

/* The address of chunk m of the mmap'd part of the view. */
static uint64 mchunk_addr(uint64 m)
{
	if (m < AMAP_BYTES / CHUNK)
		return (uint64)amap + m * CHUNK;
	return (uint64)fmap + (m - AMAP_BYTES / CHUNK) * CHUNK;
}

/* Fills the chunk at address a (or, with to != 0, the buffer to) for s. */
static void fill_at(uint64 a, uint32 s, char *to)
{
	uint64 *w = (uint64 *)(to ? to : (char *)a), i;

	for (i = 0; i < CHUNK / 8; i++)
		w[i] = pattern(s, a + 8 * i);
}

/* Checks the mmap'd chunks; prints the first bad word, 0 on a mismatch. */
static int check_maps(const char *when)
{
	uint64 m, i;

	for (m = 0; amap && m < MCHUNK; m++) {
		uint64 a = mchunk_addr(m);
		const uint64 *w = (const uint64 *)a;

		for (i = 0; i < CHUNK / 8; i++) {
			if (w[i] != pattern(mstamps[m], a + 8 * i)) {
				printf("# cowtorture: node %lx (%s): mapped "
				       "word at %lx is %lx, want %lx\n",
				       (unsigned long)node, when,
				       (unsigned long)(a + 8 * i),
				       (unsigned long)w[i],
				       (unsigned long)pattern(mstamps[m],
							      a + 8 * i));
				failed = 1;
				return 0;
			}
		}
	}
	return 1;
}

/*
 * Stores a new stamp into a run of mmap'd chunks, by stores or by read()
 * from a pipe (copy_to_user breaking COW on a private file page); and
 * scribbles on the shared mapping, which every node writes.
 */
static void op_map_store(void)
{
	uint64 m = rng_below(&rng, MCHUNK), n = 1 + rng_below(&rng, 8), i;
	uint32 s = new_stamp();
	int p[2], ok_read = 1;

	if (!amap)
		return;
	if (m + n > MCHUNK)
		n = MCHUNK - m;
	if (rng_one_in(&rng, 3) && pipe(p) == 0) {
		for (i = m; i < m + n && ok_read; i++) {
			fill_at(mchunk_addr(i), s, scratch);
			ok_read =
			    write(p[1], scratch, CHUNK) == CHUNK &&
			    read(p[0], (char *)mchunk_addr(i), CHUNK) == CHUNK;
		}
		close(p[0]);
		close(p[1]);
		if (!ok_read) {
			printf("# cowtorture: node %lx: read() into a mapping "
			       "failed\n",
			       (unsigned long)node);
			failed = 1;
			return;
		}
	} else {
		for (i = m; i < m + n; i++)
			fill_at(mchunk_addr(i), s, 0);
	}
	for (i = m; i < m + n; i++)
		mstamps[i] = s;
	smap[rng_below(&rng, SMAP_BYTES)] = (char)s;
}

/*
 * The root's mappings, made once: anonymous private (stamp 0: zeros),
 * a private mapping of a file written after mmap and unlinked at once,
 * and an anonymous shared one. 0 when mmap fails.
 */
static int setup_maps(void)
{
	uint32 fs = new_stamp();
	uint64 m;
	int fd;

	amap = mmap(0, AMAP_BYTES, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	smap = mmap(0, SMAP_BYTES, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fd = open("ctmap", O_CREATE | O_TRUNC | O_RDWR);
	fmap = mmap(0, FMAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (amap == (char *)-1 || smap == (char *)-1 || fmap == (char *)-1)
		return 0;
	/* Nothing is read at mmap time: these writes are what faults see. */
	for (m = AMAP_BYTES / CHUNK; m < MCHUNK; m++) {
		fill_at(mchunk_addr(m), fs, scratch);
		if (write(fd, scratch, CHUNK) != CHUNK)
			return 0;
		mstamps[m] = fs;
	}
	close(fd);
	unlink("ctmap");
	return 1;
}

/* A random run of whole chunks inside the mapped heap: [*c, *c + *n). */
static int pick_chunks(uint64 max, uint64 *c, uint64 *n)
{
	uint64 nc = heap_len / CHUNK;

	if (nc == 0)
		return 0;
	*c = rng_below(&rng, nc);
	*n = 1 + rng_below(&rng, max);
	if (*c + *n > nc)
		*n = nc - *c;
	return 1;
}

/* Stores a new stamp into a random run of chunks. */
static void op_store(void)
{
	uint64 c, n, i;
	uint32 s = new_stamp();

	if (!pick_chunks(rng_one_in(&rng, 8) ? 2048 : 16, &c, &n))
		return;
	for (i = c; i < c + n; i++) {
		fill_chunk(i, s, 0);
		stamps[i] = s;
	}
}

/*
 * Moves a new stamp into up to eight chunks with read(): from a pipe in
 * PIPE_PIECE pieces, or from a file written first. The kernel writes into
 * pages that may be COW-shared.
 */
static void op_read_into(void)
{
	uint64 c, n, i, off, len;
	uint32 s = new_stamp();
	char name[24];
	int fd, p[2], ok_read = 1;

	if (!pick_chunks(8, &c, &n))
		return;
	len = n * CHUNK;
	for (i = 0; i < n; i++)
		fill_chunk(c + i, s, scratch + i * CHUNK);
	if (rng_one_in(&rng, 2)) {
		if (pipe(p) < 0)
			return;
		for (off = 0; off < len && ok_read; off += PIPE_PIECE) {
			ok_read = write(p[1], scratch + off, PIPE_PIECE) ==
				      PIPE_PIECE &&
				  read(p[0], heap + c * CHUNK + off,
				       PIPE_PIECE) == PIPE_PIECE;
		}
		close(p[0]);
		close(p[1]);
	} else {
		name[0] = 'f';
		for (i = 0; i < 16; i++)
			name[1 + i] =
			    "0123456789abcdef"[(node >> (4 * i)) & 15];
		name[17] = '\0';
		fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
		if (fd >= 0 && write(fd, scratch, (int)len) != (int)len) {
			close(fd);
			fd = -1;
		}
		if (fd < 0) {
			unlink(name);
			return; /* a full disk is not this test's business */
		}
		close(fd);
		fd = open(name, O_RDONLY);
		ok_read =
		    fd >= 0 && read(fd, heap + c * CHUNK, (int)len) == (int)len;
		close(fd);
		unlink(name);
	}
	if (!ok_read) {
		printf("# cowtorture: node %lx: read() into the heap failed\n",
		       (unsigned long)node);
		failed = 1;
		return;
	}
	for (i = 0; i < n; i++)
		stamps[c + i] = s;
}

/*
 * Shrinks the heap by a random amount (which may cut into a 2 MiB page),
 * then grows it back, eagerly or lazily; what comes back must be zero.
 */
static void op_shrink_regrow(void)
{
	uint64 cut, c;
	int lazy = rng_one_in(&rng, 2);

	if (heap_len == 0)
		return;
	cut = CHUNK * (1 + rng_below(&rng, heap_len / CHUNK));
	cut = (cut + 4095) & ~4095UL;
	if (cut > heap_len)
		cut = heap_len;
	if (sbrk(-(int)cut) == SBRK_ERROR) {
		printf("# cowtorture: node %lx: sbrk(-%lu) failed\n",
		       (unsigned long)node, (unsigned long)cut);
		failed = 1;
		return;
	}
	heap_len -= cut;
	if ((lazy ? sbrklazy((int)cut) : sbrk((int)cut)) == SBRK_ERROR)
		return; /* out of memory: carry on with the shorter heap */
	for (c = heap_len / CHUNK; c < (heap_len + cut) / CHUNK; c++)
		stamps[c] = 0;
	heap_len += cut;
}

/* Grows the heap back to its full size if a failed regrow left it short. */
static void op_regrow(void)
{
	uint64 c, more = HEAP_BYTES - heap_len;

	if (more == 0 || sbrklazy((int)more) == SBRK_ERROR)
		return;
	for (c = heap_len / CHUNK; c < NCHUNK; c++)
		stamps[c] = 0;
	heap_len = HEAP_BYTES;
}

/* Waits for one child and folds its status in; 0 when there is none. */
static int reap_one(void)
{
	int status, pid = wait(&status), i;

	if (pid < 0)
		return 0;
	for (i = 0; i < nlive; i++) {
		if (live[i] == pid) {
			live[i] = live[--nlive];
			break;
		}
	}
	if (pid == hog_pid) {
		hog_pid = 0;
		if (status == -1 || status == ST_HOG)
			return 1; /* killed out of memory, or gave up: both fine
				   */
	}
	if (status != ST_OK && status != ST_EXEC) {
		printf("# cowtorture: node %lx: child pid %d ended with status "
		       "%d\n",
		       (unsigned long)node, pid, status);
		failed = 1;
	}
	return 1;
}

static void reap_all(void)
{
	while (reap_one())
		;
}

/*
 * A child that exhausts memory: eager sbrk until it fails and then, in the
 * full version, lazily grown pages touched until the kernel kills it.
 */
static void hog(void)
{
	uint64 step = MIB;
	char *p;

	while (step >= 4096) {
		if (sbrk((int)step) == SBRK_ERROR)
			step /= 2;
	}
	p = sbrklazy(64 * (int)MIB);
	if (p != SBRK_ERROR) {
		uint64 i;

		for (i = 0; i < 64 * MIB; i += 4096)
			p[i] = 1;
	}
	exit(ST_HOG);
}

static void node_main(void);

/* Forks a child node (or a memory hog); the parent remembers its pid. */
static void op_fork(int as_hog)
{
	uint64 child = mix(node * 31 + gen + 1);
	int pid;

	gen++;
	if (nlive >= MAX_LIVE || (as_hog && hog_pid))
		reap_one();
	if (as_hog && hog_pid)
		return;
	pid = fork();
	if (pid < 0)
		return; /* out of processes or memory: fine */
	if (pid == 0) {
		if (as_hog)
			hog();
		node = child;
		depth++;
		is_root = 0;
		nlive = 0;
		hog_pid = 0;
		gen = 0;
		rng = rng_make(seed, node);
		node_main();
	}
	live[nlive++] = pid;
	if (as_hog)
		hog_pid = pid;
}

/*
 * Replaces this node with the helper "cowtorture -exit", after a last
 * check; if exec fails, checks again and exits.
 */
static void op_exec(void)
{
	char *argv[] = {"cowtorture", "-exit", 0};

	reap_all();
	if (!check_view("before exec") || failed)
		exit(ST_BAD);
	exec("/cowtorture", argv);
	/* Out of memory, exec may fail; it must leave the caller intact. */
	exit(check_view("after a failed exec") ? ST_OK : ST_BAD);
}

/* The steps of one node; children end in exit, the root returns. */
static void node_main(void)
{
	int steps = 10 + (int)rng_below(&rng, 30), i;

	for (i = 0; i < steps; i++) {
		uint64 k = rng_below(&rng, 100);

		if (k < 32)
			op_store();
		else if (k < 40)
			op_map_store();
		else if (k < 55)
			op_read_into();
		else if (k < 70) {
			if (depth < MAX_DEPTH)
				op_fork(0);
		} else if (k < 76)
			reap_one();
		else if (k < 84)
			op_shrink_regrow();
		else if (k < 87)
			op_regrow();
		else if (k < 94)
			check_view("step");
		else if (k < 96) {
			if (!is_root)
				op_exec();
		} else if (k < 98) {
			if (!is_root) {
				reap_all();
				exit(check_view("early exit") && !failed
					 ? ST_OK
					 : ST_BAD);
			}
		} else {
			op_fork(1);
		}
	}
	reap_all();
	check_view("end");
	if (!is_root)
		exit(failed ? ST_BAD : ST_OK);
}

/*
 * Grows the root's heap: 2 MiB-aligned eager blocks, then lazy small
 * pages, and fills it. Called again at each round, after giving the old
 * heap back, so that every round starts with whole 2 MiB pages.
 */
static int setup_heap(void)
{
	uint64 brk = (uint64)sbrk(0), pad = (HUGE - brk % HUGE) % HUGE, c;

	if (heap) {
		if (sbrk(-(int)heap_len) == SBRK_ERROR)
			return 0;
		pad = 0;
	}
	if (pad && sbrk((int)pad) == SBRK_ERROR)
		return 0;
	heap = sbrk((int)HUGE_BYTES);
	if (heap == SBRK_ERROR || sbrklazy((int)SMALL_BYTES) == SBRK_ERROR)
		return 0;
	heap_len = HEAP_BYTES;
	gen = 0;
	for (c = 0; c < NCHUNK; c++) {
		stamps[c] = c % 7 == 6 ? 0 : new_stamp();
		fill_chunk(c, stamps[c], 0);
	}
	return 1;
}

int main(int argc, char *argv[])
{
	static char run[64];
	uint64 rounds = DEFAULT_ROUNDS, r, start_brk;
	struct memstat ms;
	long before;

	if (argc == 2 && strcmp(argv[1], "-exit") == 0)
		exit(ST_EXEC);
	if (argc < 2 || argc > 3 || parse_ulong(argv[1], &seed) < 0 ||
	    (argc == 3 && parse_ulong(argv[2], &rounds) < 0)) {
		printf("usage: cowtorture SEED [ROUNDS]\n");
		exit(2);
	}
	strcpy(run, "cowtorture,");
	strcpy(run + strlen(run), argv[1]);
	if (argc == 3) {
		strcpy(run + strlen(run), ",");
		strcpy(run + strlen(run), argv[2]);
	}
	fuzz_start(run, seed);
	tap_plan((int)rounds + 2);
	before = free_pages();
	start_brk = (uint64)sbrk(0);
	if (!setup_maps()) {
		printf("Bail out! cannot mmap\n");
		exit(1);
	}
	is_root = 1;
	node = 1;
	for (r = 0; r < rounds; r++) {
		struct memstat m0, m1;

		ms = fuzz_memstat();
		if (!setup_heap()) {
			printf("Bail out! cannot grow the heap\n");
			exit(1);
		}
		m0 = fuzz_memstat();
		rng = rng_make(seed, r);
		node_main();
		m1 = fuzz_memstat();
		diag("round %lu: heap with %lu 2 MiB pages; %lu COW copies "
		     "(%lu of them ahead), %lu reuses, "
		     "%lu 2 MiB copies, %lu splits",
		     (unsigned long)r, m0.thp_mapped - ms.thp_mapped,
		     m1.cow_copy_faults - m0.cow_copy_faults +
			     m1.cow_ahead_pages - m0.cow_ahead_pages,
		     m1.cow_ahead_pages - m0.cow_ahead_pages,
		     m1.cow_reuse_faults - m0.cow_reuse_faults,
		     m1.thp_copies - m0.thp_copies,
		     m1.thp_splits - m0.thp_splits);
		if (!ok(!failed && check_view("after the round") &&
			    fuzz_kcheck(),
			"round %lu: every process saw exactly its own data",
			(unsigned long)r)) {
			fuzz_failed();
			failed = 0;
		}
	}
	ok(check_view("at the end"),
	   "the root's own view is intact at the end");
	sbrk(-(int)((uint64)sbrk(0) - start_brk));
	munmap(amap, AMAP_BYTES);
	munmap(fmap, FMAP_BYTES);
	munmap(smap, SMAP_BYTES);
	check_no_leak(before, "cowtorture");
	tap_done();
	return 0;
}
