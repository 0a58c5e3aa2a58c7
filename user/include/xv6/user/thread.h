/*
 * calf's thread API, kept out of user/user.h so that xv6 programs that
 * define names like thread_create() themselves (the uthread lab) still
 * compile. Include it after "user/user.h".
 */
#ifndef CALF_USER_THREAD_H
#define CALF_USER_THREAD_H

/*
 * Threads (calf extensions; README, "Threads"). thread_create() starts
 * fn(arg) in a new thread of this process, sharing its memory, open files
 * and working directory, on the stack [stack, stack + size) that the
 * caller provides and keeps until the thread is joined; it returns the
 * thread id or -1. Returning from fn is thread_exit() with its value.
 * thread_join() waits for a thread (not the first one), stores its status
 * and frees it: join every thread you create. exit() ends all threads;
 * getpid() is the process's id, gettid() the thread's.
 * futex_wait() sleeps while *addr == val (returns -1 at once when it is
 * not; may also return early: re-check); futex_wake() wakes up to n
 * threads sleeping on addr and returns how many.
 */
int thread_create(int (*fn)(void *), void *arg, void *stack, int size);
int sys_thread_create(uint64 entry, uint64 sp, uint64 arg0, uint64 arg1);
int thread_join(int tid, int *status);
void thread_exit(int status) __attribute__((noreturn));
int gettid(void);
int futex_wait(int *addr, int val);
int futex_wake(int *addr, int n);

/* A sleeping mutex on futex_wait/futex_wake. */
struct mutex {
	int state;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

/* A condition variable for that mutex: cond_wait() unlocks m, sleeps until
 * a signal, locks m again; it may return without one (loop over the
 * condition). */
struct cond {
	int seq;
};
void cond_init(struct cond *c);
void cond_wait(struct cond *c, struct mutex *m);
void cond_signal(struct cond *c);
void cond_broadcast(struct cond *c);

#endif
