/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_io.c - the runtime's only output: bytes on Bochs's port 0xE9 (the
 * port_e9_hack copies them to Bochs's stdout), a small printf, and the
 * end of a case through Bochs's shutdown port 0x8900.
 */
#include "rt.h"
#include "rt_vmx.h"

#define PORT_E9 0xe9u
#define PORT_BOCHS_SHUTDOWN 0x8900u

void rt_putc(char c) { outb(PORT_E9, (uint8_t)c); }

static void put_str(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

static void put_num(uint64_t v, unsigned base, unsigned width)
{
	char digits[24];
	unsigned n = 0;

	do {
		unsigned d = (unsigned)(v % base);
		digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n < width && n < sizeof(digits))
		digits[n++] = '0';
	while (n)
		rt_putc(digits[--n]);
}

/* %s %c %u %x, with an optional l (64-bit) and a zero-padded width (%08x, %016lx). */
static void rt_vprintf(const char *f, va_list ap)
{
	for (; *f; f++) {
		unsigned width = 0;
		int is_long = 0;

		if (*f != '%') {
			rt_putc(*f);
			continue;
		}
		f++;
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (unsigned)(*f++ - '0');
		if (*f == 'l') {
			is_long = 1;
			f++;
		}
		switch (*f) {
		case 's':
			put_str(va_arg(ap, const char *));
			break;
		case 'c':
			rt_putc((char)va_arg(ap, int));
			break;
		case 'u':
		case 'x':
			put_num(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), *f == 'u' ? 10 : 16, width);
			break;
		case '%':
			rt_putc('%');
			break;
		default:
			rt_putc('?');
			if (!*f)
				return;
			break;
		}
	}
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vprintf(fmt, ap);
	va_end(ap);
}

_Noreturn void rt_end(void)
{
	rt_printf("BXO done\n");
	for (const char *s = "Shutdown"; *s; s++)
		outb(PORT_BOCHS_SHUTDOWN, (uint8_t)*s);
	for (;;)
		__asm__ volatile("cli\n\thlt");
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
