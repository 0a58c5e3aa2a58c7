#!/usr/bin/env python3
"""Build fs.img: strip the user and test programs into a staging directory,
then run the host mkfs on them with the README.

    mkfsimg.py --mkfs MKFS --objcopy OBJCOPY --readme README.fsimg \
               --staging DIR [--mkfs-arg=ARG]... -o fs.img PROGRAM...

Each program goes into the image's root directory under its file name.
Debug information is stripped (symbols stay, for backtraces) so that the
image stays small; the unstripped programs remain in the build directory for
gdb. Two programs with the same name are an error.
"""

import argparse
import os
import shutil
import subprocess
import sys


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mkfs", required=True)
    p.add_argument("--objcopy", required=True)
    p.add_argument("--readme", required=True)
    p.add_argument("--staging", required=True)
    p.add_argument("--mkfs-arg", action="append", default=[],
                   help="passed to mkfs before the files (e.g. --size)")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("programs", nargs="*")
    args = p.parse_args(argv)

    shutil.rmtree(args.staging, ignore_errors=True)
    os.makedirs(args.staging)
    specs = ["README=" + args.readme]
    seen = {}
    for prog in args.programs:
        name = os.path.basename(prog)
        if name in seen:
            sys.exit("mkfsimg: two programs named %s: %s and %s"
                     % (name, seen[name], prog))
        seen[name] = prog
        staged = os.path.join(args.staging, name)
        subprocess.run([args.objcopy, "--strip-debug", prog, staged],
                       check=True)
        specs.append("%s=%s" % (name, staged))
    tmp = args.output + ".tmp"
    subprocess.run([args.mkfs, tmp] + args.mkfs_arg + specs, check=True)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
