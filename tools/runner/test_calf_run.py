#!/usr/bin/env python3
"""Host tests for tools/calf-run.py: the TAP verdict and the U-Boot dialogue,
fed with console text, no QEMU involved. Run: python3 test_calf_run.py"""

import argparse
import importlib.util
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "calf_run", os.path.join(HERE, "..", "calf-run.py"))
calf_run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(calf_run)


def args(**kw):
    base = dict(tap=True, expect=[], expect_harts=None, timeout=10.0,
                machine="virt", cmdline="", initrd=None)
    base.update(kw)
    return argparse.Namespace(**base)


def verdict(text, qemu_status=0, timed_out=False, stopped=False, **kw):
    v = calf_run.Verdict(args(**kw))
    for line in text.splitlines():
        v.line(line)
    return v.finish(qemu_status, timed_out, stopped)


class TapTest(unittest.TestCase):
    def test_pass(self):
        self.assertEqual(verdict("calf: hart 0 booted\n1..2\nok 1 - a\n"
                                 "# note\nok 2 - b # SKIP later\n"), [])

    def test_plan_at_end(self):
        self.assertEqual(verdict("ok 1 - a\nok 2\n1..2\n"), [])

    def test_not_ok(self):
        self.assertIn("not ok 2 - b", verdict("1..2\nok 1 - a\nnot ok 2 - b\n"))

    def test_todo_is_not_failure(self):
        self.assertEqual(verdict("1..1\nnot ok 1 - a # TODO later\n"), [])

    def test_short_plan(self):
        self.assertIn("planned 3 tests, saw 1", verdict("1..3\nok 1\n"))

    def test_no_plan(self):
        probs = verdict("ok 1 - a\n")
        self.assertIn("no TAP plan (1..N) on the console", probs)

    def test_two_blocks(self):
        self.assertEqual(verdict("1..1\nok 1 - k\n1..2\nok 1\nok 2\n"), [])
        self.assertIn("planned 2 tests, saw 1",
                      verdict("1..1\nok 1 - k\n1..2\nok 1\n"))

    def test_panic(self):
        probs = verdict("1..1\nok 1\n\npanic: cow_copy: refcount 0 < 1\n")
        self.assertTrue(any(p.startswith("kernel panic") for p in probs))

    def test_expected_panic_is_a_comment(self):
        self.assertEqual(verdict("1..1\n# (expected) panic: boom\nok 1\n"), [])

    def test_leak_and_exit_status(self):
        self.assertTrue(verdict("1..1\nok 1\n# calf: LEAK 3 pages\n"))
        self.assertTrue(verdict("1..1\nok 1\n# calf: exit status 1\n"))
        self.assertEqual(verdict("1..1\nok 1\n# calf: exit status 0\n"), [])

    def test_invariant(self):
        probs = verdict("1..1\nok 1\n# calf: INVARIANT: user page 0x8 "
                        "has refcount 2 but 1 mappings\n")
        self.assertTrue(any("invariant" in p for p in probs))

    def test_qemu_status(self):
        self.assertIn("QEMU exited with status 1",
                      verdict("1..1\nok 1\n", qemu_status=1))
        # Stopped by the runner (sifive_u): QEMU's status is ours, not the
        # guest's; the power-off line's status counts instead.
        self.assertEqual(verdict("1..1\nok 1\n", qemu_status=-15,
                                 stopped=True), [])
        self.assertIn("guest powered off with status 2",
                      verdict("1..1\nok 1\ncalf: power off, status 2\n",
                              stopped=True))

    def test_timeout(self):
        self.assertIn("timeout after 10s", verdict("1..1\nok 1\n",
                                                   timed_out=True))

    def test_harts_and_expect(self):
        text = "calf: hart 1 booted\ncalf: hart 3 booted\n1..1\nok 1\n"
        self.assertEqual(verdict(text, expect_harts=2), [])
        self.assertTrue(verdict(text, expect_harts=4))
        self.assertEqual(verdict(text, expect=[r"hart 3"]), [])
        self.assertTrue(verdict(text, expect=[r"hart 0"]))

    def test_online_banner(self):
        text = "calf: 4 of 5 harts online: 2(boot) 1 3 4\n1..1\nok 1\n"
        self.assertEqual(verdict(text, expect_harts=4), [])
        self.assertTrue(verdict(text, expect_harts=5))

    def test_control_characters(self):
        self.assertEqual(verdict("1..2\r\nok 1\r\n\x00ok 2 - x\n"), [])

    def test_reset(self):
        self.assertTrue(verdict("OpenSBI v1.1\n1..1\nok 1\nOpenSBI v1.1\n"))


class UBootTest(unittest.TestCase):
    def test_dialogue(self):
        a = args(machine="uboot", cmdline="run=sh")
        d = calf_run.UBootDriver(calf_run.uboot_boot_command(a))
        self.assertEqual(d.feed("U-Boot 2023.01\nHit any key to stop "), "")
        self.assertEqual(d.feed("autoboot:  2 "), " ")
        reply = d.feed("\n=> ")
        self.assertEqual(reply, "setenv bootargs 'run=sh'; booti 0x84000000 "
                                "- ${fdtcontroladdr}\n")
        d.feed(reply + "Moving Image from 0x84000000 to 0x80200000\n"
               "Starting kernel ...\n")
        self.assertTrue(d.done)
        self.assertIsNone(d.error)

    def test_booti_fails(self):
        d = calf_run.UBootDriver("booti\n")
        d.feed("Hit any key to stop autoboot")
        d.feed("=> ")
        d.feed("booti\nBad Linux RISCV Image magic!\n=> ")
        self.assertIn("Bad Linux RISCV Image magic!", d.error)


    def test_distro_boot_types_nothing(self):
        d = calf_run.UBootDriver(None)
        self.assertEqual(d.feed("Hit any key to stop autoboot:  2 "), "")
        self.assertEqual(d.feed(" 1  0\nScanning virtio 0:1...\n"
                                "Found /extlinux/extlinux.conf\n"), "")
        self.assertFalse(d.done)
        d.feed("Starting kernel ...\n")
        self.assertTrue(d.done)
        self.assertIsNone(d.error)

    def test_distro_boot_finds_nothing(self):
        d = calf_run.UBootDriver(None)
        d.feed("Hit any key to stop autoboot:  0\nScanning virtio 0:1...\n"
               "No ethernet found.\nNo ethernet found.\n=> ")
        self.assertTrue(d.done)
        self.assertIn("No ethernet found.", d.error)


class MachineTest(unittest.TestCase):
    def cmd(self, *argv):
        a = calf_run.parse_args(["--dry-run", "-C", "/nonexistent"] +
                                list(argv))
        return calf_run.qemu_command(a)

    def test_icicle_gets_its_dtb_and_second_serial(self):
        cmd = " ".join(self.cmd("--machine", "icicle"))
        self.assertIn("-M microchip-icicle-kit", cmd)
        self.assertIn("-serial null -serial mon:stdio", cmd)
        self.assertIn("-dtb /nonexistent/kernel/icicle.dtb", cmd)
        self.assertIn("-smp 5 -m 2G", cmd)
        self.assertNotIn("-bios", cmd)

    def test_sdcard_is_a_disk_for_uboot(self):
        cmd = " ".join(self.cmd("--machine", "sdcard"))
        self.assertIn("-kernel " + calf_run.UBOOT_BIN, cmd)
        self.assertIn("file=/nonexistent/calf-sdcard.img", cmd)
        self.assertNotIn("-initrd", cmd)
        self.assertNotIn("-append", cmd)


class FsckTest(unittest.TestCase):
    def test_clean_boot_makes_unnamed_inodes_leaks(self):
        a = argparse.Namespace(fsck="mkfs", disk="d.img", pre_cmdline=[])
        self.assertEqual(calf_run.fsck_command(a),
                         ["mkfs", "--check", "--clean", "d.img"])

    def test_crash_boot_allows_open_unlinked_files(self):
        a = argparse.Namespace(fsck="mkfs", disk="d.img",
                               pre_cmdline=["fs.crash=3 run=x"])
        self.assertEqual(calf_run.fsck_command(a),
                         ["mkfs", "--check", "d.img"])


if __name__ == "__main__":
    unittest.main()
