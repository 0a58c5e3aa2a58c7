/*
 * kmalloc: power-of-two size classes from 16 to 2048 bytes. Each slab is
 * one page: a header, then equal objects. A slab that becomes empty goes
 * straight back to the page allocator, so the free-page count returns to
 * its old value once every object is freed (the leak checks rely on that).
 */
#include <mm.h>
#include <printk.h>
#include <string.h>
#include <spinlock.h>

#define MIN_SHIFT 4
#define MAX_SHIFT 11
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define SLAB_MAGIC 0x51ab51abu

struct free_obj {
	struct free_obj *next;
};

struct slab {
	u32 magic;
	u16 shift;
	u16 inuse;
	struct free_obj *free;
	struct slab *next, *prev; /* on its class's list while it has room */
};

static struct spinlock kmalloc_lock = SPINLOCK_INIT("kmalloc");
static struct slab *partial[NCLASSES]; /* guarded by kmalloc_lock */

static int class_of(size_t size)
{
	int shift = MIN_SHIFT;

	while ((1UL << shift) < size)
		shift++;
	return shift - MIN_SHIFT;
}

static void list_add(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void list_del(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* A fresh slab for class c with every object free, or NULL. */
static struct slab *slab_new(int c)
{
	struct slab *s = kalloc_page();
	size_t obj = 1UL << (c + MIN_SHIFT);
	size_t off = ALIGN_UP(sizeof(struct slab), obj < 64 ? obj : 64);

	if (!s)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->shift = (u16)(c + MIN_SHIFT);
	s->inuse = 0;
	s->free = NULL;
	for (; off + obj <= PAGE_SIZE; off += obj) {
		struct free_obj *o = (struct free_obj *)((char *)s + off);
		o->next = s->free;
		s->free = o;
	}
	return s;
}

void *kmalloc(size_t size)
{
	int c;
	struct slab *s;
	struct free_obj *o;

	if (size == 0 || size > (1UL << MAX_SHIFT))
		return NULL;
	c = class_of(size);
	spin_lock(&kmalloc_lock);
	s = partial[c];
	if (!s) {
		s = slab_new(c);
		if (!s) {
			spin_unlock(&kmalloc_lock);
			return NULL;
		}
		list_add(&partial[c], s);
	}
	o = s->free;
	s->free = o->next;
	s->inuse++;
	if (!s->free)
		list_del(&partial[c], s);
	spin_unlock(&kmalloc_lock);
	return o;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	struct slab *s;
	struct free_obj *o = p;
	int c;

	if (!p)
		return;
	s = (struct slab *)ALIGN_DOWN((u64)p, PAGE_SIZE);
	if (s->magic != SLAB_MAGIC || s->inuse == 0)
		panic("kfree: %p is not an allocated kmalloc object", p);
	c = s->shift - MIN_SHIFT;
	spin_lock(&kmalloc_lock);
	if (!s->free)
		list_add(&partial[c], s);
	o->next = s->free;
	s->free = o;
	s->inuse--;
	if (s->inuse == 0) {
		list_del(&partial[c], s);
		s->magic = 0;
		spin_unlock(&kmalloc_lock);
		kfree_page(s);
		return;
	}
	spin_unlock(&kmalloc_lock);
}
