/* parallel.c - see parallel.h. One job at a time: the caller publishes (fn, ctx, T) under
 * the mutex and bumps a generation counter; each worker runs its share when it sees a new
 * generation and counts itself done; the caller runs share 0 and waits for the count. */
#include "parallel.h"

#if defined(GP_THREADS)
#include <pthread.h>
#include <stdatomic.h>
#endif

static int in_use = 1, started = 1;

int par_capacity(void) { return started; }
int par_threads(void) { return in_use; }

int par_set_threads(int threads) {
  if (threads < 1 || threads > started) return -1;
  in_use = threads;
  return 0;
}

typedef struct {
  par_range_fn *fn;
  void *ctx;
  int n, align;
} range_job;

void par_share(int n, int align, int t, int T, int *lo, int *hi) {
  const int units = (n + align - 1) / align;
  *lo = (int)((long long)units * t / T) * align;
  *hi = (int)((long long)units * (t + 1) / T) * align;
  if (*hi > n) *hi = n;
}

static void range_share(void *ctx, int t, int T) {
  const range_job *r = ctx;
  int lo, hi;
  par_share(r->n, r->align, t, T, &lo, &hi);
  if (lo < hi) r->fn(r->ctx, lo, hi);
}

void par_range(par_range_fn *fn, void *ctx, int n, int align, int min_n) {
  if (n <= 0) return;
  if (in_use == 1 || n < min_n) {
    fn(ctx, 0, n);
    return;
  }
  range_job r = {fn, ctx, n, align};
  par_run(range_share, &r);
}

#if !defined(GP_THREADS)

int par_supported(void) { return 0; }

int par_init(int threads) { return threads == 1 ? 0 : -1; }

void par_run(par_fn *fn, void *ctx) { fn(ctx, 0, 1); }

#else

int par_supported(void) { return 1; }

/* Spins before sleeping, on both sides: long enough to bridge the short serial work
 * between two jobs of a step, short enough that a paused page goes quiet at once and that
 * threads outnumbering the cores (other processes, a class's shared machine) hand their
 * core over instead of spinning through their time slice. */
enum { SPIN = 1 << 14 };

static struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;    /* a new job, for sleeping workers */
  pthread_cond_t done;    /* the last worker finished, for a sleeping caller */
  atomic_uint generation; /* bumped once per job */
  atomic_int pending;     /* workers still to finish the current job */
  par_fn *fn;             /* the job: written before the bump, read after it */
  void *ctx;
  int T;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, NULL, NULL, 1};

static void *worker(void *arg) {
  const int t = (int)(long)arg;
  unsigned seen = 0;
  for (;;) {
    unsigned g;
    int spins = 0;
    while ((g = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen &&
           ++spins < SPIN) {
    }
    if (g == seen) {
      pthread_mutex_lock(&pool.lock);
      while ((g = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
      pthread_mutex_unlock(&pool.lock);
    }
    seen = g; /* the acquire above makes the job's fields, written before the bump, visible */
    if (t < pool.T) pool.fn(pool.ctx, t, pool.T);
    if (atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&pool.lock); /* the caller checks pending under it before sleeping */
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.lock);
    }
  }
  return NULL;
}

int par_init(int threads) {
  if (threads < 1 || threads > PAR_MAX_THREADS) return -1;
  if (threads <= started) return par_set_threads(threads);
  if (started > 1) return -1; /* the pool is started once */
  pthread_attr_t attr;
  if (pthread_attr_init(&attr)) return -1;
  /* the im2col packers keep a few KB of pixel state on the stack */
  pthread_attr_setstacksize(&attr, 256 * 1024);
  int ok = 1;
  for (int t = 1; t < threads && ok; t++) {
    pthread_t id;
    ok = pthread_create(&id, &attr, worker, (void *)(long)t) == 0;
    if (ok) pthread_detach(id), started = t + 1;
  }
  pthread_attr_destroy(&attr);
  /* workers that did start stay idle and count as capacity; the request still fails */
  if (!ok) return -1;
  in_use = threads;
  return 0;
}

void par_run(par_fn *fn, void *ctx) {
  const int T = in_use;
  if (T == 1) {
    fn(ctx, 0, 1);
    return;
  }
  pthread_mutex_lock(&pool.lock);
  pool.fn = fn, pool.ctx = ctx, pool.T = T;
  atomic_store_explicit(&pool.pending, started - 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  fn(ctx, 0, T);
  for (int spins = 0; atomic_load_explicit(&pool.pending, memory_order_acquire) > 0;) {
    if (++spins < SPIN) continue;
    pthread_mutex_lock(&pool.lock);
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0)
      pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
  }
}

#endif
