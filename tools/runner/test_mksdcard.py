#!/usr/bin/env python3
"""Host test for tools/mksdcard.py: builds an SD-card image from two small
files and checks what U-Boot's distro boot relies on (a DOS table with one
bootable FAT partition at 1 MiB, the files, extlinux.conf), no QEMU.

    python3 test_mksdcard.py [MKSDCARD-TOOL-OPTIONS...]

The options (--mkfs-fat PATH, ...) are passed on to mksdcard.py."""

import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MKSDCARD = os.path.join(HERE, "..", "mksdcard.py")
TOOL_ARGS = sys.argv[1:]


def tool_path(name):
    """The path given for name in TOOL_ARGS, else the bare name."""
    opt = "--" + name.replace(".", "-")
    if opt in TOOL_ARGS:
        return TOOL_ARGS[TOOL_ARGS.index(opt) + 1]
    return name


class MkSdcardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="test-mksdcard-")
        d = cls.tmp.name
        cls.kernel = os.path.join(d, "Image")
        cls.initrd = os.path.join(d, "fs.img")
        with open(cls.kernel, "wb") as f:
            f.write(b"K" * 300000)
        with open(cls.initrd, "wb") as f:
            f.write(bytes(range(256)) * 4000)
        cls.img = os.path.join(d, "sd.img")
        subprocess.run([sys.executable, MKSDCARD, "-o", cls.img,
                        "--kernel", cls.kernel, "--initrd", cls.initrd,
                        "--cmdline", "run=ls  ktest"] + TOOL_ARGS,
                       check=True)
        with open(cls.img, "rb") as f:
            cls.data = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def mtype(self, name):
        """The contents of file name in the image's partition (mtools'
        mtype, found next to the mcopy that built the image)."""
        mtype = os.path.join(os.path.dirname(tool_path("mcopy")), "mtype")
        env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
        return subprocess.run(
            [mtype if os.path.isabs(mtype) else "mtype",
             "-i", self.img + "@@1M", "::" + name],
            stdout=subprocess.PIPE, check=True, env=env).stdout

    def test_partition_table(self):
        self.assertEqual(self.data[510:512], b"\x55\xaa")
        entry = self.data[446:462]
        boot, ptype = entry[0], entry[4]
        start, count = struct.unpack("<II", entry[8:16])
        self.assertEqual(boot, 0x80, "partition 1 flagged bootable")
        self.assertEqual(ptype, 0x0c)
        self.assertEqual(start * 512, 1 << 20)
        self.assertEqual((start + count) * 512, len(self.data))
        self.assertEqual(self.data[462:510], bytes(48), "one partition")

    def test_fat_at_one_mib(self):
        boot = self.data[1 << 20:(1 << 20) + 512]
        self.assertEqual(boot[510:512], b"\x55\xaa")
        self.assertEqual(boot[54:59], b"FAT16")

    def test_files(self):
        with open(self.kernel, "rb") as f:
            self.assertEqual(self.mtype("Image"), f.read())
        with open(self.initrd, "rb") as f:
            self.assertEqual(self.mtype("fs.img"), f.read())

    def test_extlinux_conf(self):
        conf = self.mtype("extlinux/extlinux.conf").decode()
        lines = [l.strip() for l in conf.splitlines()]
        self.assertIn("default calf", lines)
        self.assertIn("kernel /Image", lines)
        self.assertIn("initrd /fs.img", lines)
        self.assertIn("append root=ram0 run=ls ktest", lines)
        self.assertFalse(any(l.startswith(("fdt", "fdtdir")) for l in lines),
                         "U-Boot supplies the device tree")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
