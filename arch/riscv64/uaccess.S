/*
 * The only code that dereferences user addresses. sstatus.SUM is set on
 * entry and cleared on every way out. Each instruction that touches user
 * memory has an __ex_table entry: if its page fault cannot be resolved, the
 * trap handler resumes at the fixup, which returns failure.
 */
#include <asm/csr.h>

.macro EX insn, fixup
99:	\insn
	.pushsection __ex_table, "a"
	.balign 8
	.dword	99b, \fixup
	.popsection
.endm

	.text
/*
 * size_t __copy_user(void *dst, const void *src, size_t n)
 * Returns the number of bytes NOT copied (0 on success).
 */
	.globl __copy_user
__copy_user:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	/* Words when both pointers are 8-byte aligned. */
	or	t0, a0, a1
	andi	t0, t0, 7
	bnez	t0, 2f
1:	li	t1, 8
	bltu	a2, t1, 2f
	EX	"ld t0, 0(a1)", 9f
	EX	"sd t0, 0(a0)", 9f
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
2:	beqz	a2, 3f
	EX	"lbu t0, 0(a1)", 9f
	EX	"sb t0, 0(a0)", 9f
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:	csrc	sstatus, t6
	li	a0, 0
	ret
9:	csrc	sstatus, t6
	mv	a0, a2
	ret

/*
 * long __strncpy_user(char *dst, const char *src, size_t max)
 * Copies up to and including the NUL. Returns the string length, max when
 * no NUL was found in max bytes, or -1 on a fault.
 */
	.globl __strncpy_user
__strncpy_user:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	li	t1, 0
1:	beq	t1, a2, 2f
	EX	"lbu t0, 0(a1)", 9f
	sb	t0, 0(a0)
	beqz	t0, 2f
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	t1, t1, 1
	j	1b
2:	csrc	sstatus, t6
	mv	a0, t1
	ret
9:	csrc	sstatus, t6
	li	a0, -1
	ret

/*
 * int __probe_user_write(void *uaddr)
 * Makes one user page writable (breaking COW through the fault handler)
 * without changing its contents: loads a byte and stores it back with an
 * atomic or of zero. Returns 0, or -1 if the page cannot be written.
 */
	.globl __probe_user_write
__probe_user_write:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	andi	a0, a0, -8
	EX	"amoor.d zero, zero, (a0)", 9f
	csrc	sstatus, t6
	li	a0, 0
	ret
9:	csrc	sstatus, t6
	li	a0, -1
	ret
