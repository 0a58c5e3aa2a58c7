#!/usr/bin/env python3
"""Fails when RISC-V specifics leak out of arch/riscv64.

Generic code (mm, proc, trap, fs, drivers, lib, kernel and the generic
headers in include/) calls arch_* hooks and the accessors of
<asm/syscall.h> and <asm/ptrace.h>; it never names CSRs or their bits,
sfence.vma, satp, ecall, fence.i, the trap frame's register slots (REG_A0,
REG_SP, ...), the trap CSRs' fields (sepc, scause, stval, sstatus) or the
RISC-V interrupt numbers (IRQ_S_EXT, ...). Comments do not count.
Prints TAP so that the runner conventions hold here too.

  check-arch-boundary.py [ROOT]
"""
import pathlib
import re
import sys

GENERIC = ["mm", "proc", "trap", "fs", "drivers", "lib", "kernel", "include"]
PATTERN = re.compile(
    r"\bcsr[rws]\w*\b|sfence\.vma|\bsatp\b|\becall\b|\bfence\.i\b"
    r"|\bREG_[A-Z0-9]+\b|\bs(epc|cause|tval|status|tvec|scratch)\b"
    r"|\bIRQ_S_\w+|\bEXC_\w+|\b(SSTATUS|SATP|SIE|SCAUSE|SCOUNTEREN)_\w+")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    hits = []
    for folder in GENERIC:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".c", ".h", ".S"):
                continue
            lines = strip_comments(path.read_text(errors="replace")).splitlines()
            for n, line in enumerate(lines, 1):
                if PATTERN.search(line):
                    hits.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    print("1..1")
    for h in hits:
        print("# " + h)
    print(("not ok" if hits else "ok") + " 1 - no RISC-V instructions, CSRs or registers outside arch/riscv64")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
