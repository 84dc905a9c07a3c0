/* api.h - the flat C ABI that JavaScript (web/gan.js) calls: plain numbers, pointers into
 * the wasm heap, and small integer handles. The only file pair that knows about JS.
 *
 * Every entry point validates its arguments and returns a status (0 or a negative
 * GP_ERR_* code; gp_strerror names it, gp_last_error gives this call's own reason)
 * instead of crashing: null pointers, zero or
 * negative sizes, size products that overflow, impossible shapes, and buffers too small
 * for the sizes given. Buffers must come from gp_alloc or an arena made by
 * gp_arena_create: the API knows their extents and refuses any access past their end.
 *
 * impl selects the implementation: GP_FAST (SIMD kernels) or GP_REF (scalar references),
 * so tests and benchmarks reach both through the same door. */
#ifndef GP_API_H
#define GP_API_H

#include <stdint.h>

enum {
  GP_OK = 0,
  GP_ERR_NULL = -1,     /* a required pointer or handle is null */
  GP_ERR_SIZE = -2,     /* a size is zero, negative or out of range */
  GP_ERR_OVERFLOW = -3, /* sizes whose product does not fit in memory */
  GP_ERR_SHAPE = -4,    /* an impossible geometry (kernel larger than padded input, ...) */
  GP_ERR_BOUNDS = -5,   /* a buffer is not a live allocation or is too small */
  GP_ERR_NOMEM = -6,    /* out of memory */
  GP_ERR_HANDLE = -7,   /* a handle that is not live */
  GP_ERR_ARG = -8,      /* an option out of its set (impl, activation kind, ...) */
  GP_ERR_NONFINITE = -9 /* training stopped: updates kept coming out non-finite */
};
enum { GP_FAST = 0, GP_REF = 1 };
enum { GP_RELU = 0, GP_LEAKY_RELU = 1, GP_TANH = 2, GP_SIGMOID = 3 };

const char *gp_strerror(int status);
int gp_version(void);
/* The training schema as JSON, built once from the core's tables: every setting (name,
 * type, default, bounds, live or shaping the model, help), the losses, the statistics a
 * step writes (gp_stats_count floats, in that order), the statuses, the checkpoint
 * version. web/gan.js, web/state.js and the CLI take their keys, bounds and flags from it. */
const char *gp_schema_json(void);
int gp_stats_count(void);

/* Threads: the GEMMs of every pass are split over this many (1..64), with the same bytes
 * for any count. The first count above 1 starts the pool; later calls may use fewer, not
 * more. The single-threaded build accepts only 1; under Emscripten the pool's Workers must
 * have been created when the module loaded (Module.poolSize, web/gan.js). GP_ERR_ARG
 * names which limit a count broke; the count in use is then unchanged. */
int gp_threads_set(int threads);
int gp_threads(void);
int gp_threads_supported(void); /* 1 in the threaded build */

/* memory */
float *gp_alloc(int n_floats); /* zeroed; NULL on bad size or no memory */
int gp_free(float *p);

/* handles: arenas and random streams (> 0 when valid; errors are negative). Every kind
 * of handle is tagged with its slot's generation: a destroyed handle stays dead (it never
 * names the object that reuses the slot), and using or destroying it again is
 * GP_ERR_HANDLE. */
int gp_arena_create(double bytes);
float *gp_arena_floats(int arena, int n_floats);
double gp_arena_left(int arena);
int gp_arena_destroy(int arena);
int gp_rng_create(uint32_t seed_lo, uint32_t seed_hi);
int gp_rng_normal(int rng, float *out, int n, float mean, float std);
int gp_rng_uniform(int rng, float *out, int n, float lo, float hi);
int gp_rng_destroy(int rng);

/* kernels */
int gp_sgemm(int impl, int ta, int tb, int M, int N, int K, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc);
/* conv geometry: output size along one axis, or a negative status */
int gp_conv_out_size(int in, int k, int s, int p);
/* floats of the im2col matrix of a geometry (for gp_im2col / gp_col2im; the conv passes
 * lower implicitly and need no scratch), or a negative status */
int gp_conv_col_floats(int N, int H, int W, int C, int KH, int KW, int S, int P);
int gp_im2col(float *col, const float *x, int N, int H, int W, int C, int KH, int KW, int S, int P);
int gp_col2im(float *dx, const float *col, int N, int H, int W, int C, int KH, int KW, int S, int P);
int gp_conv2d_forward(int impl, float *y, const float *x, const float *w,
                      const float *b, int N, int H, int W, int C, int OC, int KH, int KW, int S, int P);
int gp_conv2d_backward_data(int impl, float *dx, const float *dy, const float *w,
                            int N, int H, int W, int C, int OC, int KH, int KW, int S, int P);
int gp_conv2d_backward_weights(int impl, float *dw, const float *dy, const float *x,
                               int N, int H, int W, int C, int OC, int KH, int KW, int S, int P);
/* Transposed convolution, described by the convolution it transposes (conv_transpose2d.h):
 * y is [N, H, W, C], x is [N, OH, OW, IC]. */
int gp_conv_transpose2d_forward(int impl, float *y, const float *x, const float *w,
                                const float *b, int N, int H, int W, int C, int IC, int KH, int KW, int S, int P);
int gp_conv_transpose2d_backward_data(int impl, float *dx, const float *dy, const float *w,
                                      int N, int H, int W, int C, int IC, int KH, int KW, int S, int P);
int gp_conv_transpose2d_backward_weights(int impl, float *dw, const float *dy,
                                         const float *x, int N, int H, int W, int C, int IC,
                                         int KH, int KW, int S, int P);
int gp_bias_backward(float *db, const float *dy, int rows, int C);
int gp_dense_forward(int impl, float *y, const float *x, const float *w, const float *b, int N, int I, int O);
/* dx, dw, db may each be NULL (that gradient is skipped) */
int gp_dense_backward(int impl, float *dx, float *dw, float *db, const float *dy, const float *x,
                      const float *w, int N, int I, int O);
int gp_batchnorm_forward_train(float *y, float *xhat, float *mean, float *invstd, float *run_mean,
                               float *run_var, const float *x, const float *gamma, const float *beta,
                               int rows, int C, float momentum, float eps);
int gp_batchnorm_forward_infer(float *y, const float *x, const float *gamma, const float *beta,
                               const float *run_mean, const float *run_var, int rows, int C, float eps);
int gp_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy, const float *xhat,
                          const float *gamma, const float *invstd, int rows, int C);
/* kind: GP_RELU, GP_LEAKY_RELU (slope), GP_TANH, GP_SIGMOID. Backward takes x for leaky
 * ReLU and y (the forward's output) for the others. tanh/sigmoid forward have no
 * separate reference (they are scalar libm calls); GP_REF runs the same code. */
int gp_activation_forward(int impl, int kind, float *y, const float *x, int n, float slope);
int gp_activation_backward(int impl, int kind, float *dx, const float *dy, const float *xy, int n, float slope);
/* losses write the mean to *loss */
int gp_bce_with_logits(float *loss, const float *z, const float *t, int n);
int gp_bce_with_logits_backward(float *dz, const float *z, const float *t, int n, float scale);
int gp_mse(float *loss, const float *p, const float *t, int n);
int gp_mse_backward(float *dp, const float *p, const float *t, int n, float scale);
int gp_adam_update(float *p, const float *g, float *m, float *v, int n, float lr, float beta1,
                   float beta2, float eps, int t);
int gp_sgd_update(float *p, const float *g, int n, float lr);

/* ---- the GAN engine (api_gan.c) ---- */
/* The reason of the last call's failure; every call that can fail clears it on entry, so
 * after a success it is "". The getters that cannot fail (gp_strerror, gp_version,
 * gp_last_error, gp_last_error_input, gp_png_data, gp_gan_max_bad_steps) leave it. */
const char *gp_last_error(void);
/* Which input the last failure is about, where a call takes several files: for
 * gp_dataset_create / gp_negatives_create 1 the images, 2 the labels; else 0. */
int gp_last_error_input(void);
uint8_t *gp_alloc_bytes(int n);
int gp_free_bytes(uint8_t *p);
int gp_dataset_create(const uint8_t *images, int images_len, const uint8_t *labels, int labels_len);
/* a mode meter's negatives: like a dataset, but every label must be 10 ("not a digit") */
int gp_negatives_create(const uint8_t *images, int images_len, const uint8_t *labels, int labels_len);
int gp_dataset_count(int dataset);
int gp_dataset_destroy(int dataset);
int gp_config_create(void);
int gp_config_set(int config, const char *name, double value);
int gp_config_check(int config);
double gp_config_get(int config, const char *name); /* NaN for an unknown name */
int gp_config_preset(int config, const char *name);
int gp_preset_count(void);
const char *gp_preset_text(int i, int what); /* 0 name, 1 lesson (en), 2 lesson (fr) */
int gp_config_destroy(int config);
int gp_gan_create(int config);
int gp_gan_destroy(int gan);
int gp_gan_train_step(int gan, int dataset, float *stats);
int gp_gan_step_d(int gan, int dataset, float *stats);
int gp_gan_step_g(int gan, float *stats);
int gp_gan_max_bad_steps(void); /* non-finite updates in a row before GP_ERR_NONFINITE */
int gp_gan_retune(int gan, int config); /* live settings; refuses a change of shape */
int gp_gan_latent(int gan);
int gp_gan_iterations(int gan); /* completed training iterations */
/* a model's configuration value by setting name; NaN for an unknown name or handle */
double gp_gan_config_get(int gan, const char *name);
int gp_gan_generate(int gan, const float *z, int n, float *out);
/* D's raw score (logit; the critic's score for WGAN) of n images [n, 28, 28] in [-1, 1] into
 * scores [n], in inference (gan_discriminate): the training state is left as it was */
int gp_gan_discriminate(int gan, const float *images, int n, float *scores);
int gp_gan_checkpoint_size(int gan);
int gp_gan_checkpoint_write(int gan, uint8_t *dst, int len);
int gp_gan_checkpoint_read(const uint8_t *src, int len);
int gp_png_grid(const float *images, int n, int cols, int scale);
int gp_png_gray(const uint8_t *pixels, int w, int h); /* a grey picture, w x h bytes */
const uint8_t *gp_png_data(void);
int gp_to_bytes(const float *x, int n, uint8_t *out);
/* the mode meter (gan/meter.h) */
enum { GP_METER_FLOATS = 28, GP_METER_RULE = 6, GP_METER_FEATURES = 3136 };
int gp_meter_create(uint32_t seed);
int gp_meter_destroy(int meter);
int gp_meter_train_epoch(int meter, int dataset, int negatives, float lr, float *loss);
int gp_meter_accuracy(int meter, int dataset, float *accuracy);
int gp_meter_read(int meter, const float *images, int n, float *out);
/* the penultimate activations, GP_METER_FEATURES (7x7x64) floats an image, n in 1..10000 */
int gp_meter_features(int meter, const float *images, int n, float *out);
int gp_meter_tally(const float *probs, int n, float *out);
int gp_meter_rule(float *out);
int gp_meter_size(int meter);
int gp_meter_save(int meter, uint8_t *dst, int len);
int gp_meter_load(int meter, const uint8_t *src, int len);
/* gp_meter_load's checks alone, with no meter: nothing is allocated */
int gp_meter_check(const uint8_t *src, int len);

#endif
