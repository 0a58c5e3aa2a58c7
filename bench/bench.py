#!/usr/bin/env python3
"""The COW-versus-eager fork benchmark: what `ninja -C build bench` runs.

Boots the copy-on-write kernel (Image) and the eager-fork kernel
(Image-eager, built from the same tree with CONFIG_FORK_EAGER) one after the
other on the same copy of fs.img, runs the guest program forkbench
(tests/bench/forkbench.c) in each, and reads its `bench: NAME VALUE UNIT`
lines. Then it prints

  * a table: metric, COW, eager, COW/eager;
  * the four summary lines of the COW issue, e.g. `bench: fork32_speedup X`;
  * the targets with PASS or MISS next to each;

and writes bench-results.md (the same table, in markdown), bench-fork.dat
and bench-fork.png (fork latency against parent size, COW and eager, drawn
by gnuplot with bench/bench.gp) into the output directory.

A missed target is a result, not an error: the exit status is non-zero only
when a run itself failed (QEMU error, timeout, a missing metric).

Timing. The guest reads the time CSR. By default QEMU runs with
`-icount shift=0`: the virtual clock then advances one nanosecond per guest
instruction, so the numbers are instruction counts of a 1 GHz machine that
retires one instruction per cycle. They do not depend on how busy the host
is (a 2-core machine running builds and test suites inflated plain TCG
timings several times over, unevenly), and they repeat exactly from run to
run. What icount cannot see are cache and TLB costs: an sfence.vma or a
cache-missing page copy costs its instruction count only. `--timing wall`
runs plain TCG instead, where the time CSR follows the host's clock.

Harts. One (-smp 1) by default: forkbench is a single chain of
parent -> child -> parent, and on one hart the child runs on the parent's
hart with no IPI, no remote TLB shootdown and no idle hart in the numbers,
so what is measured is the memory-management cost. `--smp 2` is there to
see the SMP costs (the child may start on the other hart and the wakeup
of the waiting parent crosses harts), with --timing wall only: under
-icount the harts run round-robin on one host thread, and calf's
secondary harts then never check in.

Only the Python standard library is used.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PLOT_SCRIPT = os.path.join(HERE, "bench.gp")

SIZES = [0, 1, 8, 32]  # parent sizes (MiB) forkbench measures

# The table's rows, in order: metric name, and what it is.
METRICS = [
    ("fork_lat_0m", "fork+exit+wait, empty parent"),
    ("fork_lat_1m", "fork+exit+wait, 1 MiB parent"),
    ("fork_lat_8m", "fork+exit+wait, 8 MiB parent"),
    ("fork_lat_32m", "fork+exit+wait, 32 MiB parent"),
    ("touchall_0m", "fork, child writes all, empty parent"),
    ("touchall_1m", "fork, child writes all 1 MiB"),
    ("touchall_8m", "fork, child writes all 8 MiB"),
    ("touchall_32m", "fork, child writes all 32 MiB"),
    ("fork_lat_32m_4k", "fork+exit+wait, 32 MiB parent, 4 KiB pages only"),
    ("touchall_32m_4k", "fork, child writes all 32 MiB, 4 KiB pages only"),
    ("cow_copy_fault", "COW copy fault, per page"),
    ("cow_copy_fault_count", "copy faults taken (8 MiB)"),
    ("cow_reuse_fault", "COW reuse fault, per page"),
    ("cow_reuse_fault_count", "reuse faults taken (8 MiB)"),
    ("zero_fill_fault", "zero-fill fault (sbrklazy), per page"),
    ("zero_fill_fault_count", "zero-fill faults taken (8 MiB)"),
    ("touch_present", "store to a present page (loop cost)"),
    ("clock_read", "one rdtime (measurement overhead)"),
    ("forkexec_0m", "fork+exec(nop)+wait, empty parent"),
    ("forkexec_32m", "fork+exec(nop)+wait, 32 MiB parent"),
]

RE_BENCH = re.compile(r"^bench:\s+(\S+)\s+(-?[0-9.]+)\s+(\S+)\s*$")
RE_EXIT = re.compile(r"#\s*calf: exit status (-?\d+)")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kernel", required=True, help="the COW kernel Image")
    p.add_argument("--eager-kernel", required=True, help="the eager kernel Image")
    p.add_argument("--fs", required=True, help="fs.img (copied, never written)")
    p.add_argument("--out-dir", required=True, help="where results go")
    p.add_argument("--qemu", default="qemu-system-riscv64")
    p.add_argument("--smp", type=int, default=1, help="harts (default 1)")
    p.add_argument("--mem", default="128M", help="guest RAM (default 128M)")
    p.add_argument("--timing", choices=["icount", "wall"], default="icount",
                   help="icount: 1 ns per guest instruction (default); "
                        "wall: plain TCG, host time")
    p.add_argument("--reps", type=int, default=15,
                   help="repetitions per measurement inside the guest")
    p.add_argument("--timeout", type=float, default=900.0,
                   help="seconds allowed for one boot")
    p.add_argument("--gnuplot", default="gnuplot")
    return p.parse_args(argv)


def qemu_command(args, kernel, disk):
    """The QEMU command line that boots kernel and runs forkbench."""
    cmd = [args.qemu, "-M", "virt", "-bios", "default",
           "-smp", str(args.smp), "-m", args.mem,
           "-nographic", "-monitor", "none", "-serial", "stdio",
           "-kernel", kernel,
           "-global", "virtio-mmio.force-legacy=false",
           "-drive", "file=%s,if=none,format=raw,id=x0" % disk,
           "-device", "virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0",
           "-append", "run=forkbench,%d" % args.reps]
    if args.timing == "icount":
        cmd += ["-icount", "shift=0"]
    return cmd


def run_one(args, label, kernel, disk, log_path):
    """Boots one kernel; returns {metric: (value, unit)}. Exits on failure."""
    cmd = qemu_command(args, kernel, disk)
    print("bench: running %s kernel (%s)" % (label, os.path.basename(kernel)),
          flush=True)
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=args.timeout)
        out = proc.stdout.decode("utf-8", "replace")
        status = proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        status = None
    with open(log_path, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n" + out)

    results = {}
    guest_status = None
    for line in out.splitlines():
        line = line.strip()
        m = RE_BENCH.match(line)
        if m:
            results[m.group(1)] = (float(m.group(2)), m.group(3))
        m = RE_EXIT.search(line)
        if m:
            guest_status = int(m.group(1))
    problem = None
    if status is None:
        problem = "timed out after %.0f s" % args.timeout
    elif status != 0 or guest_status != 0:
        problem = "QEMU exit status %s, forkbench exit status %s" % (status, guest_status)
    else:
        missing = [name for name, _ in METRICS if name not in results]
        if missing:
            problem = "metrics missing: " + ", ".join(missing)
    if problem:
        sys.exit("bench: %s kernel run failed: %s (console in %s)"
                 % (label, problem, log_path))
    return results


def ratio(a, b):
    """a / b, or None when b is zero."""
    return a / b if b else None


def fmt_value(v, unit):
    """A value for the table: whole numbers, except microseconds under 1000."""
    if unit == "us" and v < 1000:
        return "%.1f us" % v
    if unit == "faults":
        return "%d" % v
    return "%.0f %s" % (v, unit)


def fmt_ratio(r):
    if r is None:
        return "-"
    return "%.2f" % r if r < 100 else "%.0f" % r


# Per-fault costs whose eager value is meaningless when the eager kernel
# took no such fault (then it only timed the store loop): metric -> counter.
FAULT_COUNTS = {
    "cow_copy_fault": "cow_copy_fault_count",
    "cow_reuse_fault": "cow_reuse_fault_count",
    "zero_fill_fault": "zero_fill_fault_count",
}


def build_table(cow, eager):
    """Rows of (metric, description, COW text, eager text, ratio text)."""
    rows = []
    for name, desc in METRICS:
        cv, cu = cow[name]
        ev, eu = eager[name]
        r = None if name.endswith("_count") else ratio(cv, ev)
        if name in FAULT_COUNTS and eager[FAULT_COUNTS[name]][0] == 0:
            r = None
        rows.append((name, desc, fmt_value(cv, cu), fmt_value(ev, eu), fmt_ratio(r)))
    return rows


def summary(cow, eager):
    """The four summary ratios of the issue, in its order."""
    return [
        ("fork32_speedup", ratio(eager["fork_lat_32m"][0], cow["fork_lat_32m"][0])),
        ("fork32_over_fork0", ratio(cow["fork_lat_32m"][0], cow["fork_lat_0m"][0])),
        ("touchall32_cow_over_eager",
         ratio(cow["touchall_32m"][0], eager["touchall_32m"][0])),
        ("copy_over_reuse",
         ratio(cow["cow_copy_fault"][0], cow["cow_reuse_fault"][0])),
    ]


def summary_4k(cow, eager):
    """The same two 32 MiB ratios with 4 KiB pages only (no targets)."""
    return [
        ("fork32_over_fork0_4k",
         ratio(cow["fork_lat_32m_4k"][0], cow["fork_lat_0m"][0])),
        ("touchall32_cow_over_eager_4k",
         ratio(cow["touchall_32m_4k"][0], eager["touchall_32m_4k"][0])),
    ]


# Targets: summary name -> (comparison, bound, text).
TARGETS = {
    "fork32_speedup": (">=", 30.0, "fork of a 32 MiB parent >= 30x faster than eager"),
    "fork32_over_fork0": ("<=", 8.0, "fork(32 MiB) / fork(0) <= 8"),
    "touchall32_cow_over_eager": ("<=", 1.2, "fork + child writes 32 MiB <= 1.2x eager"),
    "copy_over_reuse": (">=", 2.0, "reuse fault >= 2x cheaper than a copy fault"),
}


def verdict(name, value):
    op, bound, _ = TARGETS[name]
    if value is None:
        return "MISS"
    ok = value >= bound if op == ">=" else value <= bound
    return "PASS" if ok else "MISS"


def text_table(rows):
    head = ("metric", "COW", "eager", "COW/eager")
    w0 = max(len(head[0]), *(len(r[0]) for r in rows))
    w1 = max(len(head[1]), *(len(r[2]) for r in rows))
    w2 = max(len(head[2]), *(len(r[3]) for r in rows))
    fmt = "%-*s  %*s  %*s  %9s"
    lines = [fmt % (w0, head[0], w1, head[1], w2, head[2], head[3])]
    lines.append("-" * len(lines[0]))
    for r in rows:
        lines.append(fmt % (w0, r[0], w1, r[2], w2, r[3], r[4]))
    return "\n".join(lines)


def markdown(rows, sums, sums_4k, args):
    timing = ("QEMU `-icount shift=0` (1 ns per guest instruction)"
              if args.timing == "icount" else "plain TCG, host time")
    out = ["| metric | what | COW | eager | COW/eager |",
           "| --- | --- | ---: | ---: | ---: |"]
    for r in rows:
        out.append("| `%s` | %s | %s | %s | %s |" % (r[0], r[1], r[2], r[3], r[4]))
    out.append("")
    out.append("| summary | value | target | |")
    out.append("| --- | ---: | --- | --- |")
    for name, v in sums:
        out.append("| `%s` | %s | %s | %s |"
                   % (name, fmt_ratio(v), TARGETS[name][2], verdict(name, v)))
    for name, v in sums_4k:
        out.append("| `%s` | %s | the same, 4 KiB pages only | - |" % (name, fmt_ratio(v)))
    out.append("")
    out.append("QEMU virt, -smp %d, -m %s, %s; medians of %d runs each "
               "(forkbench, `ninja -C build bench`)."
               % (args.smp, args.mem, timing, args.reps))
    return "\n".join(out) + "\n"


TEXT_CHART = (
    "set terminal dumb size 78,22; set logscale y; set xrange [-1:33]; "
    "set xtics (0,1,8,16,24,32); set key top left; "
    "set xlabel 'parent MiB (every page touched)'; set ylabel 'us'; "
    "set title 'fork+exit+wait latency (log scale)'; "
    "plot datafile using 1:3 with linespoints pt 'E' title 'eager', "
    "datafile using 1:2 with linespoints pt 'C' title 'COW'")


def write_text_chart(dat, out_dir, gnuplot):
    """Renders the fork-latency chart as text (bench-fork.txt) for README.md,
    which may carry text but no build outputs."""
    r = subprocess.run([gnuplot, "-e", "datafile='%s'; %s" % (dat, TEXT_CHART)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode == 0:
        with open(os.path.join(out_dir, "bench-fork.txt"), "w") as f:
            f.write(r.stdout.decode("utf-8", "replace"))


def write_plot(cow, eager, out_dir, gnuplot, note):
    """Writes bench-fork.dat and renders bench-fork.png; returns its path or None."""
    dat = os.path.join(out_dir, "bench-fork.dat")
    png = os.path.join(out_dir, "bench-fork.png")
    with open(dat, "w") as f:
        f.write("# MiB  fork_cow_us  fork_eager_us  touchall_cow_us  touchall_eager_us\n")
        for s in SIZES:
            f.write("%d %.1f %.1f %.1f %.1f\n" % (
                s, cow["fork_lat_%dm" % s][0], eager["fork_lat_%dm" % s][0],
                cow["touchall_%dm" % s][0], eager["touchall_%dm" % s][0]))
    if not shutil.which(gnuplot):
        print("bench: %s not found, no chart (apt-get install gnuplot-nox)" % gnuplot)
        return None
    write_text_chart(dat, out_dir, gnuplot)
    for term in ("pngcairo", "png"):
        r = subprocess.run([gnuplot, "-e", "datafile='%s'; outfile='%s'; term='%s'; note='%s'"
                            % (dat, png, term, note), PLOT_SCRIPT],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode == 0 and os.path.exists(png) and os.path.getsize(png) > 0:
            return png
        print("bench: gnuplot terminal %s failed: %s"
              % (term, r.stdout.decode("utf-8", "replace").strip()))
    return None


def main(argv):
    args = parse_args(argv)
    if args.timing == "icount" and args.smp > 1:
        sys.exit("bench: -icount runs the harts round-robin on one host thread "
                 "with long time slices, so a hart spinning on a lock can stall "
                 "the holder for seconds; use --smp 1 or --timing wall")
    os.makedirs(args.out_dir, exist_ok=True)
    print("bench: QEMU virt, -smp %d, -m %s, %s, %d repetitions per measurement"
          % (args.smp, args.mem, "-icount shift=0 (1 ns = 1 guest instruction)"
             if args.timing == "icount" else "plain TCG (host time)", args.reps),
          flush=True)
    with tempfile.TemporaryDirectory(prefix="calf-bench-") as tmp:
        disk = os.path.join(tmp, "fs.img")
        shutil.copyfile(args.fs, disk)
        cow = run_one(args, "COW", args.kernel, disk,
                      os.path.join(args.out_dir, "bench-cow.log"))
        eager = run_one(args, "eager", args.eager_kernel, disk,
                        os.path.join(args.out_dir, "bench-eager.log"))

    rows = build_table(cow, eager)
    sums = summary(cow, eager)
    print()
    print(text_table(rows))
    print()
    for name, v in sums:
        print("bench: %s %s" % (name, "nan" if v is None else "%.2f" % v))
    print("# the same with 4 KiB pages only (no 2 MiB heap pages):")
    for name, v in summary_4k(cow, eager):
        print("bench: %s %s" % (name, "nan" if v is None else "%.2f" % v))
    print()
    print("targets (a benchmark: a MISS does not fail the build):")
    for name, v in sums:
        op, bound, text = TARGETS[name]
        print("  %-4s %-26s %8s %s %g   (%s)"
              % (verdict(name, v), name, fmt_ratio(v), op, bound, text))

    md = os.path.join(args.out_dir, "bench-results.md")
    with open(md, "w") as f:
        f.write(markdown(rows, sums, summary_4k(cow, eager), args))
    note = "QEMU virt, -smp %d, %s" % (
        args.smp, "-icount shift=0: 1 ns = 1 guest instruction"
        if args.timing == "icount" else "plain TCG, host time")
    png = write_plot(cow, eager, args.out_dir, args.gnuplot, note)
    print()
    print("bench: table in %s" % md)
    if png:
        print("bench: chart in %s" % png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
