/* nn.h - the generic neural-network core of gan-playground (nothing GAN-specific).
 *
 * A tiny tutorial.
 *   Tensors are plain float arrays, float32, NHWC and batch-major: element (n, h, w, c) of
 *   a [N, H, W, C] tensor is x[((n * H + h) * W + w) * C + c]. Dimension letters used in
 *   every comment: N batch, H W height and width, C channels (OC output channels),
 *   K kernel size, S stride, P padding, M N K also name GEMM sizes where noted.
 *
 *   Each layer is a pair of free functions, x_forward / x_backward, outputs first, then
 *   inputs, then sizes. Forward overwrites its outputs. Backward ACCUMULATES (+=) into
 *   every gradient buffer, so gradients flowing from two branches add up; clear them
 *   with nn_zero before a step.
 *
 *   The heavy work is one GEMM family (sgemm.h) plus im2col/col2im (im2col.h):
 *   conv2d forward, backward-data and backward-weights are three GEMMs, and a transposed
 *   convolution is the same three GEMMs in another order (conv_transpose2d.h).
 *
 *   Every fast kernel has a plain scalar reference beside it (suffix _ref), kept as the
 *   algorithmic definition; tests compare the two.
 *
 *   Memory: one arena per model (arena.h), sized once; kernels never allocate.
 *   Randomness: one explicitly seeded PCG32 stream (rng.h).
 */
#ifndef NN_H
#define NN_H

#include "arena.h"
#include "rng.h"
#include "sgemm.h"
#include "im2col.h"
#include "conv2d.h"
#include "conv_transpose2d.h"
#include "resize_conv2d.h"
#include "dense.h"
#include "batchnorm.h"
#include "activations.h"
#include "loss.h"
#include "optim.h"

#endif
