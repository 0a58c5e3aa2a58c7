/*
 * Trap entry and exit.
 *
 * While a hart runs user code, stvec = user_vec and sscratch holds the
 * address of the process's trap frame (at the top of its kernel stack).
 * While it runs kernel code, stvec = kernel_vec and the trap frame is pushed
 * on the current kernel stack. tp holds this hart's struct cpu in the kernel;
 * the user's tp is saved in the frame and the kernel's reloaded from it.
 */
#include <asm/ptrace.h>
#include <asm/csr.h>
#include <asm/page.h>
#include <asm/cpu.h>

.macro SAVE_GPRS base
	sd	x1, TF_REG(1)(\base)
	sd	x3, TF_REG(3)(\base)
	sd	x4, TF_REG(4)(\base)
	sd	x5, TF_REG(5)(\base)
	sd	x6, TF_REG(6)(\base)
	sd	x7, TF_REG(7)(\base)
	sd	x8, TF_REG(8)(\base)
	sd	x9, TF_REG(9)(\base)
	sd	x10, TF_REG(10)(\base)
	sd	x11, TF_REG(11)(\base)
	sd	x12, TF_REG(12)(\base)
	sd	x13, TF_REG(13)(\base)
	sd	x14, TF_REG(14)(\base)
	sd	x15, TF_REG(15)(\base)
	sd	x16, TF_REG(16)(\base)
	sd	x17, TF_REG(17)(\base)
	sd	x18, TF_REG(18)(\base)
	sd	x19, TF_REG(19)(\base)
	sd	x20, TF_REG(20)(\base)
	sd	x21, TF_REG(21)(\base)
	sd	x22, TF_REG(22)(\base)
	sd	x23, TF_REG(23)(\base)
	sd	x24, TF_REG(24)(\base)
	sd	x25, TF_REG(25)(\base)
	sd	x26, TF_REG(26)(\base)
	sd	x27, TF_REG(27)(\base)
	sd	x28, TF_REG(28)(\base)
	sd	x29, TF_REG(29)(\base)
	sd	x30, TF_REG(30)(\base)
	sd	x31, TF_REG(31)(\base)
.endm

/* Restores every register but x2 (sp) and x10 (a0, often the base). */
.macro RESTORE_GPRS base
	ld	x1, TF_REG(1)(\base)
	ld	x3, TF_REG(3)(\base)
	ld	x4, TF_REG(4)(\base)
	ld	x5, TF_REG(5)(\base)
	ld	x6, TF_REG(6)(\base)
	ld	x7, TF_REG(7)(\base)
	ld	x8, TF_REG(8)(\base)
	ld	x9, TF_REG(9)(\base)
	ld	x11, TF_REG(11)(\base)
	ld	x12, TF_REG(12)(\base)
	ld	x13, TF_REG(13)(\base)
	ld	x14, TF_REG(14)(\base)
	ld	x15, TF_REG(15)(\base)
	ld	x16, TF_REG(16)(\base)
	ld	x17, TF_REG(17)(\base)
	ld	x18, TF_REG(18)(\base)
	ld	x19, TF_REG(19)(\base)
	ld	x20, TF_REG(20)(\base)
	ld	x21, TF_REG(21)(\base)
	ld	x22, TF_REG(22)(\base)
	ld	x23, TF_REG(23)(\base)
	ld	x24, TF_REG(24)(\base)
	ld	x25, TF_REG(25)(\base)
	ld	x26, TF_REG(26)(\base)
	ld	x27, TF_REG(27)(\base)
	ld	x28, TF_REG(28)(\base)
	ld	x29, TF_REG(29)(\base)
	ld	x30, TF_REG(30)(\base)
	ld	x31, TF_REG(31)(\base)
.endm

	.text
/* A trap taken in S-mode: push a frame on the current stack. */
	.balign 4
	.globl kernel_vec
kernel_vec:
	/*
	 * A kernel stack that ran into its guard page would fault again on
	 * every push below. Check first, with t0 parked in sscratch (which
	 * is zero while in the kernel): is sp - TF_SIZE inside a guard?
	 */
	csrw	sscratch, t0
	li	t0, KSTACK_BASE + TF_SIZE
	sub	t0, sp, t0
	srli	t0, t0, 30		/* outside the 1 GiB stack area? */
	bnez	t0, 1f
	li	t0, KSTACK_BASE + TF_SIZE
	sub	t0, sp, t0
	slli	t0, t0, 64 - KSTACK_SLOT_SHIFT
	srli	t0, t0, 64 - KSTACK_SLOT_SHIFT	/* offset in the slot */
	srli	t0, t0, 14		/* below KSTACK_GUARD_SIZE (16 KiB)? */
	beqz	t0, stack_overflow
1:	csrr	t0, sscratch
	csrw	sscratch, zero
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS sp
	addi	t0, sp, TF_SIZE
	sd	t0, TF_REG(2)(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	mv	a0, sp
	call	kernel_trap
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	RESTORE_GPRS sp
	ld	a0, TF_REG(10)(sp)
	addi	sp, sp, TF_SIZE
	sret

stack_overflow:
	mv	a2, sp
	ld	sp, CPU_EMERGENCY_SP(tp)
	csrw	sscratch, zero
	csrr	a0, sepc
	csrr	a1, stval
	mv	s0, zero
	call	kernel_stack_overflow
2:	j	2b

/* A trap taken in U-mode: sscratch holds the process's trap frame. */
	.balign 4
	.globl user_vec
user_vec:
	csrrw	sp, sscratch, sp
	SAVE_GPRS sp
	csrr	t0, sscratch
	sd	t0, TF_REG(2)(sp)
	csrw	sscratch, zero
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	ld	tp, TF_KTP(sp)
	mv	s0, zero		/* end of the frame-pointer chain */
	mv	a0, sp
	call	user_trap
	/* user_trap never returns: it leaves through user_return. */
1:	j	1b

/*
 * user_return(struct trapframe *tf): back to user mode with tf's registers.
 * Called with interrupts off and stvec already set to user_vec.
 */
	.globl user_return
user_return:
	csrw	sscratch, a0
	sd	tp, TF_KTP(a0)
	ld	t0, TF_SEPC(a0)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(a0)
	csrw	sstatus, t0
	RESTORE_GPRS a0
	ld	sp, TF_REG(2)(a0)
	ld	a0, TF_REG(10)(a0)
	sret
