/*
 * Sleeping locks: for long holds (disk buffers, inodes). May only be taken
 * from process context; a contended lock puts the caller to sleep.
 */
#ifndef CALF_SLEEPLOCK_H
#define CALF_SLEEPLOCK_H

#include <spinlock.h>

struct sleeplock {
	bool locked;      /* guarded by lk */
	struct spinlock lk;
	const char *name;
	int pid; /* holder, for debugging */
};

void sleeplock_init(struct sleeplock *lk, const char *name);
void sleep_lock(struct sleeplock *lk);
void sleep_unlock(struct sleeplock *lk);
bool sleep_holding(struct sleeplock *lk);

#endif
