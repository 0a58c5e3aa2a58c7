/*
 * SBI calls. Extensions are probed once (sbi_init); where a newer extension
 * is missing we fall back to the legacy calls, which every firmware we
 * target (OpenSBI 1.1 on Debian, 1.2 on the VisionFive 2) still provides.
 */
#include <types.h>
#include <asm/sbi.h>
#include <printk.h>

static bool have_time, have_ipi, have_rfence, have_srst, have_dbcn;

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2,
		       long a3, long a4, long a5)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a5 __asm__("a5") = a5;
	register long r_a6 __asm__("a6") = fid;
	register long r_a7 __asm__("a7") = ext;
	__asm__ __volatile__("ecall"
			     : "+r"(r_a0), "+r"(r_a1)
			     : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5),
			       "r"(r_a6), "r"(r_a7)
			     : "memory");
	return (struct sbiret){ .error = r_a0, .value = r_a1 };
}

static long legacy_call(long ext, long a0)
{
	return sbi_call(ext, 0, a0, 0, 0, 0, 0, 0).error;
}

static bool probe(long ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0, 0, 0);
	return r.error == 0 && r.value != 0;
}

long sbi_spec_version(void)
{
	return sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0, 0).value;
}

/* Finds out which SBI extensions the firmware implements. */
void sbi_init(void)
{
	if (sbi_spec_version() < 0x2) /* SBI 0.1: legacy only */
		return;
	have_time = probe(SBI_EXT_TIME);
	have_ipi = probe(SBI_EXT_IPI);
	have_rfence = probe(SBI_EXT_RFENCE);
	have_srst = probe(SBI_EXT_SRST);
	have_dbcn = probe(SBI_EXT_DBCN);
}

void sbi_console_putchar(int c)
{
	if (have_dbcn) {
		char ch = (char)c;
		/* DBCN write_byte (fid 2) takes the byte itself. */
		sbi_call(SBI_EXT_DBCN, 2, (unsigned char)ch, 0, 0, 0, 0, 0);
		return;
	}
	legacy_call(SBI_EXT_LEGACY_PUTCHAR, c);
}

int sbi_console_getchar(void)
{
	long c = legacy_call(SBI_EXT_LEGACY_GETCHAR, 0);
	return c < 0 ? -1 : (int)c;
}

void sbi_set_timer(u64 when)
{
	if (have_time)
		sbi_call(SBI_EXT_TIME, 0, (long)when, 0, 0, 0, 0, 0);
	else
		legacy_call(SBI_EXT_LEGACY_SET_TIMER, (long)when);
}

void sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	if (have_ipi) {
		sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0, 0);
	} else {
		unsigned long m = hart_mask << hart_mask_base;
		sbi_call(0x04, 0, (long)&m, 0, 0, 0, 0, 0);
	}
}

void sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base,
			   unsigned long start, unsigned long size)
{
	if (have_rfence) {
		sbi_call(SBI_EXT_RFENCE, 1, hart_mask, base, start, size, 0, 0);
	} else {
		unsigned long m = hart_mask << base;
		sbi_call(0x06, 0, (long)&m, start, size, 0, 0, 0);
	}
}

long sbi_hart_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0, 0, 0, 0);

	return r.error ? r.error : r.value;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa,
		    unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_pa, opaque, 0, 0, 0).error;
}

/* SRST system_reset: shutdown, with a system failure reason on failure. */
void sbi_shutdown(bool failure)
{
	if (have_srst)
		sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0, 0, 0, 0, 0);
	legacy_call(SBI_EXT_LEGACY_SHUTDOWN, 0);
	printk("calf: the firmware cannot power off; halted\n");
	for (;;)
		__asm__ __volatile__("wfi");
}
