/*
 * System call stubs for the xv6 calls: put the number in a7 and trap. The
 * arguments are already in a0..a5 and the kernel's result comes back in a0,
 * so each stub is three instructions.
 */
#include "kernel/syscall.h"

#include "syscall_stub.h"

	.text
	syscall fork, SYS_fork
	syscall exit, SYS_exit
	syscall wait, SYS_wait
	syscall pipe, SYS_pipe
	syscall read, SYS_read
	syscall write, SYS_write
	syscall close, SYS_close
	syscall kill, SYS_kill
	syscall exec, SYS_exec
	syscall open, SYS_open
	syscall mknod, SYS_mknod
	syscall unlink, SYS_unlink
	syscall fstat, SYS_fstat
	syscall link, SYS_link
	syscall mkdir, SYS_mkdir
	syscall chdir, SYS_chdir
	syscall dup, SYS_dup
	syscall getpid, SYS_getpid
	syscall sys_sbrk, SYS_sbrk
	syscall pause, SYS_pause
	syscall uptime, SYS_uptime
	syscall mmap, SYS_mmap
	syscall munmap, SYS_munmap
