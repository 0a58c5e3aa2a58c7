#!/usr/bin/env python3
"""Mutation check: are calf's tests able to catch real bugs?

Applies, one at a time, small deliberate bugs ("mutants") to a temporary
copy of the source tree, rebuilds it in its own build directory, runs the
tests that should catch each one and prints a table: mutant, caught by,
time. Every mutant must be caught; the exit status is 1 when one is not,
or when a mutant is stale (its snippet is no longer in the file exactly
once, so it would silently test nothing).

    tools/mutants.py                   # every mutant
    tools/mutants.py --list            # names and descriptions only
    tools/mutants.py cow_copy_no_put   # some of them
    tools/mutants.py --markdown        # the table as Markdown

The tree itself is never modified: the copy lives in a temporary
directory (removed at the end, also on Ctrl-C, unless --keep). Tests run
at most --jobs at a time (default 2), and the whole thing runs under
nice. Tests are tried in the order listed for each mutant and the first
one that fails names the catch, so list the fastest first. Not part of
CI: with a fresh build it takes several minutes.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# name, file, old snippet, new snippet, tests that should catch it, what.
# A snippet must occur exactly once in its file.
MUTANTS = [
    ("cow_copy_no_put", "mm/cow.c",
     "\tpage_put(old);\n", "\t/* page_put(old); */\n",
     ["cowcount", "cowthree-smp4"],
     "COW copy keeps its reference to the old page"),
    ("fork_no_page_get", "mm/cow.c",
     "\t\t\tpage_get(page_bank_pfn(&bank0, pte_pfn(pte)));\n",
     "\t\t\t(void)page_bank_pfn(&bank0, pte_pfn(pte));\n",
     ["cowcount", "cowthree-smp4"],
     "fork shares a page without taking a reference"),
    ("share_leaves_w", "mm/internal.h",
     "\t\tpte = pte_mkcow(pte);\n",
     "\t\tpte = pte_mkcow(pte) | PTE_W | PTE_D;\n",
     ["cowcount", "cowthree-smp4"],
     "fork leaves W set on the shared PTEs"),
    ("fork_no_tlb_flush", "mm/addrspace.c",
     "\tmm_flush_all(old);\n", "\n",
     ["cowcount", "cowthree-smp4", "cowstress-smp4"],
     "no TLB flush after fork write-protects the parent"),
    ("reuse_shared_page", "mm/cow.c",
     "\tif (refs == 1)\n", "\tif (refs <= 2)\n",
     ["cowcount", "cowthree-smp4"],
     "COW fault reuses a page whose count is 2"),
    ("huge_reuse_shared", "mm/page.c",
     "\t\treturn page_refcount(first) == 1;\n",
     "\t\treturn page_refcount(first) <= 2;\n",
     ["cowhuge-smp4", "cowbig"],
     "2 MiB COW fault reuses a shared leaf"),
    ("uaccess_no_cow_break", "mm/fault.c",
     "\t\telse\n\t\t\tr = cow_fault(mm, vma, va, w.ptep);\n",
     "\t\telse if (access & FAULT_KERNEL) {\n"
     "\t\t\tpte_install(w.ptep, pte_mkwrite(pte));\n"
     "\t\t\tr = FAULT_OK;\n"
     "\t\t} else\n\t\t\tr = cow_fault(mm, vma, va, w.ptep);\n",
     ["cowkwrite"],
     "copy_to_user writes through a COW page without copying it"),
    ("demand_zero_dirty", "mm/fault.c",
     "\tzero_pages(pa_to_kva(pa), PAGE_SIZE);\n",
     "\t(void)pa;\n",
     ["sbrktest", "cowlazy"],
     "demand-zero fault maps a page without zeroing it"),
    ("unmap_no_put", "mm/addrspace.c",
     "\t\t\tpage_put(page_bank_pfn(&bank0, pte_pfn(pte)));\n",
     "\t\t\t(void)page_bank_pfn(&bank0, pte_pfn(pte));\n",
     ["sbrktest", "proctest"],
     "unmapping a page does not drop its reference"),
    ("sbrk_shrink_off_by_one", "mm/brk.c",
     "\t\tunmap_pages(mm, new_end, old_end, b);\n",
     "\t\tunmap_pages(mm, new_end + PAGE_SIZE, old_end, b);\n",
     ["sbrktest"],
     "sbrk shrink leaves the first page past the new break mapped"),
    ("sbrk_shrink_keeps_tables", "mm/addrspace.c",
     "\tpgtable_prune(mm->root, start, end, batch_free_table, b);\n",
     "\t(void)batch_free_table;\n",
     ["sbrktest"],
     "sbrk shrink keeps the empty page tables"),
    ("skip_remote_shootdown", "mm/tlb.c",
     "\tarch_flush_tlb_remote(others, start, size);\n",
     "\t(void)start;\n\t(void)size;\n",
     ["threadcow-smp2", "threadcow-smp4"],
     "TLB shootdowns flush this hart only, not the others running the mm"),
    ("shootdown_not_counted", "mm/tlb.c",
     "\tif (!others)\n\t\treturn;\n",
     "\treturn;\n",
     ["ktest-smp4", "threadcow-smp2"],
     "no remote TLB request is made at all (nor counted)"),
    ("exit_spares_threads", "proc/exit.c",
     "\tgroup_kill_others(tg, p);\n\tif (tg->leader != p) {\n",
     "\tif (tg->leader != p) {\n",
     ["threadtest-smp2"],
     "exit() in one thread leaves the process's other threads running"),
    ("futex_no_value_check", "proc/futex.c",
     "\tif (cur != val) {\n", "\tif (0 && cur != val) {\n",
     ["threadtest-smp2"],
     "futex_wait sleeps although the word changed (a lost wakeup)"),
    ("fd_lookup_no_reference", "fs/sysfile.c",
     "\t\tf = filedup(tg->ofile[fd]);\n\tspin_unlock(&tg->lock);\n"
     "\treturn f;\n}\n\nstatic void fd_put(struct file *f)\n{\n"
     "\tfileclose(f);\n}\n",
     "\t\tf = tg->ofile[fd];\n\tspin_unlock(&tg->lock);\n"
     "\treturn f;\n}\n\nstatic void fd_put(struct file *f)\n{\n"
     "\t(void)f;\n}\n",
     ["threadtest-smp2"],
     "a system call uses a file without its own reference (close underneath)"),
    ("free_tables_leak", "mm/pgtable.c",
     "\t\tfree_tables(pte_table(e), level - 1);\n\t}\n\tkfree_page(t);\n",
     "\t\tfree_tables(pte_table(e), level - 1);\n\t}\n"
     "\tif (level > 0)\n\t\tkfree_page(t);\n",
     ["proctest"],
     "address-space teardown forgets the level-0 page tables"),
    ("exit_keeps_mm", "proc/exit.c",
     "\t\tmm_destroy(mm);\n", "\t\t(void)mm;\n",
     ["proctest"],
     "exit does not free the address space"),
    ("exec_keeps_old_mm", "proc/exec.c",
     "\tmm_destroy(old);\n", "\t(void)old;\n",
     ["proctest"],
     "exec does not free the old address space"),
    ("fork_fail_looks_like_child", "proc/fork.c",
     "\t\tspin_unlock(&np->lock);\n\t\treturn -ENOMEM;\n",
     "\t\tspin_unlock(&np->lock);\n\t\treturn 0;\n",
     ["cowoom-smp4"],
     "a fork that ran out of memory returns 0, as to a child"),
    ("wait_no_status", "proc/exit.c",
     "\t\t\t\tif (status_addr && copy_to_user(status_addr, &st, sizeof(st)))",
     "\t\t\t\tif (status_addr && copy_to_user(status_addr, &pid, sizeof(st)))",
     ["proctest"],
     "wait() stores the pid instead of the exit status"),
    ("kill_init", "proc/exit.c",
     "\tif (init_proc && pid == init_proc->pid)\n",
     "\tif (0 && init_proc && pid == init_proc->pid)\n",
     ["proctest"],
     "kill(1) is allowed (init dies, the kernel panics)"),
    ("oom_kills_faulter", "trap/trap.c",
     "\t\tif (oom_choose_victim() == OOM_SELF)\n",
     "\t\tif (oom_choose_victim() == OOM_SELF || 1)\n",
     ["oomvictim-smp4"],
     "out of memory in a system call kills the caller, not the hog"),
    ("pipe_overfill", "fs/pipe.c",
     "\t\tif (pi->nwrite == pi->nread + PIPESIZE) {\n",
     "\t\tif (pi->nwrite == pi->nread + PIPESIZE + 1) {\n",
     ["pipetest"],
     "a pipe writer overwrites one unread byte"),
    ("log_drop_bitmap_write", "fs/balloc.c",
     "\t\t\tbp->data[bi / 8] |= mask;\n\t\t\tlog_write(bp);\n",
     "\t\t\tbp->data[bi / 8] |= mask;\n",
     ["fsbig-smp4", "fscrash"],
     "balloc changes the bitmap without logging it"),
    ("trunc_unbounded", "fs/trunc.c",
     "#define TRUNC_STEP_BITMAPS (MAXOPBLOCKS - 2)\n",
     "#define TRUNC_STEP_BITMAPS (MAXOPBLOCKS + 20)\n",
     ["fsbig-smp4"],
     "freeing a file logs more bitmap blocks than an operation may"),
    # Memory mappings and the page cache (issue 11).
    ("shared_anon_cow", "mm/cow.c",
     "(vma->flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;",
     "(vma->flags & VM_WRITE) != 0;",
     ["mmapanon-smp1"],
     "fork makes a shared mapping's pages copy-on-write"),
    ("munmap_keeps_pages", "mm/mmap.c",
     "\t\tunmap_pages(mm, v->start, v->end, b);\n\t\tvma_remove",
     "\t\tvma_remove",
     ["mmapunmap-smp1"],
     "munmap removes the VMA but keeps its pages"),
    ("mprotect_write_no_cow", "mm/mmap.c",
     "\tif (pte_writable(n) && !(v->flags & VM_SHARED))\n\t\tn = pte_mkcow(n);\n",
     "",
     ["mmapunmap-smp1"],
     "mprotect makes a private page writable without a COW break"),
    ("mmap_allows_wx", "mm/mmap.c",
     "\tif ((prot & PROT_WRITE) && (prot & PROT_EXEC))\n\t\treturn -EINVAL;",
     "\tif (0)\n\t\treturn -EINVAL;",
     ["mmapbad"],
     "mmap and mprotect accept writable and executable"),
    ("read_skips_cache", "fs/inode.c",
     "\t\tpg = pcache_find(ip, off / PAGE_SIZE);\n\t\tif (pg) { /* newer",
     "\t\tpg = NULL;\n\t\tif (pg) { /* newer",
     ["mmapfile-smp1"],
     "read() ignores stores made through shared mappings"),
    ("write_skips_cache", "fs/inode.c",
     "\t\tpg = pcache_find(ip, off / PAGE_SIZE);\n\t\tif (pg) { /* every",
     "\t\tpg = NULL;\n\t\tif (pg) { /* every",
     ["mmapfile-smp1"],
     "write() does not reach the cached page mappings see"),
    ("private_file_writable", "mm/fault.c",
     "\tif (pte_writable(pte))\n\t\tpte = pte_mkcow(pte);\n",
     "",
     ["mmapfile-smp1"],
     "a private file mapping maps the cache page writable"),
    ("exit_no_writeback", "mm/mmap.c",
     "\tmm_writeback(mm, 0, USER_TOP);",
     "\t/* mm_writeback(mm, 0, USER_TOP); */",
     ["mmapexec", "mmapreboot"],
     "exit and exec drop shared file pages without writing them"),
    ("msync_no_writeback", "mm/mmap.c",
     "\tif (!err)\n\t\tmm_writeback(mm, addr, end);\n\treturn err;",
     "\treturn err;",
     ["mmapreboot"],
     "msync writes nothing"),
    ("munmap_no_writeback", "mm/mmap.c",
     "\tmm_writeback(mm, addr, end);\n\tspin_lock(&mm->lock);\n\terr = unmap_range",
     "\tspin_lock(&mm->lock);\n\terr = unmap_range",
     ["mmapxv6", "mmapreboot"],
     "munmap drops shared file pages without writing them"),
    ("fill_past_eof", "fs/pagecache.c",
     "(idx >= PCACHE_PAGES || idx * PAGE_SIZE >= ip->size)",
     "(idx >= PCACHE_PAGES)",
     ["mmapfile-smp1"],
     "a page wholly beyond end of file is mapped instead of killing"),
    ("cache_outlives_inode", "fs/inode.c",
     "\tif (ip->ref == 1) /* nothing maps it: its cached pages are clean */\n\t\tpcache_truncate(ip, 0);\n",
     "",
     ["mmapfile-smp1"],
     "an inode's cached pages stay after its last reference"),
    ("ro_fd_shared_write", "fs/sysfile.c",
     "shared && (prot & PROT_WRITE) && !f->writable)",
     "shared && (prot & PROT_WRITE) && !f->writable && 0)",
     ["mmapfile-smp1"],
     "a file opened read-only maps shared and writable"),
    ("read_no_prefault", "fs/sysfile.c",
     "\tmm_prefault(current()->mm, a[1], (u64)n, true);\n",
     "",
     ["mmapfile-smp1"],
     "read() of a file into its own mapping fails (no prefault)"),
    ("no_cache_reclaim", "mm/page.c",
     "\tif (!pg && pcache_reclaim()) {",
     "\tif (!pg && 0) {",
     ["mmapfile-smp1"],
     "the page allocator fails with clean cache pages to give"),
    ("trunc_keeps_mappings", "fs/trunc.c",
     "\tmm_unmap_file_from(ip, 0);\n",
     "",
     ["mmapfile-smp1"],
     "truncation leaves pages past the end mapped"),
    ("vma_keeps_inode", "mm/vma.c",
     "\t\tif (dead->file)\n\t\t\tfile_inode_put(dead->file);\n",
     "",
     ["mmapfuzz-smp1", "mmapfile-smp1"],
     "an unmapped file VMA keeps its inode (and its cache) for ever"),
    ("kcheck_cache_uncounted", "mm/kcheck.c",
     "\tpg->prev++;\n\treturn 0;\n}",
     "\treturn 0;\n}",
     ["mmapfile-smp1"],
     "kcheck forgets the page cache's reference"),
    ("vmainfo_no_cow", "mm/stats.c",
     "\tif (pte_cow(pte) || (tshared && pte_writable(pte)))\n"
     "\t\tinfo->cow += n;\n",
     "",
     ["mmappmap"],
     "pmap counts no COW pages"),
    ("lazy_huge_unzeroed", "mm/huge.c",
     "\tpg = alloc_huge(GFP_ZERO);\n\tif (!pg)\n\t\treturn false;\n\tpte_install",
     "\tpg = alloc_huge(0);\n\tif (!pg)\n\t\treturn false;\n\tpte_install",
     ["cowhuge-smp1", "sbrktest"],
     "a lazily filled 2 MiB page is not zeroed"),
    ("huge_split_no_counts", "mm/huge.c",
     "\thuge_split_counts(huge_leaf_page(pte));\n", "",
     ["cowhuge-smp1", "cowhugestress-smp1"],
     "a split leaves a whole-counted block without per-page counts"),
    ("huge_fork_no_owner", "mm/page.c",
     "\t\told = __atomic_fetch_add(&first->refcount, 1, __ATOMIC_RELAXED);\n",
     "\t\told = page_refcount(first);\n",
     ["cowhuge-smp1", "cowthree-smp1"],
     "a fork shares a whole-counted block without adding its owner"),
    ("wait_no_claim", "proc/exit.c",
     "\t\t\t\tc->reaping = true;\n", "",
     ["threadwait"],
     "two waiting threads may reap one zombie"),
    ("fork_dup_under_lock", "proc/fork.c",
     "\tspin_unlock(&np->lock);\n\tnp->mm = tg ? mm_dup(p->mm) : NULL;\n"
     "\tspin_lock(&np->lock);\n",
     "\tnp->mm = tg ? mm_dup(p->mm) : NULL;\n",
     ["mmapforkoom-smp1"],
     "a failing fork drops a file reference under the new process's lock"),
    ("oom_ignores_dying", "proc/oom.c",
     "\t\tif (dying)\n\t\t\treturn p;\n",
     "\t\tif (dying && false)\n\t\t\treturn p;\n",
     ["cowtorture-smp4", "cowtorture-smp1"],
     "OOM picks a new victim while a killed process is freeing memory"),
    ("exit_files_first", "proc/exit.c",
     "\tif (p->mm) /* stores through shared file mappings reach the file */\n",
     "\tfiles_exit(p->tg); /* the second call finds nothing */\n"
     "\tif (p->mm) /* stores through shared file mappings reach the file */\n",
     ["cowtorture-smp4", "cowtorture-smp1"],
     "exit closes files (may wait for the log) before freeing memory"),
    # Fork shares level-0 page tables (issue 13, mm/cow.c).
    ("ptshare_unshare_no_refs", "mm/cow.c",
     "\tcopy_pte_table(true, false, 0, t, nt, PT_ENTRIES, &mapped);\n",
     "\tfor (mapped = 0; mapped < PT_ENTRIES; mapped++)\n"
     "\t\tif (pte_valid(t[mapped]))\n"
     "\t\t\tnt[mapped] = cow_share_pte(&t[mapped]);\n",
     ["cowptshare-smp1-4k", "ktest-smp1"],
     "a table unshared without taking page references"),
    ("ptshare_write_in_place", "mm/cow.c",
     "\tif (mode == MW_READ)\n\t\treturn (struct pt_walk){WALK_PTE, w.ptep};\n"
     "\tif (mode != MW_CHANGE",
     "\tif (mode != MW_FETCH)\n\t\treturn (struct pt_walk){WALK_PTE, w.ptep};\n"
     "\tif (mode != MW_CHANGE",
     ["ktest-smp1", "cowptshare-smp1-4k"],
     "a shared table written in place (no unshare before a change)"),
    ("ptshare_seal_keeps_w", "mm/cow.c",
     "\t\t\t\tcow_share_pte(&t[i]);\n",
     "\t\t\t\t(void)t[i];\n",
     ["cowptshare-smp1-4k", "ktest-smp1"],
     "a load revalidates a shared table with its writable leaves"),
    ("ptshare_detach_keeps_ref", "mm/cow.c",
     "\t} else {\n\t\tpt_entry_put(e);\n\t}\n",
     "\t}\n",
     ["cowptshare-smp1-4k", "ktest-smp1"],
     "exit lets go of a shared table without dropping its reference"),
        ("ptshare_span_two_vmas", "mm/cow.c",
     "\t\tif (o != v && o->end > span)\n\t\t\treturn false;\n",
     "\t\tif (o != v && o->end > span)\n\t\t\treturn true;\n",
     ["cowptshare-smp1-4k", "ktest-smp1"],
     "fork shares a span that other VMAs (the stack, data) meet too"),
("heap_beside_stack", "proc/exec.c",
     "\tstack = ALIGN_UP(top + PAGE_SIZE + USERSTACK * PAGE_SIZE, HUGE_SIZE) -\n"
     "\t\tUSERSTACK * PAGE_SIZE;",
     "\tstack = top + PAGE_SIZE;",
     ["sbrktest"],
     "exec puts the heap where it shares a span with the stack"),
    # Lazy 2 MiB pages in anonymous mmap regions (issue 13, mm/huge.c).
    ("cut_no_huge_split", "mm/mmap.c",
     "\tif (!err)\n\t\terr = mm_split_huge_at(mm, start);\n",
     "",
     ["mmaphuge-smp1"],
     "munmap and mprotect do not split a 2 MiB page their start cuts"),
    ("mmap_huge_unaligned", "mm/mmap.c",
     "len >= HUGE_SIZE ? ALIGN_DOWN(top - len, HUGE_SIZE)",
     "len >= HUGE_SIZE ? ALIGN_DOWN(top - len, PAGE_SIZE)",
     ["mmaphuge-smp1"],
     "a mapping of 2 MiB or more is not placed on a 2 MiB boundary"),
    ("refill_keeps_block_count", "mm/page.c",
     "\t\tif (block_free[b]-- == HUGE_PAGES)\n\t\t\twhole_blocks--;\n"
     "\t\tlast = i;\n",
     "\t\t(void)b;\n\t\tlast = i;\n",
     ["ktest-smp1", "cowcount"],
     "a per-hart cache refill leaves its pages counted free in their blocks"),
    ("walk_fast_into_shared", "include/pgtable.h",
     "(e & (PTE_V | PTE_R | PTE_W | PTE_X | PTE_SHARED)) ==",
     "(e & (PTE_V | PTE_R | PTE_W | PTE_X)) ==",
     ["cowptshare-smp1-4k", "ktest-smp1"],
     "the inline walk hands out a sealed shared table as a private one"),
    ("ahead_no_put", "mm/cow.c",
     "\twhile (n--)\n\t\tpage_put(old[n]);\n",
     "\t(void)old;\n",
     ["cowahead-smp1-4k", "ktest-smp1"],
     "copy-ahead keeps its references to the pages it copied"),
    ("ahead_copies_wrong_page", "mm/cow.c",
     "copy_pages(pa_to_kva(pa), pa_to_kva(pte_pa(pte)), PAGE_SIZE);",
     "copy_pages(pa_to_kva(pa), pa_to_kva(pte_pa(*ptep)), PAGE_SIZE);",
     ["cowahead-smp1-4k"],
     "copy-ahead fills its pages from the faulting page's new copy"),
]

# The runner's list of what failed: "calf-run:   not ok 3 - ...".
PROBLEM = re.compile(r"^calf-run:\s{3}(.*)$")
RESULT = re.compile(r"^\s*\d+/\d+\s+\S+\s*/\s*(\S+)\s+(OK|FAIL|TIMEOUT|ERROR|"
                    r"EXPECTEDFAIL|UNEXPECTEDPASS|SKIP)\b")


def copy_tree(src, dst):
    """Copies the files git knows about (committed or not, not ignored)."""
    out = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached",
                          "--others", "--exclude-standard"],
                         check=True, capture_output=True).stdout
    for rel in out.decode().split("\0"):
        if not rel or not os.path.isfile(os.path.join(src, rel)):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
        shutil.copy2(os.path.join(src, rel), os.path.join(dst, rel))


def run(cmd, cwd, log):
    """Runs cmd, appending its output to log; returns the exit status."""
    with open(log, "a") as f:
        f.write("$ %s\n" % " ".join(cmd))
        f.flush()
        return subprocess.run(cmd, cwd=cwd, stdout=f,
                              stderr=subprocess.STDOUT).returncode


def shorten(reason):
    """The runner's reason, without its prefixes, at most 64 characters."""
    for prefix in ("kernel invariant broken: calf: ", "kernel panic: "):
        if reason.startswith(prefix):
            reason = reason[len(prefix):]
    return reason if len(reason) <= 64 else reason[:61] + "..."


def run_test(build, name, jobs, log):
    """Runs one meson test; returns its verdict (OK, FAIL, TIMEOUT...) and
    the runner's first reason for a failure ('' when none)."""
    cmd = ["meson", "test", "-C", build, "--no-rebuild", "--num-processes",
           str(jobs), "--print-errorlogs", name]
    with open(log, "a") as f:
        f.write("$ %s\n" % " ".join(cmd))
        p = subprocess.run(cmd, capture_output=True, text=True)
        f.write(p.stdout + p.stderr)
    verdict = "OK" if p.returncode == 0 else "ERROR"
    reason = ""
    for line in p.stdout.splitlines():
        m = RESULT.match(line)
        if m and m.group(1) == name:
            verdict = m.group(2)
        m = PROBLEM.match(line)
        if m and not reason:
            reason = m.group(1).strip()
    return verdict, reason


def apply(tree, mutant):
    """Applies mutant in tree; returns the file's old text, or None if stale."""
    name, rel, old, new = mutant[:4]
    path = os.path.join(tree, rel)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read()
    if text.count(old) != 1:
        return None
    with open(path, "w") as f:
        f.write(text.replace(old, new))
    return text


def restore(tree, mutant, text):
    with open(os.path.join(tree, mutant[1]), "w") as f:
        f.write(text)


def try_mutant(tree, build, mutant, args, log):
    """Returns (caught_by, seconds) for one mutant."""
    t0 = time.time()
    text = apply(tree, mutant)
    if text is None:
        return "STALE (snippet not found once)", 0.0
    try:
        if run(["ninja", "-C", build], tree, log) != 0:
            return "BUILD FAILED", time.time() - t0
        for test in mutant[4]:
            verdict, reason = run_test(build, test, args.jobs, log)
            if verdict != "OK":
                reason = shorten(reason)
                return ("%s: %s" % (test, reason or verdict.lower()),
                        time.time() - t0)
        return "NOT CAUGHT", time.time() - t0
    finally:
        restore(tree, mutant, text)


def table(rows, markdown):
    head = ("mutant", "what", "caught by", "time")
    if markdown:
        out = ["| %s |" % " | ".join(head), "|---|---|---|---:|"]
        out += ["| `%s` | %s | %s | %.0f s |"
                % (r[0], r[1], r[2].replace("|", "\\|"), r[3]) for r in rows]
        return "\n".join(out)
    w = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(3)]
    fmt = "%%-%ds  %%-%ds  %%-%ds  %%s" % tuple(w)
    out = [fmt % head]
    out += [fmt % (r[0], r[1], r[2], "%.0f s" % r[3]) for r in rows]
    return "\n".join(out)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("names", nargs="*", help="mutants to try (default all)")
    p.add_argument("--list", action="store_true", help="list the mutants")
    p.add_argument("--jobs", type=int, default=2,
                   help="test processes at a time (default 2)")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary tree and build")
    p.add_argument("--markdown", action="store_true",
                   help="print the table as Markdown")
    p.add_argument("--log", default=None,
                   help="build and test output (default: next to the "
                   "temporary tree, kept)")
    args = p.parse_args(argv)

    chosen = [m for m in MUTANTS if not args.names or m[0] in args.names]
    unknown = set(args.names) - {m[0] for m in MUTANTS}
    if unknown:
        sys.exit("mutants.py: no mutant named %s" % ", ".join(sorted(unknown)))
    if args.list:
        for m in chosen:
            print("%-28s %s (%s: %s)" % (m[0], m[5], m[1], ", ".join(m[4])))
        return 0

    os.nice(10)
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="calf-mutants-")
    tree, build = os.path.join(work, "src"), os.path.join(work, "src",
                                                          "build-mutants")
    log = args.log or work + ".log"
    open(log, "w").close()
    rows, failed = [], False
    try:
        copy_tree(src, tree)
        print("mutants.py: building a copy of the tree in %s" % tree,
              flush=True)
        if run(["meson", "setup", build, "--cross-file",
                "cross-riscv64.txt"], tree, log) != 0 or \
                run(["ninja", "-C", build], tree, log) != 0:
            sys.exit("mutants.py: the unmodified tree does not build (%s)"
                     % log)
        baseline = sorted({t for m in chosen for t in m[4]})
        print("mutants.py: baseline, the unmodified tree: %s"
              % " ".join(baseline), flush=True)
        for test in baseline:
            verdict = run_test(build, test, args.jobs, log)[0]
            if verdict != "OK":
                sys.exit("mutants.py: %s fails without any mutant (%s); "
                         "see %s" % (test, verdict, log))
        for m in chosen:
            caught, secs = try_mutant(tree, build, m, args, log)
            print("mutants.py: %-28s %s (%.0f s)" % (m[0], caught, secs),
                  flush=True)
            rows.append((m[0], m[5], caught, secs))
            failed |= caught.startswith(("NOT CAUGHT", "STALE", "BUILD"))
    except KeyboardInterrupt:
        print("\nmutants.py: interrupted", file=sys.stderr)
        failed = True
    finally:
        if args.keep:
            print("mutants.py: kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if rows:
        print()
        print(table(rows, args.markdown))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
