/*
 * Path names. A path is a sequence of elements separated by slashes;
 * one starting with '/' is resolved from the root, any other from the
 * current process's working directory. Each element is looked up in the
 * directory reached so far, holding only that directory's lock, which is
 * released before the next one is taken (so "." and ".." cannot deadlock).
 *
 * These run inside an operation: dropping the last reference to an
 * unlinked directory met on the way frees it.
 */
#include <file.h>
#include <fs.h>
#include <proc.h>
#include <string.h>

const char *path_next(const char *path, char *name)
{
	const char *start;
	size_t len;

	while (*path == '/')
		path++;
	if (*path == '\0')
		return NULL;
	start = path;
	while (*path != '/' && *path != '\0')
		path++;
	len = MIN((size_t)(path - start), (size_t)DIRSIZ);
	memcpy(name, start, len);
	name[len] = '\0';
	while (*path == '/')
		path++;
	return path;
}

/* Where a walk starts: the root, or the caller's working directory. */
static struct inode *walk_start(const char *path)
{
	struct proc *p = current();
	struct inode *ip = NULL;

	if (*path != '/' && p != NULL && p->tg != NULL) {
		spin_lock(&p->tg->lock);
		if (p->tg->cwd != NULL)
			ip = idup(p->tg->cwd);
		spin_unlock(&p->tg->lock);
	}
	return ip ? ip : iget(ROOTINO);
}

/*
 * Walks path. With want_parent, stops before the last element, copies it
 * into name and returns the directory holding it. Returns 0 with *out
 * referenced and unlocked, or -ENOENT, -ENOTDIR, -ENFILE, -EIO, -EUCLEAN.
 */
static int walk(const char *path, bool want_parent, char *name,
		struct inode **out)
{
	struct inode *ip, *next;
	int err;

	if (*path == '\0')
		return -ENOENT;
	ip = walk_start(path);
	if (ip == NULL)
		return -ENFILE;
	while ((path = path_next(path, name)) != NULL) {
		err = ilock(ip);
		if (err == 0 && ip->type != T_DIR)
			err = -ENOTDIR;
		if (err != 0) {
			iunlockput(ip);
			return err;
		}
		if (want_parent && *path == '\0') {
			iunlock(ip);
			*out = ip;
			return 0;
		}
		next = dirlookup(ip, name, NULL, &err);
		iunlockput(ip);
		if (next == NULL)
			return err;
		ip = next;
	}
	if (want_parent) {
		/* The path was "/": there is no last element. */
		iput(ip);
		return -ENOENT;
	}
	*out = ip;
	return 0;
}

int path_lookup(const char *path, struct inode **out)
{
	char name[NAME_BUF];

	return walk(path, false, name, out);
}

int path_parent(const char *path, char *name, struct inode **out)
{
	return walk(path, true, name, out);
}

struct inode *namei(const char *path)
{
	struct inode *ip;

	return path_lookup(path, &ip) == 0 ? ip : NULL;
}
