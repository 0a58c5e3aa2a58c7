/* ELF64 file format, the parts the exec loader reads. */
#ifndef CALF_ELF_H
#define CALF_ELF_H

#include <types.h>

#define ELF_MAGIC 0x464c457fU /* "\x7fELF" little-endian */
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_RISCV 243

struct elf64_ehdr {
	u32 magic;
	u8 class, data, version, osabi;
	u8 pad[8];
	u16 type, machine;
	u32 eversion;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

#endif
