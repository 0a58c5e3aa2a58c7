#!/usr/bin/env python3
"""Fails when RISC-V specifics leak out of arch/riscv64.

STYLE.md: generic code (mm, proc, trap, fs, drivers, lib, kernel) calls
arch_* hooks and never names CSRs, sfence.vma, satp or ecall itself.
Prints TAP so that the runner conventions hold here too.
"""
import pathlib
import re
import sys

GENERIC = ["mm", "proc", "trap", "fs", "drivers", "lib", "kernel"]
PATTERN = re.compile(r"\bcsr[rws]\w*\b|sfence\.vma|\bsatp\b|\becall\b|\bfence\.i\b")


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
    print(("not ok" if hits else "ok") + " 1 - no RISC-V instructions or CSRs outside arch/riscv64")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
