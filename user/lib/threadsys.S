/*
 * System call stubs for calf's thread calls (see usys.S for the pattern), in an
 * object file of their own so that an xv6 program that happens to use
 * one of these names for itself still links.
 */
#include "kernel/syscall.h"

#include "syscall_stub.h"

	.text
	syscall sys_thread_create, SYS_thread_create
	syscall thread_join, SYS_thread_join
	syscall thread_exit, SYS_thread_exit
	syscall gettid, SYS_gettid
	syscall futex_wait, SYS_futex_wait
	syscall futex_wake, SYS_futex_wake
