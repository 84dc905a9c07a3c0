/* idx.c - bounds-checked IDX parsing. */
#include "idx.h"

#include "errmsg.h"

#include <stdio.h>

int idx_parse(idx_view *v, const uint8_t *buf, size_t len, char *err, size_t errlen) {
  if (!buf || len == 0) return errmsg(err, errlen, "the file is empty");
  if (len < 4) return errmsg(err, errlen, "too short to be an IDX file (%zu bytes)", len);
  if (buf[0] != 0 || buf[1] != 0)
    return errmsg(err, errlen, "not an IDX file (bad magic %02x %02x)", buf[0], buf[1]);
  if (buf[2] != 0x08)
    return errmsg(err, errlen, "IDX element type 0x%02x is not supported (only unsigned bytes, 0x08)", buf[2]);
  const int ndim = buf[3];
  if (ndim < 1 || ndim > IDX_MAX_DIMS)
    return errmsg(err, errlen, "IDX file with %d dimensions (1 to %d supported)", ndim, IDX_MAX_DIMS);
  const size_t header = 4 + 4 * (size_t)ndim;
  if (len < header) return errmsg(err, errlen, "IDX header truncated (%zu of %zu bytes)", len, header);
  size_t count = 1;
  for (int i = 0; i < ndim; i++) {
    const uint8_t *p = buf + 4 + 4 * i;
    uint32_t d = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (d == 0) return errmsg(err, errlen, "IDX dimension %d is zero", i);
    if (count > SIZE_MAX / d) return errmsg(err, errlen, "IDX dimensions overflow");
    count *= d;
    v->dims[i] = d;
  }
  if (count > len - header) {
    return errmsg(err, errlen, "IDX data truncated: %zu bytes for %zu elements", len - header, count);
  }
  if (count < len - header) {
    return errmsg(err, errlen, "IDX file has %zu bytes past its %zu elements", len - header - count, count);
  }
  v->ndim = ndim;
  v->count = count;
  v->data = buf + header;
  return 0;
}

int idx_dataset_parse(idx_dataset *d, const uint8_t *images, size_t images_len,
                      const uint8_t *labels, size_t labels_len, int classes, char *err,
                      size_t errlen) {
  idx_view im, lb;
  char why[160];
  if (idx_parse(&im, images, images_len, why, sizeof why)) return errmsg(err, errlen, "images: %s", why);
  if (idx_parse(&lb, labels, labels_len, why, sizeof why)) return errmsg(err, errlen, "labels: %s", why);
  if (im.ndim != 3) return errmsg(err, errlen, "images: %d dimensions, expected 3 (n, rows, cols)", im.ndim);
  if (lb.ndim != 1) return errmsg(err, errlen, "labels: %d dimensions, expected 1", lb.ndim);
  if (im.dims[0] != lb.dims[0])
    return errmsg(err, errlen, "%u images but %u labels", im.dims[0], lb.dims[0]);
  if (im.dims[0] > 0x7fffffff || im.dims[1] > 4096 || im.dims[2] > 4096)
    return errmsg(err, errlen, "images: implausible size %ux%ux%u", im.dims[0], im.dims[1], im.dims[2]);
  for (size_t i = 0; i < lb.count; i++)
    if (lb.data[i] >= classes)
      return errmsg(err, errlen, "labels: label %d at index %zu is not a class 0..%d", lb.data[i], i, classes - 1);
  d->n = (int)im.dims[0];
  d->rows = (int)im.dims[1];
  d->cols = (int)im.dims[2];
  d->images = im.data;
  d->labels = lb.data;
  return 0;
}
