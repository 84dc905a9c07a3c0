/* idx.h - the IDX format of MNIST and Fashion-MNIST, read from bytes in memory.
 *
 * An IDX file is: two zero bytes, a type byte (0x08 = unsigned byte), a dimension count,
 * then each dimension as a big-endian uint32, then the elements. Only unsigned bytes occur
 * in these datasets, so only they are accepted. Every field is checked; the reader never
 * reads past len and rejects trailing bytes. */
#ifndef IO_IDX_H
#define IO_IDX_H

#include <stddef.h>
#include <stdint.h>

enum { IDX_MAX_DIMS = 4 };

typedef struct {
  int ndim;
  uint32_t dims[IDX_MAX_DIMS];
  size_t count;         /* elements: the product of dims */
  const uint8_t *data;  /* points into the buffer given to idx_parse */
} idx_view;

/* 0 on success; -1 with a one-line reason in err (errlen bytes) otherwise. */
int idx_parse(idx_view *v, const uint8_t *buf, size_t len, char *err, size_t errlen);

/* A labelled image set: images [n, rows, cols] and labels [n] in 0..classes-1.
 * 0, or -1 with the reason in err (which file, what is wrong). */
typedef struct {
  int n, rows, cols;
  const uint8_t *images, *labels;
} idx_dataset;

int idx_dataset_parse(idx_dataset *d, const uint8_t *images, size_t images_len,
                      const uint8_t *labels, size_t labels_len, int classes, char *err,
                      size_t errlen);

#endif
