/*
 * The system-call table. Numbers come from include/uapi/syscall.h; any
 * negative result becomes -1 for user space (the xv6 convention).
 */
#include <syscall.h>
#include <proc.h>
#include <printk.h>
#include <errno.h>
#include <asm/ptrace.h>

typedef long (*syscall_fn)(const u64 *a);

static const syscall_fn syscall_table[] = {
#define X(name) [SYS_##name] = sys_##name,
	SYSCALLS(X)
#undef X
};

void syscall_dispatch(void)
{
	struct trapframe *tf = current()->tf;
	u64 num = tf->regs[REG_A7];
	u64 args[6];
	long ret;
	int i;

	for (i = 0; i < 6; i++)
		args[i] = tf_arg(tf, i);
	if (num < ARRAY_SIZE(syscall_table) && syscall_table[num])
		ret = syscall_table[num](args);
	else
		ret = -ENOSYS;
	tf->regs[REG_A0] = ret < 0 && ret >= -4095 ? (u64)-1 : (u64)ret;
}
