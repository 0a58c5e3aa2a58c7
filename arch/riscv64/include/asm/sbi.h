/* Calls into the SBI firmware (OpenSBI). */
#ifndef ASM_SBI_H
#define ASM_SBI_H

#include <types.h>

#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2,
		       long a3, long a4, long a5);

void sbi_init(void);
void sbi_console_putchar(int c);
int sbi_console_getchar(void); /* -1 when nothing is waiting */
void sbi_set_timer(u64 when);
void sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
void sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base,
			   unsigned long start, unsigned long size);
/* HSM state of a hart (0 started, 1 stopped, 2 start pending, ...) or a
 * negative SBI error. */
long sbi_hart_status(unsigned long hartid);
long sbi_hart_start(unsigned long hartid, unsigned long start_pa,
		    unsigned long opaque);
void sbi_shutdown(bool failure) __noreturn;
long sbi_spec_version(void);

#endif
