/*
 * Sv39 page-table entries. Generic mm code builds and inspects PTEs only
 * through these helpers.
 *
 * Every leaf is created with A set, and D set when writable: U74 cores
 * fault instead of setting them in hardware. Non-leaf entries have A, D and
 * U clear. pte_mkleaf() builds leaves that way; pte_leaf_ok() states the
 * rules (A/D, W^X, never COW and writable) and pte_install() in
 * <pgtable.h> panics on a leaf that breaks them.
 */
#ifndef ASM_PTE_H
#define ASM_PTE_H

#include <types.h>
#include <asm/page.h>

typedef u64 pte_t;

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_COW (1UL << 8) /* software bit (RSW): copy-on-write page */
#define PTE_SOFT2 (1UL << 9)
#define PTE_PPN_SHIFT 10
#define PTE_FLAGS_MASK 0x3ffUL

#define PT_LEVELS 3
#define PT_ENTRIES 512
#define PT_INDEX(va, level) (((va) >> (PAGE_SHIFT + 9 * (level))) & 0x1ff)
#define LEVEL_SIZE(level) (1UL << (PAGE_SHIFT + 9 * (level)))

/* Protection requested by generic code, translated to PTE bits here. */
#define PROT_READ 1u
#define PROT_WRITE 2u
#define PROT_EXEC 4u
#define PROT_USER 8u

static inline bool pte_valid(pte_t p) { return p & PTE_V; }
static inline bool pte_leaf(pte_t p) { return (p & PTE_V) && (p & (PTE_R | PTE_W | PTE_X)); }
static inline bool pte_writable(pte_t p) { return p & PTE_W; }
static inline bool pte_user(pte_t p) { return p & PTE_U; }
static inline bool pte_executable(pte_t p) { return p & PTE_X; }
static inline bool pte_cow(pte_t p) { return p & PTE_COW; }
static inline phys_addr_t pte_pa(pte_t p) { return (p >> PTE_PPN_SHIFT) << PAGE_SHIFT; }
/* Page frame number; bits 63..54 are always zero in calf's PTEs. */
static inline u64 pte_pfn(pte_t p) { return p >> PTE_PPN_SHIFT; }

static inline u64 prot_to_pte(unsigned prot)
{
	u64 bits = 0;
	if (prot & PROT_READ)
		bits |= PTE_R;
	if (prot & PROT_WRITE)
		bits |= PTE_W | PTE_R;
	if (prot & PROT_EXEC)
		bits |= PTE_X;
	if (prot & PROT_USER)
		bits |= PTE_U;
	return bits;
}

/* A leaf mapping pa with prot: A always, D when writable. */
static inline pte_t pte_mkleaf(phys_addr_t pa, unsigned prot)
{
	u64 bits = prot_to_pte(prot) | PTE_V | PTE_A;
	if (bits & PTE_W)
		bits |= PTE_D;
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | bits;
}

/* A pointer to the next-level table at pa. */
static inline pte_t pte_mktable(phys_addr_t pa)
{
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
}

/* fork: a writable private page becomes read-only + COW. */
static inline pte_t pte_mkcow(pte_t p) { return (p & ~(PTE_W | PTE_D)) | PTE_COW; }
/* COW resolved by reuse: writable again, COW bit gone. */
static inline pte_t pte_mkwrite(pte_t p) { return (p & ~PTE_COW) | PTE_W | PTE_D | PTE_A; }
/* The A/D/W^X rules every leaf must satisfy; false means a kernel bug. */
static inline bool pte_leaf_ok(pte_t p)
{
	if (!(p & PTE_A))
		return false;
	if ((p & PTE_W) && !(p & PTE_D))
		return false;
	if ((p & PTE_W) && (p & PTE_X))
		return false;
	if ((p & PTE_W) && (p & PTE_COW))
		return false;
	return true;
}
static inline bool pte_table_ok(pte_t p)
{
	return !(p & (PTE_A | PTE_D | PTE_U));
}

#endif
