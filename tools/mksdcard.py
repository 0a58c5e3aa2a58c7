#!/usr/bin/env python3
"""Build an SD-card image that U-Boot's standard boot starts by itself.

    tools/mksdcard.py -o calf-sdcard.img --kernel Image --initrd fs.img \\
        --cmdline "run=sh"

The image holds a DOS partition table with one bootable FAT partition
(starting at 1 MiB) containing

    /Image                   the kernel
    /fs.img                  the root file system, loaded as the initrd
    /extlinux/extlinux.conf  kernel /Image, initrd /fs.img,
                             append root=ram0 CMDLINE

U-Boot's distro boot (bootcmd -> distro_bootcmd -> scan_dev_for_boot_part)
picks the partition flagged bootable, finds extlinux/extlinux.conf and
boots its default label with booti. The file names no device tree, so
U-Boot passes its own (${fdt_addr}, else ${fdtcontroladdr}): on QEMU the
machine's, on the VisionFive 2 the board's.

Everything runs as an ordinary user: mkfs.fat and mcopy work on a separate
partition file, sfdisk writes the table into the image file, and the
partition is then copied in at its offset. Needs Debian's dosfstools,
mtools and fdisk. Only the Python standard library is used.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

SECTOR = 512
PART_START = 1 << 20  # 1 MiB: room for the table, aligned for SD cards
MIN_PART = 32 << 20   # comfortably a FAT16 file system
SLACK = 8 << 20       # free space left in the partition


def die(msg):
    sys.stderr.write("mksdcard: %s\n" % msg)
    sys.exit(1)


def run(cmd, **kw):
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         **kw)
    if res.returncode != 0:
        die("%s failed:\n%s" % (" ".join(cmd),
                                res.stdout.decode("utf-8", "replace")))


def tool(name, given):
    """Finds a tool: the path given, else PATH plus the sbin directories
    (Debian keeps mkfs.fat and sfdisk there, outside a user's PATH)."""
    if given:
        return given
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    found = shutil.which(name, path=path)
    if not found:
        die("%s not found (Debian: apt-get install dosfstools mtools fdisk, "
            "or run tools/setup.sh)" % name)
    return found


def extlinux_conf(cmdline):
    """The extlinux.conf text: one label, booted at once (no menu). root=ram0
    makes the initrd the root even where U-Boot booted from a disk calf can
    see (QEMU's virtio disk holding this very image)."""
    return ("# calf: written by tools/mksdcard.py\n"
            "default calf\n"
            "label calf\n"
            "\tkernel /Image\n"
            "\tinitrd /fs.img\n"
            "\tappend %s\n" % " ".join(["root=ram0"] + cmdline.split()))


def part_size(files):
    """The partition size: the files plus slack, whole MiB, at least 32 MiB."""
    need = sum(os.path.getsize(f) for f in files) + SLACK
    return max(MIN_PART, (need + (1 << 20) - 1) & ~((1 << 20) - 1))


def make_fat(path, size, kernel, initrd, conf, tools):
    """Creates the FAT file system in file path and copies the files in."""
    with open(path, "wb") as f:
        f.truncate(size)
    run([tools["mkfs.fat"], "-F", "16", "-n", "CALF", path])
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    run([tools["mmd"], "-i", path, "::extlinux"], env=env)
    run([tools["mcopy"], "-i", path, kernel, "::Image"], env=env)
    run([tools["mcopy"], "-i", path, initrd, "::fs.img"], env=env)
    run([tools["mcopy"], "-i", path, conf, "::extlinux/extlinux.conf"],
        env=env)


def make_image(out, part, size, tools):
    """Writes the partition table to out and the partition at 1 MiB."""
    with open(out, "wb") as f:
        f.truncate(PART_START + size)
    # type c: FAT32 with LBA, what card readers and U-Boot expect of a
    # FAT boot partition; U-Boot reads FAT16 in it all the same.
    table = "label: dos\nstart=%d, size=%d, type=c, bootable\n" % (
        PART_START // SECTOR, size // SECTOR)
    run([tools["sfdisk"], "--no-reread", "--no-tell-kernel", out],
        input=table.encode())
    with open(part, "rb") as src, open(out, "r+b") as dst:
        dst.seek(PART_START)
        shutil.copyfileobj(src, dst, 1 << 20)


def main(argv):
    p = argparse.ArgumentParser(
        description="Build an SD-card image for U-Boot's distro boot.")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--kernel", required=True, help="the kernel Image")
    p.add_argument("--initrd", required=True, help="the root file system")
    p.add_argument("--cmdline", default="", help="kernel command line")
    for name in ("mkfs.fat", "mcopy", "mmd", "sfdisk"):
        p.add_argument("--" + name.replace(".", "-"), metavar="PATH",
                       help="the %s to use" % name)
    args = p.parse_args(argv)
    tools = {n: tool(n, getattr(args, n.replace(".", "_")))
             for n in ("mkfs.fat", "mcopy", "mmd", "sfdisk")}
    if "\n" in args.cmdline:
        die("the command line must be one line")
    size = part_size([args.kernel, args.initrd])
    with tempfile.TemporaryDirectory(prefix="mksdcard-") as tmp:
        conf = os.path.join(tmp, "extlinux.conf")
        with open(conf, "w") as f:
            f.write(extlinux_conf(args.cmdline))
        part = os.path.join(tmp, "part.img")
        make_fat(part, size, args.kernel, args.initrd, conf, tools)
        partial = args.output + ".tmp"
        make_image(partial, part, size, tools)
        os.replace(partial, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
