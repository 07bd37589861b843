/* Times libpng decoding a PNG to 8-bit RGBA (the same output LoraPS makes), best of N runs, one core.
   Built by PngDecodeBenchmark with `cc -O2 libpng_decode.c -lpng`; prints the best time in seconds. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static int decode(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) { fclose(f); return 1; }
    png_init_io(png, f);
    png_read_info(png, info);
    png_set_expand(png);            /* palette, low bit depths and tRNS to RGB(A) */
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    png_uint_32 h = png_get_image_height(png, info);
    size_t stride = png_get_rowbytes(png, info);
    unsigned char *pixels = malloc(stride * h);
    png_bytep *rows = malloc(sizeof(png_bytep) * h);
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + y * stride;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows); free(pixels); fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int runs = atoi(argv[2]);
    double best = 1e9;
    for (int i = 0; i < runs; i++) {
        double t = now();
        if (decode(argv[1])) { fprintf(stderr, "libpng failed on %s\n", argv[1]); return 1; }
        t = now() - t;
        if (t < best) best = t;
    }
    printf("%.6f\n", best);
    return 0;
}
