/*
 * The one system call stub, shared by usys.S, calfsys.S and threadsys.S:
 * "syscall name, number" defines a function name() that traps with the
 * number in a7; the arguments are already in a0..a5 and the result comes
 * back in a0.
 */
.macro syscall name, number
	.globl \name
	.type \name, @function
\name:
	li a7, \number
	ecall
	ret
	.size \name, . - \name
.endm
