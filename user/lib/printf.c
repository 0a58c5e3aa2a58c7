/*
 * printf and fprintf for user programs.
 *
 * Output is collected in a small buffer on the stack and written with as
 * few write() calls as possible (one per call unless the text is long), so
 * that lines from different processes interleave less on the console.
 * Conversions: %d %i %u %x %X %p %s %c %%, with the size prefixes l, ll and
 * z, a field width, and the flags 0 (zero padding) and - (left align).
 */
#include <stdarg.h>

#include "kernel/types.h"
#include "user/user.h"

#define OUTBUF 128

/* An output buffer bound to a file descriptor. */
struct out {
	int fd;
	int len;
	char buf[OUTBUF];
};

/* Writes out whatever is buffered. */
static void out_flush(struct out *o)
{
	if (o->len > 0)
		write(o->fd, o->buf, o->len);
	o->len = 0;
}

/* Appends one byte, flushing when the buffer is full. */
static void out_char(struct out *o, char c)
{
	if (o->len == OUTBUF)
		out_flush(o);
	o->buf[o->len++] = c;
}

/* Appends c n times. */
static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Appends len bytes of s padded to width (on the right if left is set). */
static void out_field(struct out *o, const char *s, int len, int width, int left)
{
	int i;

	if (!left)
		out_repeat(o, ' ', width - len);
	for (i = 0; i < len; i++)
		out_char(o, s[i]);
	if (left)
		out_repeat(o, ' ', width - len);
}

/* The layout of one conversion: its width and flags. */
struct spec {
	int width;
	int zero;
	int left;
};

/*
 * Appends the number v in base 10 or 16, with a '-' when neg is set,
 * laid out by sp. Zero padding goes between the sign and the digits.
 */
static void out_number(struct out *o, unsigned long v, int base, int neg,
		       int upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	len = n + (neg ? 1 : 0);
	pad = sp->width > len ? sp->width - len : 0;

	if (!sp->left && !sp->zero)
		out_repeat(o, ' ', pad);
	if (neg)
		out_char(o, '-');
	if (!sp->left && sp->zero)
		out_repeat(o, '0', pad);
	while (n > 0)
		out_char(o, tmp[--n]);
	if (sp->left)
		out_repeat(o, ' ', pad);
}

/* Reads an integer argument of the given size (0 int, 1 long, 2 long long). */
static long arg_signed(va_list *ap, int size)
{
	if (size == 0)
		return va_arg(*ap, int);
	if (size == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, long long);
}

/* The unsigned counterpart of arg_signed. */
static unsigned long arg_unsigned(va_list *ap, int size)
{
	if (size == 0)
		return va_arg(*ap, unsigned int);
	if (size == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned long long);
}

/* Formats one conversion, whose letter is c, from *ap. */
static void out_conversion(struct out *o, char c, int size,
			   const struct spec *sp, va_list *ap)
{
	long sv;
	const char *s;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, size);
		out_number(o, sv < 0 ? -(unsigned long)sv : (unsigned long)sv,
			   10, sv < 0, 0, sp);
		break;
	case 'u':
		out_number(o, arg_unsigned(ap, size), 10, 0, 0, sp);
		break;
	case 'x':
	case 'X':
		out_number(o, arg_unsigned(ap, size), 16, 0, c == 'X', sp);
		break;
	case 'p':
		out_char(o, '0');
		out_char(o, 'x');
		out_number(o, (unsigned long)va_arg(*ap, void *), 16, 0, 0, sp);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (s == 0)
			s = "(null)";
		out_field(o, s, strlen(s), sp->width, sp->left);
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		out_field(o, &ch, 1, sp->width, sp->left);
		break;
	case '%':
		out_char(o, '%');
		break;
	default:
		/* Unknown conversion: show it as written. */
		out_char(o, '%');
		out_char(o, c);
		break;
	}
}

/* Formats fmt with the arguments in ap and writes the result to fd. */
static void vfprintf(int fd, const char *fmt, va_list ap)
{
	struct out o = { .fd = fd, .len = 0 };
	struct spec sp;
	int size;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		sp.width = 0;
		sp.zero = 0;
		sp.left = 0;
		for (;; fmt++) {
			if (*fmt == '0')
				sp.zero = 1;
			else if (*fmt == '-')
				sp.left = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		size = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			size = size < 2 ? size + 1 : 2;
			fmt++;
		}
		if (*fmt == '\0')
			break;
		out_conversion(&o, *fmt, size, &sp, &ap);
	}
	out_flush(&o);
}

/* Formatted output to the file descriptor fd. */
void fprintf(int fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(fd, fmt, ap);
	va_end(ap);
}

/* Formatted output to standard output (fd 1). */
void printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(1, fmt, ap);
	va_end(ap);
}
