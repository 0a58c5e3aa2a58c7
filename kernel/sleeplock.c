/* Sleeping locks: a spinlock-protected flag plus sleep/wakeup. */
#include <sleeplock.h>
#include <sched.h>
#include <proc.h>

void sleeplock_init(struct sleeplock *lk, const char *name)
{
	spin_init(&lk->lk, "sleeplock");
	lk->name = name;
	lk->locked = false;
	lk->pid = 0;
}

void sleep_lock(struct sleeplock *lk)
{
	might_sleep("sleep_lock");
	spin_lock(&lk->lk);
	while (lk->locked)
		sleep(lk, &lk->lk);
	lk->locked = true;
	lk->pid = current_pid();
	if (current())
		current()->sleeplocks_held++;
	spin_unlock(&lk->lk);
}

void sleep_unlock(struct sleeplock *lk)
{
	spin_lock(&lk->lk);
	if (current() && lk->pid == current()->pid)
		current()->sleeplocks_held--;
	lk->locked = false;
	lk->pid = 0;
	wakeup(lk);
	spin_unlock(&lk->lk);
}

bool sleep_holding(struct sleeplock *lk)
{
	bool held;

	spin_lock(&lk->lk);
	held = lk->locked && lk->pid == current_pid();
	spin_unlock(&lk->lk);
	return held;
}
