/*
 * The device-tree-to-struct-platform parser behind platform_init_from_fdt(),
 * exposed so the self tests can run it on their own blobs without touching
 * the live `platform`.
 */
#ifndef CALF_PLATFORM_INTERNAL_H
#define CALF_PLATFORM_INTERNAL_H

#include <fdt.h>
#include <platform.h>

/*
 * Validates the blob (at most maxsize bytes) and fills *out from it. Returns
 * 0, or a negative FDT_ERR_* code with the reason in *diag (diag->what names
 * the node being read when the blob is well formed but lacks something the
 * kernel needs: memory, cpus, timebase). *out is cleared first.
 */
int platform_parse(const void *blob, size_t maxsize, struct platform *out,
		   struct fdt_diag *diag);

/* Prints the description p (platform_print() prints the live one). */
void platform_print_desc(const struct platform *p);

/* Device trees for the self tests (kernel/platform_test.c), compiled from
 * tests/dts/ and embedded by kernel/meson.build. */
extern const u8 dtb_vf2[], dtb_virt[], dtb_icicle[];
extern const u32 dtb_vf2_size, dtb_virt_size, dtb_icicle_size;

#endif
