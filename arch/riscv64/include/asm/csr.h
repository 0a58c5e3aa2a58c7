/* RISC-V supervisor CSRs and their bits. Only arch/riscv64 includes this. */
#ifndef ASM_CSR_H
#define ASM_CSR_H

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_FS (3UL << 13)
#define SSTATUS_SUM (1UL << 18)
#define SSTATUS_MXR (1UL << 19)

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SATP_MODE_SV39 (8UL << 60)
#define SCOUNTEREN_TM (1UL << 1)

/* scause values: interrupts have the top bit set. */
#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

#ifndef __ASSEMBLER__
#define csr_read(csr)                                             \
	({                                                        \
		unsigned long v_;                                 \
		__asm__ __volatile__("csrr %0, " #csr : "=r"(v_)); \
		v_;                                               \
	})
#define csr_write(csr, val) \
	__asm__ __volatile__("csrw " #csr ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, val) \
	__asm__ __volatile__("csrs " #csr ", %0" ::"rK"(val) : "memory")
#define csr_clear(csr, val) \
	__asm__ __volatile__("csrc " #csr ", %0" ::"rK"(val) : "memory")
/* Clears the bits val in csr; returns the csr as it was before. */
#define csr_read_clear(csr, val)                                      \
	({                                                            \
		unsigned long v_;                                     \
		__asm__ __volatile__("csrrc %0, " #csr ", %1"         \
				     : "=r"(v_) : "rK"(val) : "memory"); \
		v_;                                                   \
	})
#endif

#endif
