/*
 * Crash recovery, in two boots of the same disk image.
 *
 * Boot 1, kernel command line "fs.crash=N [fs.crash_at=logged|committed|
 * install]": run "fscrash write" (or plain "fscrash": the fs.crash option
 * selects this phase). It creates crash/f0, crash/f1, ... each written
 * with CRASH_SIZE bytes in one log transaction, until the kernel's
 * injected crash stops the machine in the middle of commit N.
 *
 * Boot 2, without fs.crash: mounting replays the log ("fs: log recovery"
 * on the console for the committed/install points). Run "fscrash check":
 * the files must form a gap-free prefix f0..f(m-1), all whole except that
 * the newest may still be empty (its create committed, its write not),
 * and every whole file must hold exactly its pattern. Then it deletes
 * them. Running "mkfs --check" on the image afterwards checks the rest of
 * the structure (bitmap, link counts).
 */
#include "tap.h"

#define CRASH_FILES 300
#define CRASH_SIZE  2048 /* one transaction: below the per-op write limit */

static char buf[CRASH_SIZE], rbuf[CRASH_SIZE + 1];
static char path[32];

static void pattern(int i)
{
	for (int k = 0; k < CRASH_SIZE; k++)
		buf[k] = (char)(i * 17 + k);
}

static char *fname(int i)
{
	return numname(path, "crash/f", i);
}

static void write_phase(void)
{
	printf("# fscrash: writing files until the kernel crashes\n");
	mkdir("crash");
	for (int i = 0; i < CRASH_FILES; i++) {
		int fd = open(fname(i), O_CREATE | O_WRONLY);
		if (fd < 0)
			break;
		pattern(i);
		write(fd, buf, CRASH_SIZE);
		close(fd);
	}
	printf("1..1\nnot ok 1 - the injected crash did not happen\n");
	exit(1);
}

static int nfiles; /* files present: f0 .. f(nfiles-1) */

static int t_dir(void)
{
	struct stat st;

	CHECK(stat("crash", &st) == 0 && st.type == T_DIR);
	return 1;
}

static int t_prefix(void)
{
	while (nfiles < CRASH_FILES && file_size(fname(nfiles)) >= 0)
		nfiles++;
	printf("# %d files survived\n", nfiles);
	for (int i = nfiles; i < CRASH_FILES; i++)
		CHECK(file_size(fname(i)) < 0);
	CHECK(nfiles > 0);
	return 1;
}

/* 1 when file i holds exactly its pattern (or is empty and may be). */
static int file_ok(int i, int may_be_empty)
{
	int fd = open(fname(i), O_RDONLY), n;

	if (fd < 0)
		return 0;
	n = read(fd, rbuf, sizeof(rbuf));
	close(fd);
	if (n == 0 && may_be_empty)
		return 1;
	pattern(i);
	if (n != CRASH_SIZE || memcmp(buf, rbuf, CRASH_SIZE) != 0) {
		printf("# crash/f%d: %d bytes, not its pattern\n", i, n);
		return 0;
	}
	return 1;
}

static int t_whole(void)
{
	for (int i = 0; i + 1 < nfiles; i++)
		CHECK(file_ok(i, 0));
	return 1;
}

static int t_last(void)
{
	CHECK(nfiles == 0 || file_ok(nfiles - 1, 1));
	return 1;
}

static int t_cleanup(void)
{
	for (int i = 0; i < nfiles; i++)
		CHECK(unlink(fname(i)) == 0);
	CHECK(unlink("crash") == 0);
	return 1;
}

static const struct check checks[] = {
    {"crash directory survived", t_dir},
    {"surviving files form a prefix without gaps", t_prefix},
    {"every older file is whole", t_whole},
    {"the newest file is empty or whole", t_last},
    {"the survivors can be deleted", t_cleanup},
};

/* True when the kernel command line arms a crash (boot 1). */
static int crash_armed(void)
{
	static char cmdline[256];
	int n = kcmdline(cmdline, sizeof(cmdline));

	for (int i = 0; i + 9 <= n; i++)
		if (memcmp(cmdline + i, "fs.crash=", 9) == 0)
			return 1;
	return 0;
}

int main(int argc, char *argv[])
{
	int writing = argc > 1 ? strcmp(argv[1], "write") == 0 : crash_armed();

	if (writing)
		write_phase();
	tap_run(checks, sizeof(checks) / sizeof(checks[0]));
	return 0;
}
