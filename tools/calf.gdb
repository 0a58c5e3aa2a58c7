# gdb script for debugging calf under QEMU.
#
#   terminal 1:  ninja -C build debug-qemu      (QEMU waits, gdb server on :1234)
#   terminal 2:  gdb-multiarch -x tools/calf.gdb build/kernel.elf
#
# gdb-multiarch is Debian's package of the same name (apt-get install
# gdb-multiarch); riscv64-linux-gnu-gdb works the same where installed.
#
# The kernel is linked at its upper-half virtual address, so kernel.elf's
# symbols are right once paging is on (from the jump to the linked address
# in early boot onwards): "break kmain", "continue" just works.
#
# Before that, early boot runs with the MMU off at the physical address the
# Image was loaded at (0x80200000 on QEMU virt with -kernel). To debug it,
# load the symbols a second time shifted by (physical - linked):
#
#   (gdb) calf-early              # for the usual 0x80200000 load address
#   (gdb) calf-early 0x80200000   # or name the physical load address
#   (gdb) break *0x80200000       # the Image's first instruction
#
# which runs add-symbol-file kernel.elf -o OFFSET for you. Breakpoints on
# names then resolve to both copies; "info breakpoints" shows each address.

set architecture riscv:rv64
set pagination off
set confirm off
set print pretty on
# Kernel stacks are small and gdb's unwinder can wander off the end.
set backtrace limit 64

target remote localhost:1234

python
import gdb


class CalfEarly(gdb.Command):
    """calf-early [PHYS]: also load kernel.elf's symbols at physical address
    PHYS (default 0x80200000), where early boot runs before paging."""

    def __init__(self):
        super().__init__("calf-early", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        phys = int(gdb.parse_and_eval(arg)) if arg.strip() else 0x80200000
        elf = gdb.current_progspace().filename
        if not elf:
            raise gdb.GdbError("calf-early: load kernel.elf first "
                               "(gdb-multiarch -x tools/calf.gdb build/kernel.elf)")
        for name in ("_start_image", "_start", "_text_start"):
            try:
                linked = int(gdb.parse_and_eval("(unsigned long)&%s" % name))
                break
            except gdb.error:
                continue
        else:
            raise gdb.GdbError("calf-early: no _start_image symbol")
        offset = (phys - linked) & 0xFFFFFFFFFFFFFFFF
        gdb.execute("add-symbol-file %s -o 0x%x" % (elf, offset))
        print("calf-early: %s at 0x%x (linked 0x%x, offset 0x%x)"
              % (elf, phys, linked, offset))


CalfEarly()
end
