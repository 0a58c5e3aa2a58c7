#!/usr/bin/env python3
"""Boot calf under QEMU, by hand or as a test.

By hand (interactive: the console is on this terminal, Ctrl-A X quits QEMU):

    tools/calf-run.py --machine virt --smp 4 --cmdline "run=sh"

As a test (what `meson test` runs): with --tap the console is streamed to
stdout (and --log), read as TAP, and the run fails on any of

  * a kernel panic line (a line starting with "panic:" or "PANIC"),
  * no TAP plan, fewer or more results than planned, a "not ok" (TODO
    excepted), "Bail out!",
  * a "# calf: LEAK" line or a non-zero "# calf: exit status S" line,
  * a "# calf: INVARIANT" line (the kernel's kcheck found a broken memory
    invariant),
  * a non-zero QEMU exit status (the kernel reports failure through the
    test finisher, which makes QEMU exit with that status),
  * the hard timeout, a missing --expect line or a wrong --expect-harts count,
  * the machine resetting (the firmware banner twice).

--pre-cmdline boots run first on a private copy of the disk (crash-recovery
tests: boot 1 crashes mid-write, the checked boot replays the log), and
--fsck checks that disk with mkfs --check afterwards -- also when the checked
boot failed, so that a leak test names what leaked. Without --pre-cmdline the
disk saw only clean shutdowns, so mkfs gets --clean: an allocated inode that
no directory names is a leak, not a file left open by a crash.

Machine variants:

  virt      QEMU virt, OpenSBI (-bios default), -kernel Image, virtio-blk disk.
  virt-u54  the same with -cpu sifive-u54 (a U74-like core: priv 1.10, no Sstc).
  sifive_u  QEMU sifive_u -smp 5: hart 0 is an E51 without S-mode, the console
            is a sifive,uart0. No virtio and no power-off device: the root file
            system goes in as an initrd, and the runner stops QEMU itself once
            the guest is done (see GUEST_DONE_IDLE below).
  uboot     QEMU virt running Debian's S-mode U-Boot. The Image and the initrd
            are preloaded at 0x84000000 and 0x88000000; the runner stops
            autoboot and types the booti command, as one would on a VisionFive 2.
  sdcard    QEMU virt running Debian's S-mode U-Boot with an SD-card image
            (tools/mksdcard.py; default BUILDDIR/calf-sdcard.img) as its
            virtio disk. Nothing is typed: U-Boot's distro boot must find the
            extlinux.conf on the image and boot the kernel, initrd and
            command line it names, as on a VisionFive 2. --kernel, --fs and
            --cmdline do not apply: the image carries them.
  icicle    QEMU microchip-icicle-kit -smp 5 -m 2G, the closest VisionFive 2
            stand-in: hart 0 an E51 without S-mode, a 16550 with reg-shift 2
            and 32-bit registers, RAM in two banks (2 GiB and 64 GiB up). QEMU
            7.2 makes no device tree for it: the runner passes the one built
            from tests/dts/icicle.dts (--dtb) and no -bios, so QEMU starts its
            own OpenSBI. The console is the second serial port. No virtio
            and no power-off device, as on sifive_u.

Only the Python standard library is used.
"""

import argparse
import codecs
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UBOOT_BIN = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
UBOOT_IMAGE_ADDR = 0x84000000
UBOOT_INITRD_ADDR = 0x88000000

# What each machine variant is: QEMU arguments and capabilities.
MACHINES = {
    "virt": {
        "qemu": ["-M", "virt", "-bios", "default",
                 "-global", "virtio-mmio.force-legacy=false"],
        "smp": 4, "mem": "128M", "virtio": True, "finisher": True,
    },
    "virt-u54": {
        "qemu": ["-M", "virt", "-cpu", "sifive-u54", "-bios", "default",
                 "-global", "virtio-mmio.force-legacy=false"],
        "smp": 4, "mem": "128M", "virtio": True, "finisher": True,
    },
    "sifive_u": {
        "qemu": ["-M", "sifive_u", "-bios", "default"],
        "smp": 5, "mem": "128M", "virtio": False, "finisher": False,
    },
    "sdcard": {
        "qemu": ["-M", "virt", "-bios", "default",
                 "-global", "virtio-mmio.force-legacy=false"],
        "smp": 4, "mem": "256M", "virtio": True, "finisher": True,
    },
    "icicle": {
        # Console on MMUART1, QEMU's second serial port.
        "qemu": ["-M", "microchip-icicle-kit", "-serial", "null",
                 "-serial", "mon:stdio"],
        "smp": 5, "mem": "2G", "virtio": False, "finisher": False,
        "dtb": os.path.join("kernel", "icicle.dtb"),
    },
    "uboot": {
        # The initrd sits at 0x88000000, the end of a 128 MiB machine, and
        # U-Boot relocates itself to the top of RAM: give it 256 MiB.
        "qemu": ["-M", "virt", "-bios", "default",
                 "-global", "virtio-mmio.force-legacy=false"],
        "smp": 4, "mem": "256M", "virtio": True, "finisher": True,
    },
}

# Console lines the runner reacts to.
RE_PLAN = re.compile(r"^1\.\.(\d+)\s*(#.*)?$")
RE_RESULT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
RE_DIRECTIVE = re.compile(r"#\s*(SKIP|TODO)\b", re.IGNORECASE)
RE_BAIL = re.compile(r"^Bail out!")
RE_PANIC = re.compile(r"^(panic:|PANIC)")
RE_LEAK = re.compile(r"^#\s*calf:\s*LEAK\b")
RE_INVARIANT = re.compile(r"^#\s*calf:\s*INVARIANT\b")
RE_EXIT = re.compile(r"^#\s*calf:\s*exit status\s+(-?\d+)")
RE_POWEROFF = re.compile(r"^calf:\s*power(?:ing)?[ -]?off\b")
RE_STATUS = re.compile(r"status\s*[=:]?\s*(-?\d+)")
RE_HART = re.compile(r"^calf:\s*hart\s+(\d+)\s+booted")
# The boot banner's summary, e.g. "calf: 4 of 4 harts online: 0(boot) 1 2 3".
RE_ONLINE = re.compile(r"^calf:\s*\d+\s+of\s+\d+\s+harts online:(.*)$")
# The firmware's banner: seen twice means the machine reset.
RE_FIRMWARE = re.compile(r"^OpenSBI v\d")
# Control characters a console line may carry (a stray NUL, U-Boot's
# backspaces) that must not hide a TAP line from the patterns above.
RE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# At most this many "not ok" lines are repeated in the summary.
MAX_LISTED = 20

# U-Boot conversation.
UBOOT_AUTOBOOT = "Hit any key to stop autoboot"
UBOOT_PROMPT = "=> "

# After the guest says it powers off, QEMU should exit by itself; on a
# machine without a power-off device the runner ends it after this long.
POWEROFF_GRACE = 3.0
# After a panic line the kernel prints a backtrace and powers off; if it
# hangs instead, the runner stops QEMU after this long.
PANIC_GRACE = 5.0
# On a machine without a finisher: once the guest is done (TAP complete or
# "# calf: exit status" seen), wait this long for trailing lines (leak
# report, power-off message), then stop QEMU.
GUEST_DONE_IDLE = 3.0


def die(msg):
    sys.stderr.write("calf-run: %s\n" % msg)
    sys.exit(2)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Boot calf in QEMU, interactively or as a TAP test.",
        epilog="Without --tap or --expect the run is interactive "
               "(console on this terminal, Ctrl-A X quits).")
    p.add_argument("-C", "--builddir", default=os.path.join(REPO, "build"),
                   help="build directory for the default --kernel and "
                        "--fs (default: %(default)s)")
    p.add_argument("--machine", choices=sorted(MACHINES), default="virt")
    p.add_argument("--smp", type=int, help="harts (default per machine)")
    p.add_argument("--mem", help="RAM size, e.g. 128M (default per machine)")
    p.add_argument("--kernel", help="kernel Image (default BUILDDIR/Image)")
    p.add_argument("--cmdline", default="", help="kernel command line")
    p.add_argument("--fs", help="root file system image: a virtio disk "
                   "where the machine has virtio (virt, virt-u54), else an "
                   "initrd (default BUILDDIR/tests/fs.img when it exists)")
    p.add_argument("--disk", help="attach this image as a virtio-blk disk")
    p.add_argument("--initrd", help="load this image as the initrd")
    p.add_argument("--dtb", help="device tree blob for QEMU -dtb (default "
                   "for icicle: BUILDDIR/kernel/icicle.dtb)")
    p.add_argument("--no-fs", action="store_true",
                   help="boot without any file system image")
    p.add_argument("--snapshot", action="store_true", default=None,
                   help="do not write the disk image back (default in "
                        "test mode)")
    p.add_argument("--persist", dest="snapshot", action="store_false",
                   help="write disk changes back to the image (default "
                        "when interactive)")
    p.add_argument("--tap", action="store_true",
                   help="test mode: expect TAP on the console")
    p.add_argument("--expect", action="append", default=[], metavar="REGEX",
                   help="test mode: a console line must match REGEX "
                        "(repeatable)")
    p.add_argument("--expect-harts", type=int, metavar="N",
                   help="test mode: exactly N harts online (the banner's "
                        "'calf: N of M harts online: H...' line, or "
                        "'calf: hart H booted' lines)")
    p.add_argument("--interactive", action="store_true",
                   help="console on this terminal (default without --tap "
                        "and --expect)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="test mode: hard timeout in seconds, times "
                        "$CALF_TIMEOUT_SCALE when set (default %(default)s)")
    p.add_argument("--pre-cmdline", action="append", default=[],
                   metavar="CMDLINE",
                   help="test mode: boot with CMDLINE first, on the same "
                        "private copy of the disk; that boot must power off "
                        "with status 0 without a panic (e.g. an injected "
                        "crash); repeatable")
    p.add_argument("--fsck", metavar="MKFS",
                   help="test mode: after the last boot, run MKFS --check "
                        "on the (private copy of the) disk")
    p.add_argument("--log", help="also write the console to this file")
    p.add_argument("--gdb", action="store_true",
                   help="start QEMU halted with a gdb server on :1234 "
                        "(-s -S)")
    p.add_argument("--qemu", default="qemu-system-riscv64")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="extra QEMU argument (repeatable)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the QEMU command and exit")
    args = p.parse_args(argv)

    m = MACHINES[args.machine]
    args.test = args.tap or bool(args.expect) or args.expect_harts is not None
    if args.interactive and args.test:
        die("--interactive cannot be combined with --tap/--expect")
    scale = os.environ.get("CALF_TIMEOUT_SCALE")
    if scale:
        try:
            args.timeout *= float(scale)
        except ValueError:
            die("CALF_TIMEOUT_SCALE is not a number: %r" % scale)
    if args.smp is None:
        args.smp = m["smp"]
    if args.mem is None:
        args.mem = m["mem"]
    if args.snapshot is None:
        args.snapshot = args.test
    if args.kernel is None:
        args.kernel = os.path.join(args.builddir, "Image")
    if args.dtb is None and m.get("dtb"):
        args.dtb = os.path.join(args.builddir, m["dtb"])
    if args.machine in ("sifive_u", "icicle") and args.smp < 2:
        die("%s needs --smp 2 or more: hart 0 has no S-mode" % args.machine)
    if args.machine == "sdcard":
        if args.cmdline or args.fs or args.initrd:
            die("sdcard: the image carries the kernel, the file system and "
                "the command line (tools/mksdcard.py)")
        args.disk = args.disk or os.path.join(args.builddir, "calf-sdcard.img")
        args.no_fs = True
        args.kernel = UBOOT_BIN
    if args.machine == "uboot" and "'" in args.cmdline:
        die("the U-Boot variant cannot pass a command line with a "
            "single quote")
    if args.machine != "sdcard":
        resolve_fs(args, m)
    if args.machine in ("uboot", "sdcard") and not os.path.isfile(UBOOT_BIN) \
            and not args.dry_run:
        die("%s not found (Debian: apt-get install u-boot-qemu)" % UBOOT_BIN)
    if not args.dry_run and not shutil.which(args.qemu):
        die("%s not found (Debian: apt-get install qemu-system-misc, or run "
            "tools/setup.sh)" % args.qemu)
    for path in (args.kernel, args.disk, args.initrd, args.dtb):
        if path and not os.path.isfile(path) and not args.dry_run:
            die("no such file: %s (build first: ninja -C %s)"
                % (path, os.path.relpath(args.builddir)))
    return args


def resolve_fs(args, m):
    """Turns --fs (or the default fs.img) into --disk or --initrd."""
    if args.no_fs:
        args.disk = args.initrd = None
        return
    fs = args.fs
    if fs is None and args.disk is None and args.initrd is None:
        default = os.path.join(args.builddir, "tests", "fs.img")
        fs = default if os.path.isfile(default) else None
    if fs is None:
        return
    if m["virtio"] and args.machine != "uboot":
        args.disk = args.disk or fs
    else:
        args.initrd = args.initrd or fs
    if args.disk and not m["virtio"]:
        die("%s has no virtio-mmio: use --initrd or --fs" % args.machine)


def qemu_command(args):
    """Returns the QEMU argv for args (U-Boot's typing comes later)."""
    m = MACHINES[args.machine]
    cmd = [args.qemu] + m["qemu"] + ["-smp", str(args.smp), "-m", args.mem,
                                     "-nographic"]
    if args.machine == "sdcard":
        cmd += ["-kernel", UBOOT_BIN]
    elif args.machine == "uboot":
        cmd += ["-kernel", UBOOT_BIN, "-device",
                "loader,file=%s,addr=0x%x" % (args.kernel, UBOOT_IMAGE_ADDR)]
        if args.initrd:
            cmd += ["-device", "loader,file=%s,addr=0x%x"
                    % (args.initrd, UBOOT_INITRD_ADDR)]
    else:
        cmd += ["-kernel", args.kernel]
        if args.cmdline:
            cmd += ["-append", args.cmdline]
        if args.initrd:
            cmd += ["-initrd", args.initrd]
    if args.dtb:
        cmd += ["-dtb", args.dtb]
    if args.disk:
        drive = "file=%s,format=raw,if=none,id=hd0" % args.disk
        if args.snapshot:
            drive += ",snapshot=on"
        cmd += ["-drive", drive, "-device", "virtio-blk-device,drive=hd0"]
    if args.gdb:
        cmd += ["-s", "-S"]
    return cmd + args.qemu_arg


def uboot_boot_command(args):
    """The line typed at U-Boot's prompt to boot the preloaded Image."""
    if args.initrd:
        initrd = "0x%x:0x%x" % (UBOOT_INITRD_ADDR,
                                os.path.getsize(args.initrd))
    else:
        initrd = "-"
    setenv = "setenv bootargs '%s'" % args.cmdline if args.cmdline \
        else "setenv bootargs"
    return "%s; booti 0x%x %s ${fdtcontroladdr}\n" % (
        setenv, UBOOT_IMAGE_ADDR, initrd)


class UBootDriver:
    """Stops U-Boot's autoboot and types the booti command; with command
    None (the sdcard variant) types nothing and lets autoboot run.

    feed() takes console text as it arrives and returns what to send back.
    If U-Boot's prompt comes back after booti, or shows up at all without a
    command, booting failed: error says why.
    """

    def __init__(self, command):
        self.command = command
        self.state = "autoboot" if command else "booting"
        self.seen = ""
        self.error = None

    def feed(self, text):
        self.seen = (self.seen + text)[-4096:]
        if self.state == "autoboot" and UBOOT_AUTOBOOT in self.seen:
            self.state, self.seen = "prompt", ""
            return " "
        if self.state == "prompt" and UBOOT_PROMPT in self.seen:
            self.state, self.seen = "booting", ""
            return self.command
        if self.state == "booting":
            if "Starting kernel" in self.seen:
                self.state = "booted"
            elif UBOOT_PROMPT in self.seen:
                lines = [l for l in self.seen.splitlines() if l.strip()]
                if self.command:
                    self.error = "U-Boot did not boot the Image: %s" % (
                        lines[-2] if len(lines) > 1 else "prompt returned")
                else:
                    self.error = ("U-Boot's distro boot found nothing to "
                                  "boot and gave its prompt: %s"
                                  % " | ".join(lines[-4:-1]))
                self.state = "failed"
        return ""

    @property
    def done(self):
        return self.state in ("booted", "failed")


class TapBlock:
    def __init__(self):
        self.plan = None
        self.results = []  # (number, ok, description)


class Verdict:
    """Reads console lines and collects everything that makes a run fail."""

    def __init__(self, args):
        self.args = args
        self.blocks = []
        self.problems = []
        self.harts = set()
        self.expect = [(r, re.compile(r)) for r in args.expect]
        self.matched = set()
        self.exit_status = None
        self.poweroff = None  # the line's status, or 0
        self.poweroff_seen = False
        self.panicked = False
        self.firmware_banners = 0

    def block(self):
        if not self.blocks:
            self.blocks.append(TapBlock())
        return self.blocks[-1]

    def line(self, line):
        line = RE_CONTROL.sub("", line)
        for text, rx in self.expect:
            if rx.search(line):
                self.matched.add(text)
        if RE_PANIC.match(line):
            self.problems.append("kernel panic: %s" % line.strip())
            self.panicked = True
        elif RE_LEAK.match(line):
            self.problems.append("leak: %s" % line.lstrip("# "))
        elif RE_INVARIANT.match(line):
            self.problems.append("kernel invariant broken: %s"
                                 % line.lstrip("# "))
        elif RE_BAIL.match(line):
            self.problems.append(line.strip())
        if RE_FIRMWARE.match(line):
            self.firmware_banners += 1
            if self.firmware_banners == 2:
                self.problems.append("the machine reset (firmware banner "
                                     "seen again)")
                self.panicked = True  # stop soon, like a panic
        m = RE_EXIT.match(line)
        if m:
            self.exit_status = int(m.group(1))
        m = RE_HART.match(line)
        if m:
            self.harts.add(int(m.group(1)))
        m = RE_ONLINE.match(line)
        if m:
            self.harts.update(int(h) for h in re.findall(r"\d+", m.group(1)))
        if RE_POWEROFF.match(line):
            m = RE_STATUS.search(line)
            self.poweroff_seen = True
            self.poweroff = int(m.group(1)) if m else 0
        self.tap_line(line)

    def tap_line(self, line):
        m = RE_PLAN.match(line)
        if m:
            b = self.block()
            if b.plan is not None:
                b = TapBlock()
                self.blocks.append(b)
            b.plan = int(m.group(1))
            return
        m = RE_RESULT.match(line)
        if m:
            b = self.block()
            if b.plan is not None and len(b.results) >= b.plan:
                b = TapBlock()  # results after a finished block
                self.blocks.append(b)
            desc = m.group(3)
            d = RE_DIRECTIVE.search(desc)
            ok = m.group(1) == "ok" or (d and d.group(1).upper() == "TODO")
            num = int(m.group(2)) if m.group(2) else len(b.results) + 1
            b.results.append((num, bool(ok), desc))

    def tap_complete(self):
        return bool(self.blocks) and all(
            b.plan is not None and len(b.results) >= b.plan
            for b in self.blocks)

    def guest_done(self):
        """True when the guest has nothing more to say (for sifive_u)."""
        if self.exit_status is not None or self.poweroff_seen:
            return True
        return self.args.tap and self.tap_complete()

    def finish(self, qemu_status, timed_out, stopped_by_runner):
        """Returns the list of reasons the run failed (empty: passed)."""
        probs = list(self.problems)
        if timed_out:
            probs.append("timeout after %gs" % self.args.timeout)
        if self.args.tap:
            probs += self.tap_problems()
        for text, _ in self.expect:
            if text not in self.matched:
                probs.append("no console line matched %r" % text)
        n = self.args.expect_harts
        if n is not None and len(self.harts) != n:
            probs.append("%d harts booted (%s), expected %d" % (
                len(self.harts), ",".join(map(str, sorted(self.harts))), n))
        if self.exit_status:
            probs.append("guest program exit status %d" % self.exit_status)
        if stopped_by_runner:
            if self.poweroff:
                probs.append("guest powered off with status %d"
                             % self.poweroff)
        elif not timed_out and qemu_status != 0:
            probs.append("QEMU exited with status %d" % qemu_status)
        return probs

    def tap_problems(self):
        probs = []
        if not any(b.plan is not None for b in self.blocks):
            probs.append("no TAP plan (1..N) on the console")
        for b in self.blocks:
            if b.plan is None:
                if b.results:
                    probs.append("%d TAP results without a plan"
                                 % len(b.results))
                continue
            if len(b.results) < b.plan:
                probs.append("planned %d tests, saw %d"
                             % (b.plan, len(b.results)))
            elif len(b.results) > b.plan:
                probs.append("planned %d tests, saw %d"
                             % (b.plan, len(b.results)))
            for num, ok, desc in b.results:
                if not ok:
                    probs.append("not ok %d - %s" % (num, desc))
        if len(probs) > MAX_LISTED:
            probs[MAX_LISTED:] = ["... and %d more" % (len(probs) - MAX_LISTED)]
        return probs

    def counts(self):
        res = [r for b in self.blocks for r in b.results]
        return sum(1 for r in res if r[1]), sum(1 for r in res if not r[1])


class Console:
    """Copies console text to stdout and the log, and splits it into lines."""

    def __init__(self, log_path):
        self.partial = ""
        self.log = None
        if log_path:
            os.makedirs(os.path.dirname(os.path.abspath(log_path)),
                        exist_ok=True)
            self.log = open(log_path, "w", encoding="utf-8")

    def write(self, text):
        text = text.replace("\r\n", "\n").replace("\0", "")
        sys.stdout.write(text)
        sys.stdout.flush()
        if self.log:
            self.log.write(text)
            self.log.flush()
        self.partial += text
        *lines, self.partial = self.partial.split("\n")
        return lines

    def note(self, text):
        """A runner message: stdout and the log, on a line of its own."""
        prefix = "\n" if self.partial else ""
        self.partial = ""
        self.write(prefix + "calf-run: " + text + "\n")

    def close(self):
        if self.log:
            self.log.close()


def stop(proc):
    """Ends QEMU: SIGTERM, then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def watch(proc, args, con, verdict, uboot):
    """Reads QEMU's console until QEMU exits or the run must end.

    Feeds every line to verdict and U-Boot's prompts to uboot. Returns
    (timed_out, stopped): stopped says why the runner ended QEMU itself, or
    is None. The caller stops QEMU afterwards.
    """
    finisher = MACHINES[args.machine]["finisher"]
    deadline = time.monotonic() + args.timeout
    fd = proc.stdout.fileno()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    last_output = time.monotonic()
    poweroff_at = panic_at = None
    while True:
        now = time.monotonic()
        if now >= deadline:
            return True, None
        if poweroff_at and now - poweroff_at > POWEROFF_GRACE:
            return False, "the guest powered off but QEMU did not exit"
        if panic_at and now - panic_at > PANIC_GRACE:
            return False, "the guest did not power off after the panic"
        if not finisher and verdict.guest_done() and \
                now - last_output > GUEST_DONE_IDLE:
            return False, "the guest is done; %s has no power-off device" \
                % args.machine
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        data = os.read(fd, 65536)
        if not data:
            try:  # QEMU closed its output: it is exiting
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            return False, None
        last_output = time.monotonic()
        text = decoder.decode(data)
        for line in con.write(text):
            verdict.line(line)
        if verdict.poweroff_seen and poweroff_at is None:
            poweroff_at = time.monotonic()
        if verdict.panicked and panic_at is None:
            panic_at = time.monotonic()
        if uboot and not uboot.done:
            reply = uboot.feed(text)
            if reply:
                proc.stdin.write(reply.encode())
                proc.stdin.flush()
            if uboot.error:
                verdict.problems.append(uboot.error)
                return False, "U-Boot failed"


def boot(args, con):
    """Boots QEMU once with args and judges the run; returns the verdict's
    problems (empty: passed) and the verdict."""
    cmd = qemu_command(args)
    con.note("$ " + " ".join(shlex.quote(c) for c in cmd))
    verdict = Verdict(args)
    uboot = None
    if args.machine == "uboot":
        uboot = UBootDriver(uboot_boot_command(args))
    elif args.machine == "sdcard":
        uboot = UBootDriver(None)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, bufsize=0)
    try:
        timed_out, stopped = watch(proc, args, con, verdict, uboot)
    finally:
        if con.partial:
            verdict.line(con.partial)
        stop(proc)
    if stopped:
        con.note("stopped QEMU: %s (%.1fs)"
                 % (stopped, time.monotonic() - start))
    if uboot and not uboot.done and not uboot.error:
        verdict.problems.append("U-Boot conversation stuck in state %s"
                                % uboot.state)
    return verdict.finish(proc.returncode, timed_out, stopped is not None), \
        verdict


def private_disk(args, tmpdir):
    """Gives the run its own copy of the disk, shared by all its boots."""
    if not args.disk:
        die("--pre-cmdline and --fsck need a disk (--disk or --fs on virt)")
    copy = os.path.join(tmpdir, os.path.basename(args.disk))
    shutil.copyfile(args.disk, copy)
    args.disk, args.snapshot = copy, False


def fsck_command(args):
    """The mkfs --check command line for the run's disk."""
    cmd = [args.fsck, "--check"]
    if not args.pre_cmdline:
        cmd.append("--clean")  # no crash boot: an unnamed inode leaked
    return cmd + [args.disk]


def fsck(args, con):
    """Runs mkfs --check on the run's disk; returns problems."""
    con.note("$ " + " ".join(shlex.quote(c) for c in fsck_command(args)))
    res = subprocess.run(fsck_command(args),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    con.write(res.stdout.decode("utf-8", "replace"))
    if res.returncode != 0:
        return ["%s --check found problems in the disk image" % args.fsck]
    return []


def run_test(args):
    """Runs the test: the --pre-cmdline boots (each must power off cleanly),
    then the checked boot, then --fsck (even when that boot failed: its
    report helps explain the failure). Returns the runner's exit status."""
    con = Console(args.log)
    start = time.monotonic()
    probs, verdict = [], None
    with tempfile.TemporaryDirectory(prefix="calf-run-") as tmpdir:
        if args.pre_cmdline or args.fsck:
            private_disk(args, tmpdir)
        for i, cmdline in enumerate(args.pre_cmdline):
            pre = argparse.Namespace(**vars(args))
            pre.cmdline, pre.tap, pre.expect, pre.expect_harts = \
                cmdline, False, [], None
            probs += ["boot %d: %s" % (i + 1, p) for p in boot(pre, con)[0]]
            if probs:
                break
        if not probs:
            probs, verdict = boot(args, con)
            if args.fsck:
                probs += fsck(args, con)
    ok, notok = verdict.counts() if verdict else (0, 0)
    elapsed = time.monotonic() - start
    if probs:
        con.note("FAIL (%d ok, %d not ok, %.1fs)" % (ok, notok, elapsed))
        for p in probs:
            con.note("  " + p)
    elif args.tap:
        con.note("PASS (%d ok, %.1fs)" % (ok, elapsed))
    else:
        con.note("PASS (%.1fs)" % elapsed)
    con.close()
    return 1 if probs else 0


def relay(proc, uboot):
    """Interactive session through pipes (the U-Boot variant): types the boot
    command, then connects this terminal to the console until QEMU exits."""
    import termios
    import tty
    fd_in = sys.stdin.fileno()
    fd_out = proc.stdout.fileno()
    saved = None
    if os.isatty(fd_in):
        saved = termios.tcgetattr(fd_in)
        tty.setraw(fd_in)
    try:
        while proc.poll() is None:
            watch = [fd_out] + ([fd_in] if uboot.done else [])
            ready, _, _ = select.select(watch, [], [], 0.2)
            if fd_out in ready:
                data = os.read(fd_out, 65536)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
                if not uboot.done:
                    reply = uboot.feed(data.decode("utf-8", "replace"))
                    if reply:
                        proc.stdin.write(reply.encode())
                        proc.stdin.flush()
            if fd_in in ready:
                data = os.read(fd_in, 1024)
                if not data:
                    break
                proc.stdin.write(data)
                proc.stdin.flush()
    finally:
        if saved is not None:
            termios.tcsetattr(fd_in, termios.TCSADRAIN, saved)
        stop(proc)
    return proc.returncode


def gdb_hint(args):
    elf = os.path.join(os.path.dirname(os.path.abspath(args.kernel)),
                       "kernel.elf")
    sys.stderr.write(
        "calf-run: QEMU waits for gdb on localhost:1234. In another "
        "terminal:\n"
        "    gdb-multiarch -x %s %s\n"
        "  (Debian: apt-get install gdb-multiarch; riscv64-linux-gnu-gdb "
        "works too where installed)\n"
        % (os.path.join(REPO, "tools", "calf.gdb"), elf))


def main(argv):
    args = parse_args(argv)
    cmd = qemu_command(args)
    if args.dry_run:
        print(" ".join(shlex.quote(c) for c in cmd))
        if args.machine == "uboot":
            print("then at U-Boot's prompt: " + uboot_boot_command(args),
                  end="")
        return 0
    if args.gdb:
        gdb_hint(args)
    if args.test:
        if args.gdb:
            args.timeout = float("inf")
        return run_test(args)
    sys.stderr.write("calf-run: %s, %d harts, %s; Ctrl-A X quits\n"
                     % (args.machine, args.smp, args.mem))
    if args.machine != "uboot":
        os.execvp(cmd[0], cmd)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, bufsize=0)
    return relay(proc, UBootDriver(uboot_boot_command(args)))


def on_sigterm(signum, frame):
    """meson test's timeout: unwind so that QEMU is stopped too."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
