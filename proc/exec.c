/*
 * exec: replaces the caller's address space with a program from the file
 * system. The new address space is built on the side (segments as VMAs
 * with their own permissions, a one-page stack above an unmapped guard,
 * an empty heap above the stack) and swapped in only when every step
 * succeeded, so a failed exec returns an error to an intact caller.
 *
 *   0x1000   text (r-x), rodata (r--), data+bss (rw-)   from the ELF
 *            guard (unmapped): a page or more, up to where the stack
 *            must start to end at a 2 MiB boundary
 *            stack, USERSTACK pages: argv strings, argv[], sp
 *   2 MiB*k  heap: grows with sbrk
 *
 * Why the stack ends on a 2 MiB boundary: a level-0 page table maps one
 * aligned 2 MiB "span". With the heap in spans of its own, every whole
 * 2 MiB of it can be one 2 MiB page, and fork can share every heap table
 * (mm/cow.c) without sharing the stack's, which parent and child both
 * write at once. As in xv6, everything from the stack up to the break is
 * mapped: programs that read just below an empty heap find the stack.
 * The price: a larger guard (address space, no memory), and a level-0
 * table of the heap's own once it is used.
 */
#include <proc.h>
#include <addrspace.h>
#include <mm.h>
#include <elf.h>
#include <file.h>
#include <sched.h>
#include <errno.h>
#include <printk.h>
#include <string.h>
#include <trap.h>
#include <asm/arch.h>
#include <asm/ptrace.h>
#include "internal.h"

static unsigned segment_flags(u32 pf)
{
	unsigned f = 0;

	if (pf & PF_R)
		f |= VM_READ;
	if (pf & PF_W)
		f |= VM_WRITE | VM_READ;
	if (pf & PF_X)
		f |= VM_EXEC | VM_READ;
	return f;
}

/* Reads n bytes at off of the file into the new mm at va. */
static int load_bytes(struct mm *mm, struct inode *ip, u64 va, u64 off, u64 n)
{
	char *buf = kalloc_page();
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (n && !err) {
		u64 chunk = MIN(n, PAGE_SIZE);
		if (inode_read_kernel(ip, buf, off, chunk) != (ssize_t)chunk)
			err = -ENOEXEC;
		else
			err = mm_write(mm, va, buf, chunk);
		va += chunk;
		off += chunk;
		n -= chunk;
	}
	kfree_page(buf);
	return err;
}

/* Maps and fills one PT_LOAD segment; returns 0 or -errno. */
static int load_segment(struct mm *mm, struct inode *ip, const struct elf64_phdr *ph)
{
	u64 start = ALIGN_DOWN(ph->vaddr, PAGE_SIZE);
	u64 end = ph->vaddr + ph->memsz;
	unsigned flags = segment_flags(ph->flags);
	int err;

	if (ph->memsz < ph->filesz || end < ph->vaddr || end > USER_TOP ||
	    start < PAGE_SIZE)
		return -ENOEXEC;
	if ((flags & VM_WRITE) && (flags & VM_EXEC))
		return -ENOEXEC;
	end = ALIGN_UP(end, PAGE_SIZE);
	err = vma_add(mm, start, end, flags, VMA_IMAGE);
	if (!err)
		err = mm_populate(mm, start, end);
	if (!err && ph->filesz)
		err = load_bytes(mm, ip, ph->vaddr, ph->offset, ph->filesz);
	return err;
}

/* Loads every PT_LOAD segment; *top gets the end of the highest one. */
static int load_elf(struct mm *mm, struct inode *ip, u64 *entry, u64 *top)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	int i, err;

	if (inode_read_kernel(ip, &eh, 0, sizeof(eh)) != sizeof(eh) ||
	    eh.magic != ELF_MAGIC || eh.class != ELFCLASS64 ||
	    eh.data != ELFDATA2LSB || eh.machine != EM_RISCV ||
	    eh.phentsize != sizeof(ph))
		return -ENOEXEC;
	*top = 0;
	for (i = 0; i < eh.phnum; i++) {
		if (inode_read_kernel(ip, &ph, eh.phoff + (u64)i * sizeof(ph), sizeof(ph)) != sizeof(ph))
			return -ENOEXEC;
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		err = load_segment(mm, ip, &ph);
		if (err)
			return err;
		*top = MAX(*top, ALIGN_UP(ph.vaddr + ph.memsz, PAGE_SIZE));
	}
	*entry = eh.entry;
	return *top ? 0 : -ENOEXEC;
}

/*
 * Builds the stack: the argument strings at the top, then the argv array
 * (NULL-terminated), 16-byte aligned. Returns sp, or 0 when it does not fit.
 */
static u64 build_stack(struct mm *mm, u64 base, u64 top, char *const argv[], int argc, u64 *argv_out)
{
	u64 sp = top, uargv[MAXARG + 1];
	int i;

	for (i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;
		sp = ALIGN_DOWN(sp - len, 16);
		if (sp < base || mm_write(mm, sp, argv[i], len))
			return 0;
		uargv[i] = sp;
	}
	uargv[argc] = 0;
	sp = ALIGN_DOWN(sp - (argc + 1) * sizeof(u64), 16);
	if (sp < base || mm_write(mm, sp, uargv, (argc + 1) * sizeof(u64)))
		return 0;
	*argv_out = sp;
	return sp;
}

/* Builds the new image of path in a fresh mm; 0 or -errno. */
static int build_image(struct mm *mm, const char *path, char *const argv[], int argc,
		       u64 *entry, u64 *sp, u64 *uargv)
{
	struct inode *ip;
	u64 top, stack;
	int err;

	fs_begin_op();
	ip = namei(path);
	if (!ip) {
		fs_end_op();
		return -ENOENT;
	}
	inode_lock(ip);
	err = inode_is_file(ip) ? load_elf(mm, ip, entry, &top) : -EACCES;
	inode_unlock_put(ip);
	fs_end_op();
	if (err)
		return err;
	stack = ALIGN_UP(top + PAGE_SIZE + USERSTACK * PAGE_SIZE, HUGE_SIZE) -
		USERSTACK * PAGE_SIZE; /* above the guard; see the top */
	err = vma_add(mm, stack, stack + USERSTACK * PAGE_SIZE, VM_READ | VM_WRITE, VMA_STACK);
	if (!err)
		err = mm_populate(mm, stack, stack + USERSTACK * PAGE_SIZE);
	if (err)
		return err;
	*sp = build_stack(mm, stack, stack + USERSTACK * PAGE_SIZE, argv, argc, uargv);
	if (!*sp)
		return -E2BIG;
	return mm_set_heap(mm, stack + USERSTACK * PAGE_SIZE);
}

/*
 * exec in a process of several threads: ends the others and waits for
 * them (they leave the old address space), then, if p is not the leader,
 * p takes the leader's place: its pid (the process id), its parent and
 * its children. 0, or -EINTR when the process is being killed or another
 * thread got there first (p then ends on its way out).
 */
static int exec_end_other_threads(struct proc *p)
{
	struct tgroup *tg = p->tg;
	struct proc *old, *c;
	int tid;

	spin_lock(&wait_lock);
	if (tg->exiting || tg->execer || current_killed()) {
		spin_unlock(&wait_lock);
		return -EINTR;
	}
	tg->execer = p;
	group_kill_others(tg, p);
	group_wait_others(tg, p);
	old = tg->leader;
	if (old != p) {
		p->parent = old->parent;
		old->parent = NULL;
		for (c = proc_table; c < &proc_table[NPROC]; c++)
			if (c->parent == old)
				c->parent = p;
		tg->leader = p;
		spin_lock(&p->lock);
		tid = p->pid;
		p->pid = old->pid;
		spin_unlock(&p->lock);
		spin_lock(&old->lock);
		old->pid = tid;
		spin_unlock(&old->lock);
	}
	group_free_others(tg, p);
	tg->execer = NULL;
	spin_unlock(&wait_lock);
	return 0;
}

int do_exec(const char *path, char *const argv[], int argc)
{
	struct proc *p = current();
	struct mm *mm = mm_create(), *old;
	u64 entry, sp, uargv;
	const char *base, *s;
	int err;

	if (!mm)
		return -ENOMEM;
	WRITE_ONCE(p->exec_mm, mm); /* build_image sleeps on the disk */
	err = build_image(mm, path, argv, argc, &entry, &sp, &uargv);
	if (!err && p->tg)
		err = exec_end_other_threads(p); /* sleeps too */
	WRITE_ONCE(p->exec_mm, NULL);
	if (err) {
		mm_destroy(mm);
		return err;
	}
	/* The new text was written through the linear map: sync I-caches. */
	arch_sync_icache_all();
	/* The old image's stores through shared file mappings reach the
	 * file while it is still this process's address space. */
	mm_writeback_all(p->mm);

	for (base = s = path; *s; s++)
		if (*s == '/')
			base = s + 1;
	strlcpy(p->name, base, sizeof(p->name));

	spin_lock(&p->lock);
	old = p->mm;
	p->mm = mm;
	mm_activate(mm);
	mm_leave(old);
	spin_unlock(&p->lock);
	mm_destroy(old);

	trapframe_init_user(p->tf, entry, sp, uargv);
	return argc; /* exec's result: main's first argument */
}
