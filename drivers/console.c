/*
 * The console: kernel output, the line discipline, and the console device.
 *
 * Output. console_putc() and console_write() send characters to the
 * installed output path: the SBI firmware console until a UART driver calls
 * console_set_output(), the UART afterwards. One output lock keeps the
 * characters of one console_write() (one printk line) together when several
 * harts print at once. It is not a struct spinlock because panic() must still
 * print when this hart already holds it (a fault inside the console code) or
 * when a hart that was stopped by the panic holds it: in both cases the
 * writer gives up waiting and prints anyway. A UART driver's putc is polled
 * and safe with interrupts off.
 *
 * Input. Characters arrive one at a time through console_input_char(), from
 * the UART receive interrupt or from console_poll() (SBI getchar, for
 * machines without a UART interrupt). The line discipline keeps them in a
 * ring buffer with three cursors, all counting up forever and taken modulo
 * the buffer size:
 *
 *     r <= w <= e       r: next byte a reader takes
 *                       w: end of committed input (whole lines, or ^D)
 *                       e: end of the line being edited
 *
 * Editing (backspace/DEL, ^U) only moves e back, never past w. A newline or
 * ^D, or a full buffer, commits the edited line (w = e) and wakes readers.
 * ^P prints the process list and is not stored.
 *
 * The console device (major CONSOLE) reads committed input, blocking until
 * some exists; a read returns at most one line, and a ^D at the start of a
 * read returns 0 (end of file). Both directions copy user memory in small
 * chunks through a kernel buffer, never while holding a spinlock, because
 * the copy may fault and sleep.
 *
 * Lock order: input lock > output lock (echo prints under the input lock).
 */
#include <console.h>
#include <errno.h>
#include <file.h>
#include <printk.h>
#include <proc.h>
#include <sched.h>
#include <spinlock.h>
#include <uaccess.h>
#include <asm/arch.h>
#include <asm/cpu.h>
#include <asm/sbi.h>
#include "console_internal.h"

#define CTRL(c)	     ((c) - '@')
#define CH_BACKSPACE CTRL('H')
#define CH_DELETE    0x7f
#define CH_KILL_LINE CTRL('U')
#define CH_EOF	     CTRL('D')
#define CH_PROCDUMP  CTRL('P')

/* ---------------------------------------------------------------- output */

/* Spins before an output writer decides the lock holder is stuck. */
#define OUT_LOCK_SPIN_LIMIT 200000000L

static const struct console_ops *out_ops; /* NULL: SBI console */
static u32 out_locked;
static int out_owner = -1; /* cpu index holding the output lock, or -1 */

/*
 * Takes the output lock with interrupts off. Returns true when the lock was
 * taken, false when the caller writes without it (re-entry on the holding
 * hart, or a holder that never lets go); either way out_unlock() follows.
 */
static bool out_lock(void)
{
	irq_push_off();
	int me = cpu_id();
	if (__atomic_load_n(&out_owner, __ATOMIC_RELAXED) == me)
		return false;
	for (long spins = 0;
	     __atomic_exchange_n(&out_locked, 1, __ATOMIC_ACQUIRE); spins++) {
		if (spins > OUT_LOCK_SPIN_LIMIT)
			return false;
		arch_cpu_relax();
	}
	__atomic_store_n(&out_owner, me, __ATOMIC_RELAXED);
	return true;
}

/* Releases what out_lock() took and restores the interrupt state. */
static void out_unlock(bool taken)
{
	if (taken) {
		__atomic_store_n(&out_owner, -1, __ATOMIC_RELAXED);
		__atomic_store_n(&out_locked, 0, __ATOMIC_RELEASE);
	}
	irq_pop_off();
}

/*
 * Sends one character to the current output path. The output lock is held
 * on entry and exit (or the caller gave up on it). The SBI firmware turns '\n' into "\r\n" itself;
 * a UART needs the carriage return from us.
 */
static void out_char(char c)
{
	const struct console_ops *ops =
	    __atomic_load_n(&out_ops, __ATOMIC_ACQUIRE);

	if (!ops) {
		sbi_console_putchar((unsigned char)c);
		return;
	}
	if (c == '\n')
		ops->putc('\r');
	ops->putc(c);
}

void console_putc(char c)
{
	bool taken = out_lock();
	out_char(c);
	out_unlock(taken);
}

void console_write(const char *s, size_t n)
{
	bool taken = out_lock();
	for (size_t i = 0; i < n; i++)
		out_char(s[i]);
	out_unlock(taken);
}

/*
 * Switches output to a UART driver (or back to SBI with NULL). Taken under
 * the output lock so no line is split between the two paths.
 */
void console_set_output(const struct console_ops *ops)
{
	bool taken = out_lock();
	__atomic_store_n(&out_ops, ops, __ATOMIC_RELEASE);
	out_unlock(taken);
}

/* ------------------------------------------------------ line discipline */

#define INPUT_BUF 128

static struct {
	struct spinlock lock;
	char buf[INPUT_BUF]; /* guarded by lock, like the cursors */
	u32 r, w, e;	     /* see the file comment */
	bool echo;
} in = {.lock = SPINLOCK_INIT("console_in"), .echo = true};

static bool input_irq_driven;
static u32 polling;

static void echo_char(char c)
{
	if (in.echo)
		console_putc(c);
}

/* Erases the last character on the terminal: back, blank, back. */
static void echo_erase(void)
{
	if (in.echo)
		console_write("\b \b", 3);
}

/* Stores a typed character and commits the line on newline, ^D or a full
 * buffer. */
static void ldisc_store(char c)
{
	assert_held(&in.lock);
	if (c == 0 || in.e - in.r >= INPUT_BUF)
		return;
	if (c == '\r')
		c = '\n';
	if (c != CH_EOF)
		echo_char(c);
	in.buf[in.e++ % INPUT_BUF] = c;
	if (c == '\n' || c == CH_EOF || in.e - in.r == INPUT_BUF) {
		in.w = in.e;
		wakeup(&in.r);
	}
}

/*
 * Feeds one received character through the line discipline. Callable from
 * interrupt handlers; takes the input lock.
 */
void console_input_char(int c)
{
	bool dump = false;

	spin_lock(&in.lock);
	switch (c) {
	case CH_PROCDUMP:
		dump = true;
		break;
	case CH_KILL_LINE:
		while (in.e != in.w && in.buf[(in.e - 1) % INPUT_BUF] != '\n') {
			in.e--;
			echo_erase();
		}
		break;
	case CH_BACKSPACE:
	case CH_DELETE:
		if (in.e != in.w) {
			in.e--;
			echo_erase();
		}
		break;
	default:
		ldisc_store((char)c);
		break;
	}
	spin_unlock(&in.lock);

	if (dump)
		procdump();
}

/*
 * Moves up to max committed bytes into dst; already is what this read()
 * returned so far. Sets *end when the read should return now: after a
 * newline, or at a ^D (consumed only when it is the first byte of the read,
 * so it reads as end of file; otherwise it ends this read and stays for
 * the next). The input lock is held on entry and exit.
 */
static int ldisc_take(char *dst, int max, int already, bool *end)
{
	int k = 0;

	assert_held(&in.lock);
	*end = false;
	while (k < max && in.r != in.w) {
		char c = in.buf[in.r % INPUT_BUF];
		if (c == CH_EOF) {
			if (already + k == 0)
				in.r++;
			*end = true;
			break;
		}
		in.r++;
		dst[k++] = c;
		if (c == '\n') {
			*end = true;
			break;
		}
	}
	return k;
}

int console_ldisc_read(char *dst, int n)
{
	bool end;
	int k = -EAGAIN;

	spin_lock(&in.lock);
	if (in.r != in.w)
		k = ldisc_take(dst, n, 0, &end);
	spin_unlock(&in.lock);
	return k;
}

void console_ldisc_flush(void)
{
	spin_lock(&in.lock);
	in.r = in.w = in.e;
	spin_unlock(&in.lock);
}

bool console_ldisc_set_echo(bool on)
{
	spin_lock(&in.lock);
	bool old = in.echo;
	in.echo = on;
	spin_unlock(&in.lock);
	return old;
}

void console_input_by_irq(void)
{
	__atomic_store_n(&input_irq_driven, true, __ATOMIC_RELEASE);
}

/* Most characters one console_poll() takes, so a tick stays short. */
#define POLL_BUDGET 32

/*
 * Called from the timer tick: without a UART receive interrupt, asks the
 * SBI firmware for waiting input. One hart polls at a time; the others
 * return at once.
 */
void console_poll(void)
{
	if (__atomic_load_n(&input_irq_driven, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_exchange_n(&polling, 1, __ATOMIC_ACQUIRE))
		return;
	for (int i = 0; i < POLL_BUDGET; i++) {
		int c = sbi_console_getchar();
		if (c < 0)
			break;
		console_input_char(c);
	}
	__atomic_store_n(&polling, 0, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------- console device */

#define CHUNK 128

/*
 * read() of the console: sleeps until committed input exists, then returns
 * at most one line (or 0 for a ^D at the start). Returns -EINTR when the
 * process is killed while waiting, -EFAULT for a bad user buffer.
 */
static int console_read(uaddr_t dst, int n)
{
	char chunk[CHUNK];
	int done = 0;
	bool end = false;

	while (done < n && !end) {
		spin_lock(&in.lock);
		while (in.r == in.w) {
			if (current_killed()) {
				spin_unlock(&in.lock);
				return -EINTR;
			}
			sleep(&in.r, &in.lock);
		}
		int k = ldisc_take(chunk, MIN(n - done, CHUNK), done, &end);
		spin_unlock(&in.lock);

		if (k > 0 && copy_to_user(dst + done, chunk, k) < 0)
			return -EFAULT;
		done += k;
	}
	return done;
}

/*
 * write() to the console: copies the user buffer in chunks and prints it.
 * Returns n, or the bytes written before a bad address (-EFAULT if none).
 */
static int console_dev_write(uaddr_t src, int n)
{
	char chunk[CHUNK];
	int done = 0;

	while (done < n) {
		int k = MIN(n - done, CHUNK);
		if (copy_from_user(chunk, src + done, k) < 0)
			return done > 0 ? done : -EFAULT;
		console_write(chunk, k);
		done += k;
	}
	return done;
}

void console_dev_init(void)
{
	devsw[CONSOLE].read = console_read;
	devsw[CONSOLE].write = console_dev_write;
}
