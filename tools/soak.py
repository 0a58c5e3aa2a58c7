#!/usr/bin/env python3
"""Soak the kernel: run the fuzz programs with fresh random seeds for a
given time, one boot each, and stop at the first failure.

    tools/soak.py [-C BUILDDIR] [--minutes M] [--harts H] [--programs LIST]
    ninja -C build soak          (SOAK_MINUTES, SOAK_HARTS from the environment)

Each boot is tools/calf-run.py --tap with the kernel command line
"run=PROGRAM,SEED,... fuzz.smp=H", so the seed goes in through the command
line and the same seed makes the same sequence of calls again. The
programs take turns (sysfuzz, cowtorture, fschurn). Every run prints one
line: time, program, seed, its size (calls or rounds), verdict, duration;
the same lines go to BUILDDIR/soak/soak-smpH.log, and each boot's console to
BUILDDIR/soak/PROGRAM-SEED-smpH.log. On the first failure it prints the
failing run's verdict and the command that reproduces it, and exits 1.
A run still going when the time is up finishes first.
"""

import argparse
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "calf-run.py")

# program: (arguments after the seed, what one run does, fsck, timeout s)
PROGRAMS = {
    "sysfuzz": (["6000"], "6000 calls", True, 600),
    "cowtorture": (["30"], "30 fork-tree rounds", False, 600),
    "fschurn": (["6"], "6 rounds x 4 workers x 120 steps", True, 600),
}


def env_number(name, default, kind=int):
    """An integer from the environment, or default when unset or empty."""
    value = os.environ.get(name, "")
    return kind(value) if value.strip() else default


def run_once(args, prog, seed, logdir):
    """Boots one run; returns (passed, seconds, run value, log path, tail)."""
    extra, _, fsck, timeout = PROGRAMS[prog]
    run = ",".join([prog, str(seed)] + extra)
    log = os.path.join(logdir, "%s-%d-smp%d.log" % (prog, seed, args.harts))
    cmd = [sys.executable, RUNNER, "-C", args.builddir, "--tap",
           "--smp", str(args.harts),
           "--cmdline", "run=%s fuzz.smp=%d" % (run, args.harts),
           "--timeout", str(timeout), "--log", log]
    if fsck:
        cmd += ["--fsck", os.path.join(args.builddir, "tools", "mkfs")]
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace")
    seconds = time.monotonic() - start
    verdict = [line for line in proc.stdout.splitlines()
               if line.startswith("calf-run:")]
    return proc.returncode == 0, seconds, run, log, verdict


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-C", "--builddir", default=os.path.join(HERE, "..", "build"))
    p.add_argument("--minutes", type=float,
                   default=env_number("SOAK_MINUTES", 10, float),
                   help="how long to keep starting runs (default "
                        "$SOAK_MINUTES or 10)")
    p.add_argument("--harts", type=int, default=env_number("SOAK_HARTS", 4),
                   help="harts per boot (default $SOAK_HARTS or 4)")
    p.add_argument("--programs", default=os.environ.get(
        "SOAK_PROGRAMS", ",".join(PROGRAMS)),
        help="comma-separated programs to take turns (default all three)")
    p.add_argument("--log",
                   help="summary log (default BUILDDIR/soak/soak-smpH.log)")
    args = p.parse_args(argv)

    progs = [x for x in args.programs.split(",") if x]
    for prog in progs:
        if prog not in PROGRAMS:
            sys.exit("soak: unknown program %s (known: %s)"
                     % (prog, ", ".join(PROGRAMS)))
    logdir = os.path.join(args.builddir, "soak")
    os.makedirs(logdir, exist_ok=True)
    summary = open(args.log or os.path.join(logdir, "soak-smp%d.log" % args.harts),
                   "a")
    rng = random.SystemRandom()

    def say(line):
        stamp = time.strftime("%H:%M:%S", time.gmtime())
        print("%s %s" % (stamp, line), flush=True)
        summary.write("%s %s\n" % (stamp, line))
        summary.flush()

    say("soak: %g minutes, %d harts, programs %s"
        % (args.minutes, args.harts, ",".join(progs)))
    start = time.monotonic()
    deadline = start + args.minutes * 60
    counts = {prog: 0 for prog in progs}
    turn = 0
    while time.monotonic() < deadline:
        prog = progs[turn % len(progs)]
        turn += 1
        seed = rng.randrange(1, 2 ** 32)
        passed, seconds, run, log, verdict = run_once(args, prog, seed, logdir)
        counts[prog] += 1
        say("%-10s seed %-10d %s  %s  %.1fs"
            % (prog, seed, PROGRAMS[prog][1], "PASS" if passed else "FAIL",
               seconds))
        if not passed:
            for line in verdict:
                say("  " + line)
            say("soak: FAILED; console in %s" % log)
            say("soak: reproduce with tools/calf-run.py -C %s --tap --smp %d "
                "--cmdline run=%s%s" % (args.builddir, args.harts, run,
                                        " --fsck %s/tools/mkfs" % args.builddir
                                        if PROGRAMS[prog][2] else ""))
            return 1
    minutes = (time.monotonic() - start) / 60
    say("soak: %.1f minutes on %d harts, no failure; runs: %s"
        % (minutes, args.harts,
           ", ".join("%s %d" % (prog, n) for prog, n in counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
