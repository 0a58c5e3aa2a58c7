/*
 * malloc and free on top of sbrk.
 *
 * Memory is handed out in units of 16 bytes. Every block, used or free,
 * starts with a one-unit header holding its size in units (header included).
 * Free blocks are kept on a singly linked list sorted by address, so that
 * free() can merge a block with the free neighbours directly before and
 * after it; this keeps the heap from fragmenting when a program frees
 * everything it allocated (usertests' "mem" test relies on it). malloc is
 * first fit, carving the requested size off the end of the free block it
 * picks, and asks sbrk for at least GROW_UNITS units when nothing fits.
 */
#include "kernel/types.h"
#include "user/user.h"

/* A block header; a free block's header also links it into the free list. */
union header {
	struct {
		union header *next; /* next free block (only while free) */
		uint64 units;       /* size of the block, header included */
	} h;
	uint64 align[2]; /* one header is exactly one 16-byte unit */
};

typedef union header header_t;

#define UNIT sizeof(header_t)
#define GROW_UNITS 4096 /* grow the heap by at least 64 KiB at a time */

static header_t *free_list; /* lowest-addressed free block, or 0 */

/* Returns whether block a ends exactly where block b starts. */
static int adjacent(header_t *a, header_t *b)
{
	return a + a->h.units == b;
}

/*
 * Puts block b on the free list at its address-ordered place and merges it
 * with the free blocks right before and after it.
 */
static void insert_free(header_t *b)
{
	header_t *prev = 0, *next = free_list;

	while (next != 0 && next < b) {
		prev = next;
		next = next->h.next;
	}

	if (next != 0 && adjacent(b, next)) {
		b->h.units += next->h.units;
		b->h.next = next->h.next;
	} else {
		b->h.next = next;
	}

	if (prev != 0 && adjacent(prev, b)) {
		prev->h.units += b->h.units;
		prev->h.next = b->h.next;
	} else if (prev != 0) {
		prev->h.next = b;
	} else {
		free_list = b;
	}
}

/* Gets at least units more units from the kernel; returns 0 on success, -1 if out of memory. */
static int grow_heap(uint64 units)
{
	header_t *b;
	char *p;

	if (units < GROW_UNITS)
		units = GROW_UNITS;
	if (units > 0x7fffffffUL / UNIT)
		return -1;
	/* Keep blocks 16-byte aligned even if the program moved the break itself. */
	p = sbrk(0);
	if (p != SBRK_ERROR && ((uint64)p & (UNIT - 1)) != 0)
		sbrk(UNIT - ((uint64)p & (UNIT - 1)));
	p = sbrk((int)(units * UNIT));
	if (p == SBRK_ERROR)
		return -1;
	b = (header_t *)p;
	b->h.units = units;
	insert_free(b);
	return 0;
}

/*
 * Allocates nbytes (at least one) of 16-byte aligned memory; returns 0 when
 * the heap cannot grow enough.
 */
void *malloc(uint nbytes)
{
	uint64 units = ((uint64)nbytes + UNIT - 1) / UNIT + 1;
	header_t *prev, *b;

	for (;;) {
		prev = 0;
		for (b = free_list; b != 0; prev = b, b = b->h.next) {
			if (b->h.units < units)
				continue;
			if (b->h.units == units) {
				/* Exact fit: unlink the whole block. */
				if (prev != 0)
					prev->h.next = b->h.next;
				else
					free_list = b->h.next;
			} else {
				/* Keep the front on the list and hand out the tail. */
				b->h.units -= units;
				b += b->h.units;
				b->h.units = units;
			}
			b->h.next = 0;
			return (void *)(b + 1);
		}
		if (grow_heap(units) < 0)
			return 0;
	}
}

/* Returns a block from malloc to the free list; free(0) does nothing. */
void free(void *p)
{
	if (p == 0)
		return;
	insert_free((header_t *)p - 1);
}
