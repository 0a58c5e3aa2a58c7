/*
 * The system-call table. Numbers come from include/uapi/syscall.h; any
 * negative result becomes -1 for user space (the xv6 convention).
 */
#include <syscall.h>
#include <proc.h>
#include <printk.h>
#include <errno.h>
#include <asm/syscall.h>

typedef long (*syscall_fn)(const u64 *a);

static const syscall_fn syscall_table[] = {
#define X(name) [SYS_##name] = sys_##name,
	SYSCALLS(X)
#undef X
};

void syscall_dispatch(void)
{
	struct trapframe *tf = current()->tf;
	u64 num = syscall_nr(tf);
	u64 args[SYSCALL_MAX_ARGS];
	long ret;
	int i;

	for (i = 0; i < SYSCALL_MAX_ARGS; i++)
		args[i] = syscall_arg(tf, i);
	if (num < ARRAY_SIZE(syscall_table) && syscall_table[num])
		ret = syscall_table[num](args);
	else
		ret = -ENOSYS;
	syscall_set_return(tf, ret < 0 && ret >= -4095 ? (u64)-1 : (u64)ret);
}
