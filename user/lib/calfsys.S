/*
 * System call stubs for calf's own calls (see usys.S for the pattern). They
 * live in their own object file so that an xv6 program that happens to use
 * one of these names for itself still links.
 */
#include "kernel/syscall.h"

#include "syscall_stub.h"

	.text
	syscall memstat, SYS_memstat
	syscall procinfo, SYS_procinfo
	syscall poweroff, SYS_poweroff
	syscall kcmdline, SYS_cmdline
	syscall kcheck, SYS_kcheck
	syscall mprotect, SYS_mprotect
	syscall msync, SYS_msync
	syscall vmainfo, SYS_vmainfo
