#!/usr/bin/env python3
"""Where the kernel's instructions go during one forkbench measurement.

    bench/profile.py -C build fork_lat_32m [--reps 1,3] [--eager] [--top 25]

Boots the kernel under QEMU (-icount shift=0, -smp 1) with forkbench
restricted to one measurement group (see tests/bench/forkbench.c: e.g.
fork_lat_32m, touchall_32m, faults, forkexec_32m; the 512 MiB groups
fork_lat_512m, fork_lat_512m_4k and big boot with 1 GiB), and asks QEMU to log
every translation block it translates (-d in_asm) and every one it runs
(-d exec,nochain). The log goes
through a FIFO, never to disk. Instructions per block times runs per
block, added up per kernel function (symbols from kernel.elf), is an exact
instruction profile of the kernel (under icount, 1 instruction = 1 ns of
the guest's clock).

The group is run twice, with A and B repetitions (--reps A,B, default
1,3), and the first profile is subtracted from the second: what is left is
B - A iterations of the measurement loop, without the boot, the setup
(growing and touching the parent's heap) or the clock probe, and is
divided by B - A. Note that one iteration includes the untimed part of the
loop too: for fork_lat_*/touchall_* the parent writes its heap again after
each fork (one COW reuse fault per page on the COW kernel).

Only the Python standard library is used.
"""

import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

KERNEL_BASE = 0xffffffff80000000  # kernel text; below it: user, firmware
RE_TRACE = re.compile(r"^Trace \d+: (\S+) \[[0-9a-f]+/([0-9a-f]+)/")
RE_INSN = re.compile(r"^0x([0-9a-f]+):\s")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("group", help="forkbench group, e.g. fork_lat_32m, touchall_32m, faults")
    p.add_argument("-C", "--builddir", default="build")
    p.add_argument("--eager", action="store_true", help="profile Image-eager")
    p.add_argument("--reps", default="1,3", help="A,B repetitions (default 1,3)")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--qemu", default="qemu-system-riscv64")
    p.add_argument("--mem", default=None,
                   help="guest RAM (default 128M; 1G for the 512 MiB groups)")
    p.add_argument("--cmdline", default="",
                   help="more kernel command line, e.g. thp=off")
    return p.parse_args(argv)


def symbols(elf):
    """Sorted (address, name) of the kernel's functions."""
    out = subprocess.run(["riscv64-linux-gnu-nm", "-n", elf], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def profile_run(args, image, fs, group, reps):
    """Boots once; returns {block pc: instructions run in that block}."""
    tmp = tempfile.mkdtemp(prefix="calf-prof-")
    fifo = os.path.join(tmp, "log")
    os.mkfifo(fifo)
    mem = args.mem or ("1G" if args.group == "big" or "512" in args.group
                       else "128M")
    disk = os.path.join(tmp, "fs.img")
    shutil.copyfile(fs, disk)
    cmd = [args.qemu, "-M", "virt", "-bios", "default", "-smp", "1", "-m", mem,
           "-nographic", "-monitor", "none", "-serial", "stdio",
           "-icount", "shift=0", "-kernel", image,
           "-global", "virtio-mmio.force-legacy=false",
           "-drive", "file=%s,if=none,format=raw,id=x0" % disk,
           "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
           "-append", ("run=forkbench,%d,%s %s" % (reps, group, args.cmdline)).strip(),
           "-d", "in_asm,exec,nochain", "-D", fifo]
    console = []
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    reader = threading.Thread(target=lambda: console.extend(qemu.stdout))
    reader.start()
    # A block's size is known from its translation (the IN: listing), and
    # the next Trace line for that pc names the host code it became; blocks
    # are then told apart by their host code address, since QEMU translates
    # the same pc again at other sizes (icount retranslates I/O blocks).
    instructions = collections.Counter()
    size_of = {}
    pending = None
    block_pc, block_n = None, 0
    with open(fifo, "r", errors="replace") as log:
        for line in log:
            if line.startswith("Trace"):
                m = RE_TRACE.match(line)
                if not m:
                    continue
                host, pc = m.group(1), int(m.group(2), 16)
                if pending and pending[0] == pc:
                    size_of[host] = pending[1]
                    pending = None
                instructions[pc] += size_of.get(host, 1)
                continue
            m = RE_INSN.match(line)
            if m:
                if block_pc is None:
                    block_pc = int(m.group(1), 16)
                block_n += 1
            elif not line.strip() and block_pc is not None:
                pending = (block_pc, block_n)
                block_pc, block_n = None, 0
    qemu.wait()
    reader.join()
    shutil.rmtree(tmp)
    for line in console:
        line = line.decode("utf-8", "replace").rstrip()
        if line.startswith("bench:") or "exit status" in line:
            print("  [%s x%d] %s" % (group, reps, line))
    return instructions


def per_function(blocks, syms):
    """Instructions per kernel function name; user mode and the firmware
    (OpenSBI, M-mode) each count as one pseudo-function."""
    addrs = [a for a, _ in syms]
    total = collections.Counter()
    for pc, n in blocks.items():
        if pc < KERNEL_BASE:
            name = "(user mode)" if pc < 0x80000000 else "(firmware, M-mode)"
        else:
            i = bisect.bisect_right(addrs, pc) - 1
            name = syms[i][1] if i >= 0 else "?"
        total[name] += n
    return total


def main(argv):
    args = parse_args(argv)
    image = os.path.join(args.builddir, "Image-eager" if args.eager else "Image")
    elf = os.path.join(args.builddir, "kernel-eager.elf" if args.eager else "kernel.elf")
    fs = os.path.join(args.builddir, "tests", "fs.img")
    a, b = (int(x) for x in args.reps.split(","))
    if b <= a:
        sys.exit("profile: --reps A,B needs B > A")
    syms = symbols(elf)
    prof = per_function(profile_run(args, image, fs, args.group, b), syms)
    prof.subtract(per_function(profile_run(args, image, fs, args.group, a), syms))
    total = sum(v for v in prof.values() if v > 0)
    ops = b - a
    print("instructions for %d iterations of %s (%s): %d, %.0f per iteration"
          % (ops, args.group, os.path.basename(image), total, total / ops))
    print("%14s %6s  %s" % ("per iteration", "%", "function"))
    for name, v in prof.most_common(args.top):
        if v <= 0:
            break
        print("%14.0f %5.1f%%  %s" % (v / ops, 100.0 * v / total, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
