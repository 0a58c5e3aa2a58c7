/*
 * ls: lists files.
 *
 *   ls [PATH...]
 *
 * For a directory, one line per entry; for anything else, one line for the
 * path itself. Each line holds the name, the type (1 directory, 2 file,
 * 3 device), the inode number and the size in bytes, as xv6's ls prints.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"

static char path[MAXPATH + DIRSIZ + 2];

/* Returns the last component of p. */
static const char *base_name(const char *p)
{
	const char *s = p + strlen(p);

	while (s > p && s[-1] != '/')
		s--;
	return s;
}

/* Prints one line for name with the status st. */
static void print_entry(const char *name, const struct stat *st)
{
	int len = strlen(name);

	printf("%s", name);
	for (; len < DIRSIZ; len++)
		printf(" ");
	printf(" %d %d %ld\n", st->type, st->ino, (long)st->size);
}

/* Lists the directory open at fd, whose path is dir. */
static void list_dir(int fd, const char *dir)
{
	struct dirent de;
	struct stat st;
	char name[DIRSIZ + 1];
	uint len = strlen(dir);

	if (len + 1 + DIRSIZ + 1 > sizeof(path)) {
		fprintf(2, "ls: path too long: %s\n", dir);
		return;
	}
	strcpy(path, dir);
	path[len++] = '/';
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memmove(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		strcpy(path + len, name);
		if (stat(path, &st) < 0) {
			fprintf(2, "ls: cannot stat %s\n", path);
			continue;
		}
		print_entry(name, &st);
	}
}

/* Lists one path; returns 0, or 1 if it cannot be opened. */
static int ls(const char *p)
{
	struct stat st;
	int fd;

	fd = open(p, O_RDONLY);
	if (fd < 0) {
		fprintf(2, "ls: cannot open %s\n", p);
		return 1;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(2, "ls: cannot stat %s\n", p);
		close(fd);
		return 1;
	}
	if (st.type == T_DIR)
		list_dir(fd, p);
	else
		print_entry(base_name(p), &st);
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	int i, status = 0;

	if (argc < 2)
		exit(ls("."));
	for (i = 1; i < argc; i++)
		status |= ls(argv[i]);
	exit(status);
}
