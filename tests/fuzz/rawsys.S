/*
 * rawsys(number, a0, a1, a2, a3, a4, a5): one ecall with every argument
 * register set exactly as given, so the fuzzers can pass values the C
 * prototypes of the user library would narrow or sign-extend. Returns the
 * kernel's a0 unchanged.
 */
	.text
	.globl rawsys
	.type rawsys, @function
rawsys:
	mv a7, a0
	mv a0, a1
	mv a1, a2
	mv a2, a3
	mv a3, a4
	mv a4, a5
	mv a5, a6
	ecall
	ret
	.size rawsys, . - rawsys
