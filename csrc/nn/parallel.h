/* parallel.h - a pool of threads created once, for splitting the GEMMs over outputs.
 *
 *   par_init(4);                  // 3 workers beside the calling thread, started once
 *   par_run(fn, ctx);             // fn(ctx, t, T) for t = 0..T-1, t = 0 on the caller;
 *                                 // returns when all T have returned
 *   par_set_threads(2);           // use fewer (never more than par_init started)
 *
 * T is the thread count in use (par_threads()). Work split by par_run must give each
 * thread its own outputs and never share a reduction between threads, so results are the
 * same bytes for every T (sgemm.c splits C into row or column ranges).
 *
 * Built with threads when compiled with -pthread and GP_THREADS defined (the native build
 * and Emscripten's -pthread build both set it); otherwise par_init accepts only 1 and
 * par_run calls fn(ctx, 0, 1): the single-threaded build runs the very same splits' code.
 * Workers spin briefly for the next job (a training step issues one GEMM after another),
 * then sleep on a condition variable, so an idle page costs no CPU; the caller likewise
 * spins briefly for the workers to finish, then sleeps, so threads that outnumber the free
 * cores slow down instead of spinning through each other's time. */
#ifndef NN_PARALLEL_H
#define NN_PARALLEL_H

enum { PAR_MAX_THREADS = 64 };

typedef void par_fn(void *ctx, int t, int T);

/* Starts threads - 1 workers (once: a later call may not ask for more than the first
 * started) and sets the count in use. Returns 0, or -1 when threads is out of 1..64 or
 * above what this build or the first call allows, or when a thread cannot be started
 * (nothing changes then). */
int par_init(int threads);
/* The most threads par_set_threads accepts: what par_init started (1 before it). */
int par_capacity(void);
/* Sets the count in use, 1..par_capacity(); returns 0 or -1 (unchanged). */
int par_set_threads(int threads);
int par_threads(void);
/* 1 when this build has threads at all. */
int par_supported(void);

void par_run(par_fn *fn, void *ctx);

/* fn(ctx, lo, hi) over [0, n) cut into par_threads() contiguous runs, each starting at a
 * multiple of align; one call on the caller when n < min_n (too little to share). For
 * elementwise work and per-channel reductions (each channel whole in one run). */
typedef void par_range_fn(void *ctx, int lo, int hi);
void par_range(par_range_fn *fn, void *ctx, int n, int align, int min_n);
/* Thread t of T's run of [0, n) in par_range's cut: [*lo, *hi), empty when *lo >= *hi. */
void par_share(int n, int align, int t, int T, int *lo, int *hi);

#endif
