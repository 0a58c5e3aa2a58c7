/*
 * Kernel entry, in the Linux RISC-V Image format so that QEMU's -kernel and
 * U-Boot's booti both accept it.
 *
 * Entered in S-mode with the MMU off, a0 = hart id, a1 = physical address of
 * the device tree, on whichever hart the firmware chose. The code here only
 * uses PC-relative addressing, so it runs at any 2 MiB aligned load address.
 * It clears BSS, has early_paging_setup() build a table mapping the kernel
 * at its link address, and jumps there by letting the first fetch after
 * enabling paging trap into stvec (set to the virtual continuation).
 */
#include <asm/page.h>
#include <asm/csr.h>

	.section .head.text, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	j	boot_entry		/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset */
	.dword	_image_size		/* image_size, including bss */
	.dword	0			/* flags: little endian */
	.word	2			/* version 0.2 */
	.word	0			/* res1 */
	.dword	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* res3 */
	.option pop

boot_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	/* Only one hart boots; any other that arrives here parks forever. */
	lla	t0, boot_lottery
	li	t1, 1
	amoadd.w t1, t1, (t0)
	bnez	t1, park

	mv	s0, a0			/* hart id */
	mv	s1, a1			/* device tree */

	/* Clear BSS through its physical address. */
	lla	t0, _bss_start
	lla	t1, _bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	lla	sp, boot_stack_top
	lla	s2, _start		/* physical load address */
	mv	a0, s2
	mv	a1, s1
	call	early_paging_setup	/* returns the satp value in a0 */

	/* Virtual address of the continuation: pa + (KERNEL_VBASE - load pa). */
	lla	t0, 3f
	lla	t1, _start
	sub	t0, t0, t1
	li	t1, KERNEL_VBASE
	add	t0, t0, t1
	csrw	stvec, t0
	csrw	satp, a0
	sfence.vma
	/* The next fetch faults (nothing maps this physical PC) and traps to 3f. */
	.balign 4
3:
	lla	t0, park		/* any stray trap in early boot parks */
	csrw	stvec, t0
	lla	sp, boot_stack_top	/* now the virtual address */
	lla	tp, cpus		/* cpus[0] is always the boot hart */
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	kmain
park:
	csrw	sie, zero
4:	wfi
	j	4b

/*
 * Secondary harts start here through SBI HSM hart_start, MMU off,
 * a0 = hart id, a1 = physical address of their struct secondary_boot
 * { satp, sp, tp, entry (virtual) }.
 */
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	ld	t0, 0(a1)		/* satp */
	ld	sp, 8(a1)
	ld	tp, 16(a1)
	ld	t1, 24(a1)		/* virtual entry point */
	csrw	stvec, t1
	csrw	satp, t0
	sfence.vma
	.balign 4
	/* Not reached: the fetch above faults into stvec = entry. */
	j	park

/* The virtual landing point of secondary_entry's jump. */
	.text
	.balign 4
	.globl secondary_virt
secondary_virt:
	lla	t0, park
	csrw	stvec, t0
	call	secondary_main
	j	park

	.section .data
	.balign 4
boot_lottery:
	.word	0

	.section .bss
	.balign 16
boot_stack:
	.space	4 * PAGE_SIZE
	.globl boot_stack_top
boot_stack_top:
