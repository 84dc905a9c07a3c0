/* arena.c - bump allocator over one calloc'd block. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ALIGN = ARENA_ALIGN };

size_t arena_bytes(size_t n) { return (n * sizeof(float) + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

int arena_init(arena *a, size_t bytes) {
  a->base = NULL;
  a->cap = a->used = 0;
  if (bytes == 0 || bytes > SIZE_MAX - ALIGN) return -1;
  a->base = calloc(1, bytes + ALIGN);
  if (!a->base) return -1;
  a->cap = bytes + ALIGN;
  /* start on an aligned address so every carve is aligned */
  a->used = (size_t)(-(uintptr_t)a->base & (ALIGN - 1));
  return 0;
}

void arena_free(arena *a) {
  free(a->base);
  a->base = NULL;
  a->cap = a->used = 0;
}

float *arena_floats(arena *a, size_t n) {
  if (n == 0 || !a->base || n > (SIZE_MAX - ALIGN) / sizeof(float)) return NULL;
  size_t bytes = arena_bytes(n);
  if (bytes > a->cap - a->used) return NULL;
  float *p = (float *)(a->base + a->used);
  a->used += bytes;
  return p;
}

size_t arena_left(const arena *a) { return a->cap - a->used; }
