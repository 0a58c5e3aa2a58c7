/*
 * Formatted output: vsnprintf() does the formatting into a buffer; printk()
 * formats a whole message first and then hands it to the console in one
 * piece, so lines from different harts do not interleave.
 */
#include <printk.h>
#include <string.h>
#include <console.h>

struct outbuf {
	char *buf;
	size_t size;
	size_t len; /* characters produced, even past size */
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_number(struct outbuf *o, u64 v, unsigned base, bool neg,
		       int width, bool zero, bool left, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, pad;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	pad = width > n ? width - n : 0;
	if (!left && zero && neg) { /* sign before the zeros */
		out_char(o, '-');
		n--;
	}
	if (!left)
		while (pad--)
			out_char(o, zero ? '0' : ' ');
	while (n)
		out_char(o, tmp[--n]);
	if (left)
		while (pad-- > 0)
			out_char(o, ' ');
}

static void out_string(struct outbuf *o, const char *s, int width, bool left)
{
	int n, pad;

	if (!s)
		s = "(null)";
	n = (int)strlen(s);
	pad = width > n ? width - n : 0;
	if (!left)
		while (pad--)
			out_char(o, ' ');
	while (*s)
		out_char(o, *s++);
	if (left)
		while (pad-- > 0)
			out_char(o, ' ');
}

/* Fetches an integer argument of the given length modifier (0, 1=l, 2=ll). */
static u64 fetch_arg(va_list *ap, int lng, bool is_signed, bool *neg)
{
	s64 sv;

	*neg = false;
	if (!is_signed)
		return lng ? va_arg(*ap, u64) : va_arg(*ap, unsigned int);
	sv = lng ? va_arg(*ap, s64) : va_arg(*ap, int);
	if (sv < 0) {
		*neg = true;
		return (u64)(-(sv + 1)) + 1;
	}
	return (u64)sv;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		bool zero = false, left = false, neg;
		u64 v;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '0' || *fmt == '-'; fmt++)
			*fmt == '0' ? (zero = true) : (left = true);
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		if (*fmt == 'd' || *fmt == 'i') {
			v = fetch_arg(&aq, lng, true, &neg);
			out_number(&o, v, 10, neg, width, zero, left, false);
		} else if (*fmt == 'u' || *fmt == 'x' || *fmt == 'X' || *fmt == 'o') {
			unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			v = fetch_arg(&aq, lng, false, &neg);
			out_number(&o, v, base, false, width, zero, left, *fmt == 'X');
		} else if (*fmt == 'p') {
			out_char(&o, '0');
			out_char(&o, 'x');
			v = (u64)va_arg(aq, void *);
			out_number(&o, v, 16, false, 16, true, false, false);
		} else if (*fmt == 's') {
			out_string(&o, va_arg(aq, const char *), width, left);
		} else if (*fmt == 'c') {
			out_char(&o, (char)va_arg(aq, int));
		} else if (*fmt == '%') {
			out_char(&o, '%');
		} else if (*fmt == 0) {
			break;
		} else {
			out_char(&o, '%');
			out_char(&o, *fmt);
		}
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
