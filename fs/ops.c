/*
 * Name-space operations on kernel path strings: create, link, unlink.
 * The system calls in sysfile.c copy paths from user space and call these;
 * the self tests call them directly. Each runs inside the caller's
 * operation (begin_op .. end_op), and either completes or leaves the file
 * system as it found it (apart from blocks a directory may have grown by).
 */
#include <fs.h>
#include <printk.h>
#include <string.h>

static bool is_dot_or_dotdot(const char *name)
{
	return name_eq(name, ".") || name_eq(name, "..");
}

/*
 * Fills a new inode: nlink 1, device numbers, and for a directory the
 * "." and ".." entries. Then links it into dp under name. 0 or -errno.
 */
static int create_fill(struct inode *dp, struct inode *ip, const char *name,
		       short type, short major, short minor)
{
	int err = 0;

	ip->major = major;
	ip->minor = minor;
	ip->nlink = 1;
	iupdate(ip);
	if (type == T_DIR) {
		/* "." is not counted in nlink, so unlink never sees a cycle. */
		err = dirlink(ip, ".", ip->inum);
		if (err == 0)
			err = dirlink(ip, "..", dp->inum);
	}
	if (err == 0)
		err = dirlink(dp, name, ip->inum);
	if (err == 0 && type == T_DIR) {
		dp->nlink++; /* for the new directory's ".." */
		iupdate(dp);
	}
	return err;
}

/*
 * Creates path as a new inode of type. Opening an existing file with
 * type T_FILE is allowed (O_CREATE on an existing file or device).
 * Returns 0 with *out locked and referenced, or -EEXIST, -ENOENT,
 * -ENOTDIR, -ENOSPC, -ENFILE, -EUCLEAN.
 */
int fs_create(const char *path, short type, short major, short minor,
	      struct inode **out)
{
	char name[NAME_BUF];
	struct inode *dp, *ip;
	int err;

	err = path_parent(path, name, &dp);
	if (err != 0)
		return err;
	err = ilock(dp);
	if (err == 0 && dp->nlink < 1)
		err = -ENOENT; /* the directory was removed */
	if (err != 0)
		goto out_dp;
	ip = dirlookup(dp, name, NULL, &err);
	if (ip != NULL) {
		iunlockput(dp);
		err = ilock(ip);
		if (err == 0 && type == T_FILE &&
		    (ip->type == T_FILE || ip->type == T_DEVICE)) {
			*out = ip;
			return 0;
		}
		iunlockput(ip);
		return err != 0 ? err : -EEXIST;
	}
	if (err != -ENOENT)
		goto out_dp;
	err = ialloc(type, &ip);
	if (err != 0)
		goto out_dp;
	if (ilock(ip) != 0)
		panic("fs_create: new inode %u unreadable", ip->inum);
	err = create_fill(dp, ip, name, type, major, minor);
	if (err != 0) {
		/* Unlinked and unreferenced: iput() frees it and its blocks. */
		ip->nlink = 0;
		iupdate(ip);
		iunlockput(ip);
		goto out_dp;
	}
	iunlockput(dp);
	*out = ip;
	return 0;
out_dp:
	iunlockput(dp);
	return err;
}

/* Adds the name newpath for the file oldpath. 0 or -errno. */
int fs_link(const char *oldpath, const char *newpath)
{
	char name[NAME_BUF];
	struct inode *ip, *dp;
	int err;

	err = path_lookup(oldpath, &ip);
	if (err != 0)
		return err;
	err = ilock(ip);
	if (err == 0 && ip->type == T_DIR)
		err = -EPERM;
	if (err == 0 && ip->nlink >= 0x7fff)
		err = -EMLINK;
	if (err != 0) {
		iunlockput(ip);
		return err;
	}
	/* Count the link first: a crash in between leaves nlink too high, never
	 * too low. */
	ip->nlink++;
	iupdate(ip);
	iunlock(ip);

	err = path_parent(newpath, name, &dp);
	if (err == 0) {
		err = ilock(dp);
		if (err == 0 && dp->nlink < 1)
			err = -ENOENT;
		if (err == 0)
			err = dirlink(dp, name, ip->inum);
		iunlockput(dp);
	}
	if (err != 0) {
		ilock(ip);
		ip->nlink--;
		iupdate(ip);
		iunlock(ip);
	}
	iput(ip);
	return err;
}

/* Removes the entry at off in dp and drops the link it held on ip. */
static int unlink_entry(struct inode *dp, u32 off, struct inode *ip)
{
	struct dirent de;
	ssize_t n;

	memset(&de, 0, sizeof(de));
	n = writei(dp, false, (u64)&de, off, sizeof(de));
	if (n != sizeof(de))
		return n < 0 ? (int)n : -EIO;
	if (ip->type == T_DIR) {
		dp->nlink--; /* ip's ".." no longer points at dp */
		iupdate(dp);
	}
	ip->nlink--;
	iupdate(ip);
	return 0;
}

/*
 * Removes the name path. The inode itself is freed when its last link
 * and last reference are gone (an open file lives until its last close).
 * Refuses "." and ".." (-EINVAL) and non-empty directories (-ENOTEMPTY).
 */
int fs_unlink(const char *path)
{
	char name[NAME_BUF];
	struct inode *dp, *ip;
	u32 off;
	int err;

	err = path_parent(path, name, &dp);
	if (err != 0)
		return err;
	err = ilock(dp);
	if (err == 0 && is_dot_or_dotdot(name))
		err = -EINVAL;
	if (err != 0)
		goto out_dp;
	ip = dirlookup(dp, name, &off, &err);
	if (ip == NULL)
		goto out_dp;
	if (ip == dp) {
		/* Only a corrupt directory names itself under another name. */
		printk("fs: unlink: directory %u contains itself\n", dp->inum);
		iput(ip);
		err = -EUCLEAN;
		goto out_dp;
	}
	err = ilock(ip);
	if (err == 0 && ip->nlink < 1) {
		printk("fs: unlink: inode %u has no links\n", ip->inum);
		err = -EUCLEAN;
	}
	if (err == 0 && ip->type == T_DIR) {
		int empty = dir_is_empty(ip);
		err = empty < 0 ? empty : (empty ? 0 : -ENOTEMPTY);
	}
	if (err == 0)
		err = unlink_entry(dp, off, ip);
	iunlockput(ip);
out_dp:
	iunlockput(dp);
	return err;
}
