/*
 * The page cache (fs/pagecache.c): a file's contents in 4 KiB pages, for
 * file mappings (mmap) and kept coherent with read() and write().
 *
 * Pages are ordinary pages (struct page, refcounts): the cache holds one
 * reference on each page it caches, every PTE mapping it one more. The
 * functions that may sleep say so; the others take only the cache's
 * spinlock and may be called under an mm->lock.
 */
#ifndef CALF_PAGECACHE_H
#define CALF_PAGECACHE_H

#include <types.h>

struct inode;
struct page;

/* The cached page idx of ip with a reference for the caller, or NULL. Never
 * sleeps. */
struct page *pcache_find(struct inode *ip, u64 idx);
/*
 * Makes page idx of ip cached, reading it from disk. 0, -ERANGE (the page
 * starts at or beyond end of file), -EDEADLK (the caller holds ip's lock:
 * a read() into a mapping of the file it reads), -ENOMEM, or -EUCLEAN / -EIO.
 * Sleeps; the caller holds no spinlock and not ip's lock.
 */
int pcache_fill(struct inode *ip, u64 idx);
/*
 * Writes the bytes of cached page idx of ip that lie inside the file
 * through the log in one transaction; nothing when the page is not cached
 * (truncation dropped it). 0 or -errno (disk full: the bytes stay in the
 * page). Sleeps; no locks held.
 */
int pcache_writeback(struct inode *ip, u64 idx);
/* Drops the cached pages of ip from byte size on (truncation). ip locked. */
void pcache_truncate(struct inode *ip, u64 size);
/* Frees every cached page nothing but the cache uses; returns how many.
 * For the page allocator when it runs out; never sleeps. */
u64 pcache_reclaim(void);
/* kcheck: calls fn on every cached page and returns the sum of its
 * answers. Takes the cache's lock; fn must not take it. */
int pcache_walk(int (*fn)(struct page *pg, void *arg), void *arg);
/* Pages in the page cache right now, and writebacks since boot. */
u64 pcache_pages(void);
u64 pcache_writebacks(void);

#endif
