/*
 * Basic kernel types. The kernel is freestanding: only the compiler's own
 * headers (stdint, stddef, stdbool, stdarg) are used.
 */
#ifndef CALF_TYPES_H
#define CALF_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef u64 phys_addr_t; /* a physical address */
typedef u64 uaddr_t;     /* a user virtual address (never dereferenced directly) */
typedef long ssize_t;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __section(s) __attribute__((section(s)))
#define __used __attribute__((used))
#define __unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Annotates pointers into user space; they must go through uaccess.h. */
#define __user

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier() __asm__ __volatile__("" ::: "memory")

/*
 * IS_ENABLED(CONFIG_X): 1 when the build defines CONFIG_X as 1 (meson
 * passes -DCONFIG_X=1), 0 when it does not define it. It is an ordinary
 * expression, so both sides of `if (IS_ENABLED(...))` are always compiled
 * and type-checked and the compiler drops the dead one. How: a defined
 * option pastes into cfg_probe_1, which expands to "0," and shifts the 1
 * into the second argument that cfg_second() picks; an undefined one pastes
 * into an unknown name and leaves 0 there.
 */
#define cfg_probe_1 0,
#define cfg_second(skip, val, ...) val
#define cfg_pick(probe) cfg_second(probe 1, 0, 0)
#define cfg_paste(val) cfg_pick(cfg_probe_##val)
#define IS_ENABLED(option) cfg_paste(option)

#endif
