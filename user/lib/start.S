/*
 * Program entry. exec leaves argc in a0 and argv in a1 and sp pointing at
 * the argument block on the user stack. _start calls main(argc, argv) and
 * then exit() with main's return value, so a main that simply returns ends
 * the process properly.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	li s0, 0            /* no caller frame: backtraces stop here */
	li ra, 0
	andi sp, sp, -16    /* the ABI wants a 16-byte aligned stack */
	call main
	call exit           /* main's return value is already in a0 */
1:	j 1b                /* exit does not return */
	.size _start, . - _start
