/*
 * omp_shim.c -- a small stand-in for libomp.so (1.5 MB) covering the part of the OpenMP
 * runtime ABI (__kmpc_*, omp_*) that Codon's `@par` loops call.  Installed as libomp.so
 * (the soname Codon binaries ask for).
 *
 * Why it is small: Codon lowers `@par(num_threads=N) for i in range(...)` to
 *   __kmpc_push_num_threads(N); __kmpc_fork_call(loc, 1, outlined, &args)
 * and the outlined function asks __kmpc_for_static_init_8 (schedule "static", the default)
 * or __kmpc_dispatch_*_8 (schedule "dynamic"/"guided") which iterations are its own.  A
 * Conduit server forks once, at start-up, for its event-loop threads.
 *
 * Threads are started with GC_pthread_create, so the collector knows them from their first
 * instruction (this is what Codon's patched libomp achieves through the
 * __kmpc_set_gc_callbacks hook, which we therefore do not need).  Unlike libomp there is
 * no thread pool: each parallel region starts and joins its threads (~20-50 us a thread),
 * which is nothing for a server's one region but matters for a @par inside a hot tool.
 *
 * Implemented: fork_call (nested regions run with their own team), push_num_threads,
 * global_thread_num, for_static_init_4/8 (+u) and fini, dispatch_init/next/fini_8
 * (dynamic; guided handed out as dynamic chunks), barrier, critical/end_critical (one
 * process-wide recursive lock: correct, if more serial than named locks), master, single,
 * flush, reduce/reduce_nowait (the "critical section" method, return 1), the float/int
 * atomics Codon's reductions reference, and the common omp_* queries.
 * Not implemented (conduit.export.small_runtime refuses binaries that import them): tasks and
 * taskgroups, ordered, task reductions, locks API, cancellation, teams/devices.
 */

#define _GNU_SOURCE
#define GC_THREADS
#include <gc/gc.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_ARGS 32

typedef void (*microtask_t)(int32_t *gtid, int32_t *btid, ...);
typedef struct ident ident_t; /* opaque: only passed through */

/* dynamic-schedule loop state, a ring of slots indexed by each thread's loop count */
#define DYN_SLOTS 8
typedef struct {
  long gen;      /* which loop (1-based) this slot holds now; 0 = free */
  int64_t next;  /* next unclaimed iteration */
  int64_t upper; /* last iteration (inclusive) */
  int64_t chunk;
  int finished;  /* threads done with it */
} dyn_slot;

typedef struct team {
  int n;
  microtask_t fn;
  int argc;
  void *args[MAX_ARGS];
  pthread_barrier_t barrier;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  dyn_slot dyn[DYN_SLOTS];
  long single_gen;
  struct team *parent;
} team_t;

typedef struct {
  team_t *team;
  int tid;
  long dyn_count;    /* dynamic loops this thread has started in this team */
  long single_count; /* single constructs met */
} thread_state;

static __thread thread_state ts_; /* outside any region: team NULL, tid 0 */
static __thread int pushed_threads;
static int default_threads;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t critical_lock;

static void init_once(void) {
  const char *e = getenv("OMP_NUM_THREADS");
  default_threads = e ? atoi(e) : 0;
  if (default_threads <= 0) default_threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (default_threads <= 0) default_threads = 1;
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&critical_lock, &a);
}

static void die(const char *what) {
  fprintf(stderr, "omp_shim: %s\n", what);
  abort();
}

/* Call the outlined body with the team's arguments.  Passing unused trailing arguments is
 * harmless in the x86-64 SysV ABI (the caller owns the stack), so one call covers any argc
 * up to MAX_ARGS. */
static void run_member(team_t *t, int tid) {
  thread_state saved = ts_;
  ts_.team = t;
  ts_.tid = tid;
  ts_.dyn_count = 0;
  ts_.single_count = 0;
  int32_t gtid = tid, btid = tid;
  void **a = t->args;
  t->fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
        a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22],
        a[23], a[24], a[25], a[26], a[27], a[28], a[29], a[30], a[31]);
  ts_ = saved;
}

typedef struct {
  team_t *team;
  int tid;
} start_arg;

static void *thread_main(void *p) {
  start_arg sa = *(start_arg *)p;
  free(p);
  run_member(sa.team, sa.tid);
  return NULL;
}

EXPORT void __kmpc_push_num_threads(ident_t *loc, int32_t gtid, int32_t n) {
  (void)loc; (void)gtid;
  pushed_threads = n;
}

EXPORT void omp_set_num_threads(int n) {
  pthread_once(&once, init_once);
  if (n > 0) default_threads = n;
}

/* A parallel region: n-1 new threads plus this one run microtask, then all are joined. */
EXPORT void __kmpc_fork_call(ident_t *loc, int32_t argc, microtask_t fn, ...) {
  (void)loc;
  pthread_once(&once, init_once);
  if (argc > MAX_ARGS) die("too many arguments to a parallel region");
  int n = pushed_threads > 0 ? pushed_threads : default_threads;
  pushed_threads = 0;
  team_t *t = (team_t *)calloc(1, sizeof *t);
  if (!t) die("out of memory");
  t->n = n;
  t->fn = fn;
  t->argc = argc;
  t->parent = ts_.team;
  va_list ap;
  va_start(ap, fn);
  for (int i = 0; i < argc; i++) t->args[i] = va_arg(ap, void *);
  va_end(ap);
  pthread_barrier_init(&t->barrier, NULL, (unsigned)n);
  pthread_mutex_init(&t->lock, NULL);
  pthread_cond_init(&t->cond, NULL);
  /* The team block lives on malloc; it holds pointers into the parent's stack frame only,
   * which the GC scans anyway, so it needs no root. */
  pthread_t *ids = (pthread_t *)calloc((size_t)n, sizeof *ids);
  if (!ids) die("out of memory");
  for (int i = 1; i < n; i++) {
    start_arg *sa = (start_arg *)malloc(sizeof *sa);
    if (!sa) die("out of memory");
    sa->team = t;
    sa->tid = i;
    if (GC_pthread_create(&ids[i], NULL, thread_main, sa) != 0) die("cannot start a thread");
  }
  run_member(t, 0);
  for (int i = 1; i < n; i++) GC_pthread_join(ids[i], NULL);
  free(ids);
  pthread_barrier_destroy(&t->barrier);
  pthread_mutex_destroy(&t->lock);
  pthread_cond_destroy(&t->cond);
  free(t);
}

EXPORT int32_t __kmpc_global_thread_num(ident_t *loc) { (void)loc; return ts_.tid; }
EXPORT int omp_get_thread_num(void) { return ts_.tid; }
EXPORT int omp_get_num_threads(void) { return ts_.team ? ts_.team->n : 1; }
EXPORT int omp_get_max_threads(void) { pthread_once(&once, init_once); return default_threads; }
EXPORT int omp_get_num_procs(void) { return (int)sysconf(_SC_NPROCESSORS_ONLN); }
EXPORT int omp_in_parallel(void) { return ts_.team && ts_.team->n > 1; }
EXPORT int omp_get_level(void) {
  int l = 0;
  for (team_t *t = ts_.team; t; t = t->parent) l++;
  return l;
}
EXPORT double omp_get_wtime(void) {
  struct timespec s;
  clock_gettime(CLOCK_MONOTONIC, &s);
  return (double)s.tv_sec + (double)s.tv_nsec * 1e-9;
}
EXPORT double omp_get_wtick(void) { return 1e-9; }

/* --- worksharing: static schedules ----------------------------------------------- */

enum { SCH_STATIC_CHUNKED = 33, SCH_STATIC = 34, SCH_ORDERED_STATIC_CHUNKED = 65,
       SCH_ORDERED_STATIC = 66 };

/* [*lower, *upper] (inclusive, step incr) becomes this thread's share.  Unchunked: one
 * contiguous block of ceil(trip/n) iterations; chunked: chunks dealt round robin, *stride
 * being the distance between a thread's chunks. */
#define STATIC_INIT(NAME, T)                                                               \
  EXPORT void NAME(ident_t *loc, int32_t gtid, int32_t sched, int32_t *plast, T *plower,   \
                   T *pupper, T *pstride, T incr, T chunk) {                               \
    (void)loc; (void)gtid;                                                                 \
    int n = ts_.team ? ts_.team->n : 1, tid = ts_.tid;                                     \
    T lo = *plower, hi = *pupper;                                                          \
    if (incr == 0) die("zero loop increment");                                             \
    uint64_t trip = incr > 0 ? (hi < lo ? 0 : (uint64_t)((hi - lo) / incr) + 1)            \
                             : (lo < hi ? 0 : (uint64_t)((lo - hi) / -incr) + 1);          \
    sched &= ~(3 << 29);                                                                   \
    if (trip == 0) { *plast = 0; *pstride = incr; return; }                                \
    if (sched == SCH_STATIC_CHUNKED || sched == SCH_ORDERED_STATIC_CHUNKED) {              \
      if (chunk < 1) chunk = 1;                                                            \
      *plower = lo + (T)((uint64_t)tid * (uint64_t)chunk) * incr;                          \
      *pupper = *plower + (chunk - 1) * incr;                                              \
      *pstride = (T)((uint64_t)chunk * (uint64_t)n) * incr;                                \
      uint64_t last_chunk = (trip - 1) / (uint64_t)chunk;                                  \
      *plast = (int32_t)(last_chunk % (uint64_t)n == (uint64_t)tid);                       \
      return;                                                                              \
    }                                                                                      \
    uint64_t per = (trip + (uint64_t)n - 1) / (uint64_t)n;                                 \
    uint64_t first = per * (uint64_t)tid;                                                  \
    if (first >= trip) {                                                                   \
      *plower = hi + incr; /* empty */                                                     \
      *pupper = hi;                                                                        \
      *plast = 0;                                                                          \
    } else {                                                                               \
      uint64_t lastit = first + per - 1 < trip ? first + per - 1 : trip - 1;               \
      *plower = lo + (T)first * incr;                                                      \
      *pupper = lo + (T)lastit * incr;                                                     \
      *plast = (int32_t)(lastit == trip - 1);                                              \
    }                                                                                      \
    *pstride = (T)trip * incr;                                                             \
  }

STATIC_INIT(__kmpc_for_static_init_8, int64_t)
STATIC_INIT(__kmpc_for_static_init_4, int32_t)
EXPORT void __kmpc_for_static_init_8u(ident_t *l, int32_t g, int32_t s, int32_t *pl,
                                      uint64_t *lo, uint64_t *hi, int64_t *st, int64_t inc,
                                      int64_t ch) {
  __kmpc_for_static_init_8(l, g, s, pl, (int64_t *)lo, (int64_t *)hi, st, inc, ch);
}
EXPORT void __kmpc_for_static_init_4u(ident_t *l, int32_t g, int32_t s, int32_t *pl,
                                      uint32_t *lo, uint32_t *hi, int32_t *st, int32_t inc,
                                      int32_t ch) {
  __kmpc_for_static_init_4(l, g, s, pl, (int32_t *)lo, (int32_t *)hi, st, inc, ch);
}
EXPORT void __kmpc_for_static_fini(ident_t *loc, int32_t gtid) { (void)loc; (void)gtid; }

/* --- worksharing: dynamic schedules ------------------------------------------------ */

static dyn_slot *dyn_current(void) {
  team_t *t = ts_.team;
  return t ? &t->dyn[(ts_.dyn_count - 1) % DYN_SLOTS] : NULL;
}

static int64_t solo_next, solo_upper, solo_chunk; /* outside a region (serial) */

EXPORT void __kmpc_dispatch_init_8(ident_t *loc, int32_t gtid, int32_t sched, int64_t lb,
                                   int64_t ub, int64_t st, int64_t chunk) {
  (void)loc; (void)gtid; (void)sched;
  if (st != 1) die("dynamic schedule with a step other than 1");
  if (chunk < 1) chunk = 1;
  team_t *t = ts_.team;
  if (!t) { solo_next = lb; solo_upper = ub; solo_chunk = chunk; return; }
  long gen = ++ts_.dyn_count;
  dyn_slot *s = &t->dyn[(gen - 1) % DYN_SLOTS];
  pthread_mutex_lock(&t->lock);
  /* a slot is reused DYN_SLOTS loops later, once every thread has left the old loop */
  while (s->gen != 0 && s->gen < gen && s->finished < t->n) pthread_cond_wait(&t->cond, &t->lock);
  if (s->gen < gen) {
    s->gen = gen;
    s->next = lb;
    s->upper = ub;
    s->chunk = chunk;
    s->finished = 0;
  }
  pthread_mutex_unlock(&t->lock);
}

EXPORT int32_t __kmpc_dispatch_next_8(ident_t *loc, int32_t gtid, int32_t *plast,
                                      int64_t *plower, int64_t *pupper, int64_t *pstride) {
  (void)loc; (void)gtid;
  team_t *t = ts_.team;
  if (!t) {
    if (solo_next > solo_upper) return 0;
    *plower = solo_next;
    *pupper = solo_next + solo_chunk - 1 < solo_upper ? solo_next + solo_chunk - 1 : solo_upper;
    solo_next = *pupper + 1;
    *plast = *pupper == solo_upper;
    *pstride = 1;
    return 1;
  }
  dyn_slot *s = dyn_current();
  int64_t first = __atomic_fetch_add(&s->next, s->chunk, __ATOMIC_RELAXED);
  if (first > s->upper) {
    pthread_mutex_lock(&t->lock);
    s->finished++;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return 0;
  }
  int64_t last = first + s->chunk - 1;
  if (last > s->upper) last = s->upper;
  *plower = first;
  *pupper = last;
  *plast = last == s->upper;
  *pstride = 1;
  return 1;
}

EXPORT void __kmpc_dispatch_fini_8(ident_t *loc, int32_t gtid) { (void)loc; (void)gtid; }

/* --- synchronisation ----------------------------------------------------------------- */

EXPORT void __kmpc_barrier(ident_t *loc, int32_t gtid) {
  (void)loc; (void)gtid;
  if (ts_.team && ts_.team->n > 1) pthread_barrier_wait(&ts_.team->barrier);
}

EXPORT void __kmpc_critical(ident_t *loc, int32_t gtid, void *name) {
  (void)loc; (void)gtid; (void)name;
  pthread_once(&once, init_once);
  pthread_mutex_lock(&critical_lock);
}
EXPORT void __kmpc_end_critical(ident_t *loc, int32_t gtid, void *name) {
  (void)loc; (void)gtid; (void)name;
  pthread_mutex_unlock(&critical_lock);
}

EXPORT int32_t __kmpc_master(ident_t *loc, int32_t gtid) { (void)loc; (void)gtid; return ts_.tid == 0; }
EXPORT void __kmpc_end_master(ident_t *loc, int32_t gtid) { (void)loc; (void)gtid; }

/* The first thread to reach its k-th single construct runs it. */
EXPORT int32_t __kmpc_single(ident_t *loc, int32_t gtid) {
  (void)loc; (void)gtid;
  if (!ts_.team) return 1;
  long k = ++ts_.single_count;
  long expect = k - 1;
  return __atomic_compare_exchange_n(&ts_.team->single_gen, &expect, k, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE);
}
EXPORT void __kmpc_end_single(ident_t *loc, int32_t gtid) { (void)loc; (void)gtid; }

EXPORT void __kmpc_flush(ident_t *loc) { (void)loc; __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* Reductions by the critical-section method: every thread gets 1 ("combine your partial
 * result into the shared one now") while holding the lock, released by end_reduce. */
EXPORT int32_t __kmpc_reduce_nowait(ident_t *loc, int32_t gtid, int32_t nvars, size_t size,
                                    void *data, void (*fn)(void *, void *), void *lck) {
  (void)nvars; (void)size; (void)data; (void)fn;
  __kmpc_critical(loc, gtid, lck);
  return 1;
}
EXPORT void __kmpc_end_reduce_nowait(ident_t *loc, int32_t gtid, void *lck) {
  __kmpc_end_critical(loc, gtid, lck);
}
EXPORT int32_t __kmpc_reduce(ident_t *loc, int32_t gtid, int32_t nvars, size_t size,
                             void *data, void (*fn)(void *, void *), void *lck) {
  return __kmpc_reduce_nowait(loc, gtid, nvars, size, data, fn, lck);
}
EXPORT void __kmpc_end_reduce(ident_t *loc, int32_t gtid, void *lck) {
  __kmpc_end_critical(loc, gtid, lck);
  __kmpc_barrier(loc, gtid);
}

/* --- atomics referenced by Codon's reduction code (method 2, never chosen here, but the
 * symbols must resolve) ------------------------------------------------------------------ */

#define ATOMIC_OP(NAME, T, UT, EXPR)                                                      \
  EXPORT void NAME(ident_t *loc, int32_t gtid, T *lhs, T rhs) {                           \
    (void)loc; (void)gtid;                                                                \
    UT old_bits, new_bits;                                                                \
    __atomic_load(( UT *)lhs, &old_bits, __ATOMIC_RELAXED);                               \
    do {                                                                                  \
      T old, nv;                                                                          \
      memcpy(&old, &old_bits, sizeof old);                                                \
      nv = (EXPR);                                                                        \
      memcpy(&new_bits, &nv, sizeof nv);                                                  \
    } while (!__atomic_compare_exchange((UT *)lhs, &old_bits, &new_bits, 0,               \
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));             \
  }

ATOMIC_OP(__kmpc_atomic_float8_add, double, uint64_t, old + rhs)
ATOMIC_OP(__kmpc_atomic_float8_mul, double, uint64_t, old * rhs)
ATOMIC_OP(__kmpc_atomic_float8_max, double, uint64_t, old < rhs ? rhs : old)
ATOMIC_OP(__kmpc_atomic_float8_min, double, uint64_t, rhs < old ? rhs : old)
ATOMIC_OP(__kmpc_atomic_float4_add, float, uint32_t, old + rhs)
ATOMIC_OP(__kmpc_atomic_float4_mul, float, uint32_t, old * rhs)
ATOMIC_OP(__kmpc_atomic_float4_max, float, uint32_t, old < rhs ? rhs : old)
ATOMIC_OP(__kmpc_atomic_float4_min, float, uint32_t, rhs < old ? rhs : old)
ATOMIC_OP(__kmpc_atomic_fixed8_add, int64_t, uint64_t, (int64_t)((uint64_t)old + (uint64_t)rhs))
ATOMIC_OP(__kmpc_atomic_fixed8_mul, int64_t, uint64_t, (int64_t)((uint64_t)old * (uint64_t)rhs))
ATOMIC_OP(__kmpc_atomic_fixed8_max, int64_t, uint64_t, old < rhs ? rhs : old)
ATOMIC_OP(__kmpc_atomic_fixed8_min, int64_t, uint64_t, rhs < old ? rhs : old)
