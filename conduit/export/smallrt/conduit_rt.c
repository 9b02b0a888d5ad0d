/*
 * conduit_rt.c -- a small runtime for Codon-compiled Conduit servers.
 *
 * A Codon 0.19.3 executable imports a few dozen `seq_*` functions from libcodonrt.so, a
 * 45 MB library that also carries OpenBLAS, LAPACK, numpy loops, RE2, zlib, bzip2, fmt,
 * libbacktrace and a static Boehm GC.  A server needs almost none of that.  This file is our
 * own implementation of the part of that ABI a server (and the common parts of Codon's
 * stdlib) can call, built over the system Boehm GC (Debian libgc1).  It is installed under
 * the soname the binary asks for, `libcodonrt.so`, so an unmodified binary loads it.
 *
 * The ABI was learned by reading Codon v0.19.3 (codon/runtime/{lib,exc}.cpp, lib.h,
 * cir/llvm/llvisitor.cpp, stdlib/internal/{c_stubs,format,builtin}.codon); no code is taken
 * from there.  What the compiler bakes into every binary, and what must therefore match:
 *
 *  - Exceptions.  `seq_alloc_exc(type, obj)` returns a pointer to an `_Unwind_Exception`
 *    that sits at offset 32 of a block {int32 type; void *obj; 16 bytes; _Unwind_Exception}.
 *    Generated landing pads read `type` and `obj` at (unwind ptr - 32): the compiler
 *    evaluated seq_exc_offset() == -32 when it was built, so this layout is fixed.  The
 *    exception class is "\0seq\0jbo" (0x6f626a0073657100).  Catch clauses are type-info
 *    globals holding one int32 (0 = catch-all); the generated code, not the personality,
 *    picks the handler by switching on `type`, so the personality only has to say "this
 *    frame has a landing pad for it" and jump there.
 *  - `obj` points at a Codon BaseException: {str typename, message, func, file; int line,
 *    col; cobj python_type; cause}; SystemExit adds `int status` right after it.
 *  - Strings are {int64 len; char *ptr} passed and returned by value (two registers).
 *  - Format specs reach seq_str_* already translated from Python's mini-language to
 *    fmtlib's ({:SPEC}); the stock runtime hands them to fmt 11.1 with the en_US.UTF-8
 *    locale.  We implement that grammar ourselves (with ',' grouping for 'L'), so formats
 *    work on a machine without that locale.
 *  - OpenMP threads: Codon's libomp has a hook, __kmpc_set_gc_callbacks, through which
 *    seq_init hands it the GC's thread-registration and root functions; every @par worker
 *    then registers itself with the collector.  We call it when libomp is loaded (weak).
 *
 * Exported functions (who calls them -> what they do):
 *   seq_init                    every main()  -> start the GC, allow thread registration,
 *                                                hook libomp's threads into the GC
 *   seq_alloc / _atomic         compiler      -> GC_malloc / GC_malloc_atomic (no pointers)
 *   seq_alloc_uncollectable,
 *   seq_alloc_atomic_uncollectable            -> GC memory that is never reclaimed (roots)
 *   seq_realloc, seq_free       compiler      -> GC_realloc, GC_free
 *   seq_register_finalizer      __del__       -> GC_register_finalizer
 *   seq_gc_add/remove/clear_roots, seq_gc_exclude_static_roots   gc module -> GC_* roots
 *   seq_alloc_exc               `raise`       -> wrap the object for the unwinder (+stack
 *                                                in debug builds)
 *   seq_throw                   `raise`       -> _Unwind_RaiseException; uncaught -> terminate
 *   seq_personality             every frame with try/finally/with -> find landing pads
 *   seq_terminate               uncaught exception -> message + abort, SystemExit -> exit
 *   seq_exc_offset              ABI query (the compiler's copy says -32)
 *   seq_str_int/_uint/_float/_str/_ptr   str(), f-strings, format() -> text (fmt grammar)
 *   seq_int_from_str, seq_float_from_str  int(s, base), float(s)
 *   seq_strdup, seq_check_errno           C string -> str; strerror(errno) for OSError
 *   seq_print, seq_print_full, seq_stdin/stdout/stderr   print(), sys.std*
 *   seq_pid, seq_time, seq_time_monotonic, seq_time_highres, seq_sleep   os/time
 *   seq_localtime, seq_gmtime, seq_mktime  time/datetime (struct tm <-> Codon's layout)
 *   seq_env                     os.environ    -> environ
 *   seq_lock_*, seq_rlock_*     threading.Lock/RLock -> pthread mutexes (timed acquire)
 *   seq_flags                   variable: the flags main() passed (debug, standalone...)
 * The `re` module's seq_re_* functions are in conduit_re.cc (a separate library, so that
 * servers without `re` do not carry RE2 and libstdc++).
 */

#define _GNU_SOURCE
#define GC_THREADS
#include <gc/gc.h>

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>

#define EXPORT __attribute__((visibility("default")))

typedef int64_t seq_int_t;
typedef struct {
  seq_int_t len;
  char *str;
} seq_str_t;

#define SEQ_FLAG_DEBUG (1 << 0)
#define SEQ_FLAG_CAPTURE_OUTPUT (1 << 1)
#define SEQ_FLAG_STANDALONE (1 << 2)

EXPORT int seq_flags;

/* ------------------------------------------------------------------------------------ */
/* Start-up                                                                              */
/* ------------------------------------------------------------------------------------ */

/* Codon's patched libomp: called once so that each OpenMP worker registers with the GC. */
typedef int (*rt_stack_fn)(struct GC_stack_base *);
typedef void (*rt_roots_fn)(void *, void *);
extern void __kmpc_set_gc_callbacks(rt_stack_fn get_stack_base, rt_stack_fn register_thread,
                                    rt_roots_fn add_roots, rt_roots_fn del_roots)
    __attribute__((weak));

static int rt_register_thread(struct GC_stack_base *sb) { return GC_register_my_thread(sb); }

/* seq_init(flags): first call of every Codon main().  Starts the collector (the main
 * thread is registered by GC_init), lets other threads register themselves, silences GC
 * warnings (as the stock runtime does), and wires libomp's thread start-up to the GC. */
EXPORT void seq_init(int flags) {
  GC_init();
  GC_set_warn_proc(GC_ignore_warn_proc);
  GC_allow_register_threads();
  if (__kmpc_set_gc_callbacks)
    __kmpc_set_gc_callbacks(GC_get_stack_base, rt_register_thread, GC_add_roots,
                            GC_remove_roots);
  seq_flags = flags;
}

/* ------------------------------------------------------------------------------------ */
/* Memory: thin wrappers over the collector.  The compiler emits calls to all of these   */
/* (alloc/alloc_atomic for every object and buffer, realloc for list/str growth).        */
/* ------------------------------------------------------------------------------------ */

/* Our own buffers (formatting and parsing): nothing could handle NULL there. */
static void rt_oom(size_t n) {
  fprintf(stderr, "conduit_rt: out of memory (%zu bytes)\n", n);
  abort();
}

/* The compiler-facing allocators return what the collector returns, NULL included, as the
 * stock runtime does: the stdlib relies on it.  `open(directory).read()` asks for LONG_MAX
 * bytes (ftell at the end of a directory), gets NULL, and fread's failure then raises
 * IOError; aborting here would kill the server instead. */

/* Scanned memory (objects that hold pointers). */
EXPORT void *seq_alloc(size_t n) { return GC_malloc(n); }

/* Memory the collector does not scan (string bytes, int/float arrays). */
EXPORT void *seq_alloc_atomic(size_t n) { return GC_malloc_atomic(n); }

EXPORT void *seq_alloc_uncollectable(size_t n) { return GC_malloc_uncollectable(n); }

EXPORT void *seq_alloc_atomic_uncollectable(size_t n) {
  return GC_malloc_atomic_uncollectable(n);
}

/* (ptr, new size, old size): the old size is only a hint; the GC knows it. */
EXPORT void *seq_realloc(void *p, size_t newsize, size_t oldsize) {
  (void)oldsize;
  return GC_realloc(p, newsize);
}

/* Explicit free of GC memory (the compiler frees a few temporaries it proved dead). */
EXPORT void seq_free(void *p) { GC_free(p); }

/* __del__ support: call f(obj, NULL) once obj is unreachable. */
EXPORT void seq_register_finalizer(void *p, void (*f)(void *obj, void *data)) {
  GC_register_finalizer(p, f, NULL, NULL, NULL);
}

/* Extra root ranges (the stdlib's gc module and C interop). */
EXPORT void seq_gc_add_roots(void *start, void *end) { GC_add_roots(start, end); }
EXPORT void seq_gc_remove_roots(void *start, void *end) { GC_remove_roots(start, end); }
EXPORT void seq_gc_clear_roots(void) { GC_clear_roots(); }
EXPORT void seq_gc_exclude_static_roots(void *start, void *end) {
  GC_exclude_static_roots(start, end);
}

/* ------------------------------------------------------------------------------------ */
/* Exceptions                                                                            */
/* ------------------------------------------------------------------------------------ */

#define SEQ_EXCEPTION_CLASS 0x6f626a0073657100ULL

/* The block seq_alloc_exc hands out; `ue` must stay at offset 32 (see the top). */
typedef struct {
  int32_t type;     /* Codon type index of the thrown class (>= 1000) */
  void *obj;        /* the BaseException object */
  void *bt_frames;  /* backtrace slot of the stock runtime (debug builds); unused here */
  size_t bt_count;
  struct _Unwind_Exception ue;
} rt_exc_t;

_Static_assert(__builtin_offsetof(rt_exc_t, ue) == 32, "exception layout baked into binaries");

/* The head of every Codon exception object. */
typedef struct {
  seq_str_t type, msg, func, file;
  seq_int_t line, col;
  void *python_type;
  void *cause;
} rt_exc_header_t;

static inline rt_exc_t *rt_exc_of(void *ue) { return (rt_exc_t *)((char *)ue - 32); }

/* Offset from the _Unwind_Exception back to the block start (the compiler used -32). */
EXPORT int64_t seq_exc_offset(void) { return -32; }

static void rt_exc_cleanup(_Unwind_Reason_Code reason, struct _Unwind_Exception *ue) {
  (void)reason;
  (void)ue; /* garbage collected */
}

/* --- debug builds: the stack at the raise, printed if nobody catches it ------------- */

#define BT_LIMIT 20
typedef struct {
  uintptr_t pc[BT_LIMIT];
  size_t n;
  int skip;
} rt_bt_t;

static _Unwind_Reason_Code bt_step(struct _Unwind_Context *ctx, void *arg) {
  rt_bt_t *bt = (rt_bt_t *)arg;
  if (bt->skip > 0) { bt->skip--; return _URC_NO_REASON; }
  if (bt->n >= BT_LIMIT) return _URC_END_OF_STACK;
  int before = 0;
  uintptr_t pc = _Unwind_GetIPInfo(ctx, &before);
  if (!pc) return _URC_END_OF_STACK;
  bt->pc[bt->n++] = before ? pc : pc - 1;
  return _URC_NO_REASON;
}

/* Function names: the executable's own .symtab (Codon binaries are not stripped and export
 * nothing), else the dynamic symbols dladdr knows.  No file:line (the stock runtime uses
 * libbacktrace and DWARF for that): `addr2line -f -e BINARY ADDR` gives it. */
static const char *exe_symbol(uintptr_t pc) {
  static int loaded;
  static const Elf64_Sym *syms;
  static size_t nsyms;
  static const char *strs;
  static uintptr_t bias;
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  if (!loaded) {
    loaded = 1;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0) {
      const uint8_t *img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (img != MAP_FAILED) {
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
        const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
        for (int i = 0; i < eh->e_shnum; i++)
          if (sh[i].sh_type == SHT_SYMTAB) {
            syms = (const Elf64_Sym *)(img + sh[i].sh_offset);
            nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
            strs = (const char *)(img + sh[sh[i].sh_link].sh_offset);
          }
        if (eh->e_type == ET_DYN) bias = (uintptr_t)_r_debug.r_map->l_addr;
      }
    }
    if (fd >= 0) close(fd);
  }
  pthread_mutex_unlock(&m);
  for (size_t i = 0; i < nsyms; i++) {
    const Elf64_Sym *y = &syms[i];
    if (ELF64_ST_TYPE(y->st_info) != STT_FUNC || !y->st_size) continue;
    uintptr_t lo = y->st_value + bias;
    if (pc >= lo && pc < lo + y->st_size) return strs + y->st_name;
  }
  Dl_info di;
  if (dladdr((void *)pc, &di) && di.dli_sname) return di.dli_sname;
  return NULL;
}

/* `raise X`: wrap the exception object for the unwinder.  In debug builds also record the
 * return addresses (in GC memory, pointed to by the slot the stock runtime uses for it). */
EXPORT void *seq_alloc_exc(int type, void *obj) {
  rt_exc_t *e = (rt_exc_t *)seq_alloc(sizeof(rt_exc_t));
  memset(e, 0, sizeof *e);
  e->type = type;
  e->obj = obj;
  e->ue.exception_class = SEQ_EXCEPTION_CLASS;
  e->ue.exception_cleanup = rt_exc_cleanup;
  if (seq_flags & SEQ_FLAG_DEBUG) {
    rt_bt_t *bt = (rt_bt_t *)seq_alloc_atomic(sizeof *bt);
    bt->n = 0;
    bt->skip = 1; /* this function */
    _Unwind_Backtrace(bt_step, bt);
    e->bt_frames = bt;
    e->bt_count = bt->n;
  }
  return &e->ue;
}

/* An exception nobody caught: SystemExit exits with its status; anything else prints the
 * stock runtime's message (same text and colours) on stderr and aborts. */
EXPORT __attribute__((noreturn)) void seq_terminate(void *ue) {
  rt_exc_header_t *h = (rt_exc_header_t *)rt_exc_of(ue)->obj;
  if (h->type.len == 10 && memcmp(h->type.str, "SystemExit", 10) == 0)
    exit((int)*(seq_int_t *)(h + 1));

  const char *t = h->type.str;
  seq_int_t tn = h->type.len;
  for (seq_int_t i = tn - 1; i >= 0; i--)
    if (t[i] == '.') {
      t += i + 1;
      tn -= i + 1;
      break;
    }
  FILE *f = stderr;
  fputs("\033[1m", f);
  fwrite(t, 1, (size_t)tn, f);
  if (h->msg.len > 0) {
    fputs(": \033[0m", f);
    fwrite(h->msg.str, 1, (size_t)h->msg.len, f);
  } else {
    fputs("\033[0m", f);
  }
  fputs("\n\n\033[1mRaised from:\033[0m \033[32m", f);
  fwrite(h->func.str, 1, (size_t)h->func.len, f);
  fputs("\033[0m\n", f);
  fwrite(h->file.str, 1, (size_t)h->file.len, f);
  if (h->line > 0) {
    fprintf(f, ":%lld", (long long)h->line);
    if (h->col > 0) fprintf(f, ":%lld", (long long)h->col);
  }
  fputs("\n", f);
  rt_bt_t *bt = (rt_bt_t *)rt_exc_of(ue)->bt_frames;
  if ((seq_flags & SEQ_FLAG_DEBUG) && bt && bt->n) {
    fputs("\n\033[1mBacktrace:\033[0m\n", f);
    for (size_t i = 0; i < bt->n; i++) {
      const char *name = exe_symbol(bt->pc[i]);
      fprintf(f, "  [\033[33m0x%lx\033[0m]", (unsigned long)bt->pc[i]);
      if (name) fprintf(f, " \033[32m%s\033[0m", name);
      fputs("\n", f);
    }
  }
  fflush(f);
  abort();
}

/* `raise` / re-raise: hand the exception to the system unwinder (libgcc_s).  It only comes
 * back when no frame wants it. */
EXPORT __attribute__((noreturn)) void seq_throw(void *ue) {
  _Unwind_RaiseException((struct _Unwind_Exception *)ue);
  seq_terminate(ue);
}

/* --- LSDA reading (the .gcc_except_table format that LLVM emits) -------------------- */

enum {
  PE_absptr = 0x00, PE_uleb128 = 0x01, PE_udata2 = 0x02, PE_udata4 = 0x03,
  PE_udata8 = 0x04, PE_sleb128 = 0x09, PE_sdata2 = 0x0a, PE_sdata4 = 0x0b,
  PE_sdata8 = 0x0c, PE_pcrel = 0x10, PE_datarel = 0x30, PE_indirect = 0x80, PE_omit = 0xff
};

static uint64_t rd_uleb(const uint8_t **pp) {
  const uint8_t *p = *pp;
  uint64_t v = 0;
  unsigned shift = 0;
  uint8_t b;
  do {
    b = *p++;
    if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  *pp = p;
  return v;
}

static int64_t rd_sleb(const uint8_t **pp) {
  const uint8_t *p = *pp;
  uint64_t v = 0;
  unsigned shift = 0;
  uint8_t b;
  do {
    b = *p++;
    if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
  *pp = p;
  return (int64_t)v;
}

static size_t enc_size(uint8_t enc) {
  switch (enc & 0x0f) {
  case PE_absptr: return sizeof(void *);
  case PE_udata2: case PE_sdata2: return 2;
  case PE_udata4: case PE_sdata4: return 4;
  case PE_udata8: case PE_sdata8: return 8;
  default: abort(); /* LEB128 cannot index a type table */
  }
}

static uintptr_t rd_encoded(const uint8_t **pp, uint8_t enc, struct _Unwind_Context *ctx) {
  const uint8_t *start = *pp, *p = *pp;
  uintptr_t v;
  if (enc == PE_omit) return 0;
  switch (enc & 0x0f) {
  case PE_absptr: { uintptr_t x; memcpy(&x, p, sizeof x); p += sizeof x; v = x; break; }
  case PE_uleb128: v = (uintptr_t)rd_uleb(&p); break;
  case PE_sleb128: v = (uintptr_t)rd_sleb(&p); break;
  case PE_udata2: { uint16_t x; memcpy(&x, p, 2); p += 2; v = x; break; }
  case PE_udata4: { uint32_t x; memcpy(&x, p, 4); p += 4; v = x; break; }
  case PE_udata8: { uint64_t x; memcpy(&x, p, 8); p += 8; v = (uintptr_t)x; break; }
  case PE_sdata2: { int16_t x; memcpy(&x, p, 2); p += 2; v = (uintptr_t)(intptr_t)x; break; }
  case PE_sdata4: { int32_t x; memcpy(&x, p, 4); p += 4; v = (uintptr_t)(intptr_t)x; break; }
  case PE_sdata8: { int64_t x; memcpy(&x, p, 8); p += 8; v = (uintptr_t)x; break; }
  default: abort();
  }
  if (v) {
    switch (enc & 0x70) {
    case 0: break;
    case PE_pcrel: v += (uintptr_t)start; break;
    case PE_datarel: v += ctx ? _Unwind_GetDataRelBase(ctx) : 0; break;
    default: abort(); /* textrel/funcrel/aligned: not emitted on x86-64 Linux */
    }
    if (enc & PE_indirect) v = *(uintptr_t *)v;
  }
  *pp = p;
  return v;
}

/* The personality routine named by every Codon function that has landing pads.  Phase 1
 * (search): report a handler if an action of this call site's landing pad is a catch
 * clause for the thrown type or a catch-all.  Phase 2 (cleanup): Codon marks every landing
 * pad as a cleanup too, and its pads decide by themselves (from the type stored in the
 * exception) whether they handle it or pass it on, so we enter any landing pad we meet.
 * Foreign exceptions are never caught, only their cleanups run. */
EXPORT _Unwind_Reason_Code seq_personality(int version, _Unwind_Action actions,
                                           uint64_t exc_class, struct _Unwind_Exception *ue,
                                           struct _Unwind_Context *ctx) {
  if (version != 1 || !ue || !ctx) return _URC_FATAL_PHASE1_ERROR;
  const uint8_t *lsda = (const uint8_t *)_Unwind_GetLanguageSpecificData(ctx);
  if (!lsda) return _URC_CONTINUE_UNWIND;

  int before = 0;
  uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);
  if (!before) ip--;
  uintptr_t func = _Unwind_GetRegionStart(ctx);
  uintptr_t off = ip - func;

  const uint8_t *p = lsda;
  uint8_t lpstart_enc = *p++;
  uintptr_t lpstart = lpstart_enc == PE_omit ? func : rd_encoded(&p, lpstart_enc, ctx);
  uint8_t ttype_enc = *p++;
  const uint8_t *ttype_base = NULL;
  if (ttype_enc != PE_omit) {
    uint64_t o = rd_uleb(&p);
    ttype_base = p + o;
  }
  uint8_t cs_enc = *p++;
  uint64_t cs_len = rd_uleb(&p);
  const uint8_t *cs = p, *cs_end = p + cs_len, *actions_tab = cs_end;
  bool ours = exc_class == SEQ_EXCEPTION_CLASS;
  int32_t thrown = ours ? rt_exc_of(ue)->type : -1;

  while (cs < cs_end) {
    uintptr_t start = rd_encoded(&cs, cs_enc, ctx);
    uintptr_t len = rd_encoded(&cs, cs_enc, ctx);
    uintptr_t lp = rd_encoded(&cs, cs_enc, ctx);
    uint64_t action = rd_uleb(&cs);
    if (off < start) break; /* the table is sorted: no entry covers this ip */
    if (off >= start + len) continue;
    if (!lp) return _URC_CONTINUE_UNWIND; /* the call may throw but nothing to run here */

    /* Walk the action chain: filter > 0 is a catch clause (type table index), 0 a
     * cleanup, < 0 an exception specification (never emitted by Codon). */
    int64_t selector = 0;
    bool matched = false;
    if (action && ours && ttype_base) {
      const uint8_t *a = actions_tab + action - 1;
      for (;;) {
        int64_t filter = rd_sleb(&a);
        const uint8_t *next_at = a;
        int64_t next = rd_sleb(&a);
        if (filter > 0) {
          const uint8_t *entry = ttype_base - (uint64_t)filter * enc_size(ttype_enc);
          const int32_t *ti = (const int32_t *)rd_encoded(&entry, ttype_enc, ctx);
          if (ti && (*ti == 0 || *ti == thrown)) {
            selector = filter;
            matched = true;
            break;
          }
        }
        if (!next) break;
        a = next_at + next;
      }
    }

    if (actions & _UA_SEARCH_PHASE)
      return matched ? _URC_HANDLER_FOUND : _URC_CONTINUE_UNWIND;

    _Unwind_SetGR(ctx, __builtin_eh_return_data_regno(0), (uintptr_t)ue);
    _Unwind_SetGR(ctx, __builtin_eh_return_data_regno(1), (uintptr_t)selector);
    _Unwind_SetIP(ctx, lpstart + lp);
    return _URC_INSTALL_CONTEXT;
  }
  return _URC_CONTINUE_UNWIND;
}

/* ------------------------------------------------------------------------------------ */
/* Strings: results live in GC memory, not NUL-terminated.                               */
/* ------------------------------------------------------------------------------------ */

static seq_str_t rt_str(const char *s, size_t n) {
  char *p = (char *)seq_alloc_atomic(n ? n : 1);
  memcpy(p, s, n);
  return (seq_str_t){(seq_int_t)n, p};
}

/* A growable byte buffer on malloc, copied once into GC memory at the end. */
typedef struct {
  char *p;
  size_t n, cap;
  char small[128];
} rt_buf;

static void buf_init(rt_buf *b) { b->p = b->small; b->n = 0; b->cap = sizeof b->small; }
static void buf_grow(rt_buf *b, size_t extra) {
  if (b->n + extra <= b->cap) return;
  size_t cap = b->cap * 2;
  while (cap < b->n + extra) cap *= 2;
  char *q = (char *)malloc(cap);
  if (!q) rt_oom(cap);
  memcpy(q, b->p, b->n);
  if (b->p != b->small) free(b->p);
  b->p = q;
  b->cap = cap;
}
static void buf_put(rt_buf *b, const char *s, size_t n) { buf_grow(b, n); memcpy(b->p + b->n, s, n); b->n += n; }
static void buf_rep(rt_buf *b, const char *s, size_t n, size_t times) { while (times--) buf_put(b, s, n); }
static seq_str_t buf_done(rt_buf *b) {
  seq_str_t r = rt_str(b->p, b->n);
  if (b->p != b->small) free(b->p);
  return r;
}

static seq_str_t rt_error(bool *error, const char *msg) {
  *error = true;
  return rt_str(msg, strlen(msg));
}

/* The fmtlib spec grammar: [[fill]align][sign]["#"]["0"][width]["." precision]["L"][type] */
typedef struct {
  char fill[4];
  int fill_len;
  char align; /* 0, '<', '>', '^' */
  char sign;  /* 0, '+', '-', ' ' */
  bool alt, zero, loc;
  long width, prec; /* prec -1 = none */
  char type;        /* 0 = none */
} rt_spec;

enum { ARG_INT, ARG_UINT, ARG_FLOAT, ARG_STR, ARG_PTR };

static int utf8_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
}

static const char *parse_spec(seq_str_t f, int kind, rt_spec *s) {
  const unsigned char *p = (const unsigned char *)f.str, *e = p + f.len;
  bool numeric = kind != ARG_STR;
  memset(s, 0, sizeof *s);
  s->fill[0] = ' ';
  s->fill_len = 1;
  s->prec = -1;
  if (p < e) {
    int l = utf8_len(*p);
    if (p + l < e && (p[l] == '<' || p[l] == '>' || p[l] == '^')) {
      if (*p == '{' || *p == '}') return "invalid fill character '{'";
      memcpy(s->fill, p, (size_t)l);
      s->fill_len = l;
      s->align = (char)p[l];
      p += l + 1;
    } else if (*p == '<' || *p == '>' || *p == '^') {
      s->align = (char)*p++;
    }
  }
  if (p < e && (*p == '+' || *p == '-' || *p == ' ')) {
    if (!numeric || kind == ARG_PTR || kind == ARG_UINT) return "invalid format specifier";
    s->sign = (char)*p++;
  }
  if (p < e && *p == '#') {
    if (!numeric || kind == ARG_PTR) return "invalid format specifier";
    s->alt = true;
    p++;
  }
  if (p < e && *p == '0') {
    if (!numeric) return "format specifier requires numeric argument";
    if (!s->align) s->zero = true;
    p++;
  }
  if (p < e && *p >= '0' && *p <= '9') {
    long w = 0;
    while (p < e && *p >= '0' && *p <= '9') {
      w = w * 10 + (*p++ - '0');
      if (w > INT_MAX) return "number is too big";
    }
    s->width = w;
  }
  if (p < e && *p == '.') {
    p++;
    if (kind != ARG_FLOAT && kind != ARG_STR) return "invalid format specifier";
    if (!(p < e && *p >= '0' && *p <= '9')) return "missing precision specifier";
    long w = 0;
    while (p < e && *p >= '0' && *p <= '9') {
      w = w * 10 + (*p++ - '0');
      if (w > INT_MAX) return "number is too big";
    }
    s->prec = w;
  }
  if (p < e && *p == 'L') {
    if (!numeric || kind == ARG_PTR) return "invalid format specifier";
    s->loc = true;
    p++;
  }
  if (p < e) s->type = (char)*p++;
  if (p != e) return "missing '}' in format string";
  const char *ok;
  switch (kind) {
  case ARG_INT: case ARG_UINT: ok = "dbBoxXc"; break;
  case ARG_FLOAT: ok = "aAeEfFgG"; break;
  case ARG_STR: ok = "s"; break;
  default: ok = "p"; break;
  }
  if (s->type && !strchr(ok, s->type)) return "invalid format specifier";
  return NULL;
}

/* Display width of UTF-8 text as fmtlib counts it: code points, East Asian wide ones 2. */
static bool wide_cp(uint32_t c) {
  return (c >= 0x1100 && c <= 0x115f) || c == 0x2329 || c == 0x232a ||
         (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) || (c >= 0xac00 && c <= 0xd7a3) ||
         (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe10 && c <= 0xfe19) ||
         (c >= 0xfe30 && c <= 0xfe6f) || (c >= 0xff00 && c <= 0xff60) ||
         (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x2fffd) ||
         (c >= 0x30000 && c <= 0x3fffd) || (c >= 0x1f300 && c <= 0x1f64f) ||
         (c >= 0x1f900 && c <= 0x1f9ff);
}

static uint32_t utf8_cp(const unsigned char *p, int l) {
  switch (l) {
  case 2: return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
  case 3: return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
  case 4: return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
                 ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
  default: return p[0];
  }
}

static size_t display_width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n;) {
    int l = utf8_len((unsigned char)s[i]);
    if (i + (size_t)l > n) l = (int)(n - i);
    w += wide_cp(utf8_cp((const unsigned char *)s + i, l)) ? 2 : 1;
    i += (size_t)l;
  }
  return w;
}

/* Emit `head` (sign and prefix) and `body` padded to the spec's width.  Zero padding goes
 * between the two; `def_align` is '>' for numbers and '<' for strings. */
static seq_str_t emit(const rt_spec *s, const char *head, size_t hn, const char *body,
                      size_t bn, char def_align, bool allow_zero) {
  rt_buf b;
  buf_init(&b);
  size_t w = display_width(head, hn) + display_width(body, bn);
  size_t pad = (size_t)s->width > w ? (size_t)s->width - w : 0;
  if (s->zero && allow_zero) {
    buf_put(&b, head, hn);
    buf_rep(&b, "0", 1, pad);
    buf_put(&b, body, bn);
    return buf_done(&b);
  }
  char a = s->align ? s->align : def_align;
  size_t left = a == '<' ? 0 : a == '^' ? pad / 2 : pad;
  buf_rep(&b, s->fill, (size_t)s->fill_len, left);
  buf_put(&b, head, hn);
  buf_put(&b, body, bn);
  buf_rep(&b, s->fill, (size_t)s->fill_len, pad - left);
  return buf_done(&b);
}

/* Insert ',' every three digits (en_US grouping) into a run of digits. */
static size_t group3(const char *d, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) out[o++] = ',';
    out[o++] = d[i];
  }
  return o;
}

static seq_str_t fmt_integer(uint64_t mag, bool neg, seq_str_t f, int kind, bool *error) {
  *error = false;
  char digits[72], grouped[100], head[4];
  size_t dn = 0, hn = 0;
  if (f.len == 0) { /* str(int): the hot path */
    char *q = digits + sizeof digits;
    do { *--q = (char)('0' + mag % 10); mag /= 10; } while (mag);
    if (neg) *--q = '-';
    return rt_str(q, (size_t)(digits + sizeof digits - q));
  }
  rt_spec s;
  const char *err = parse_spec(f, kind, &s);
  if (err) return rt_error(error, err);
  if (s.type == 'c') {
    char c = (char)mag; /* fmt writes the magnitude's low byte */
    return emit(&s, "", 0, &c, 1, '<', false);
  }
  if (neg) head[hn++] = '-';
  else if (s.sign == '+') head[hn++] = '+';
  else if (s.sign == ' ') head[hn++] = ' ';
  unsigned base = 10;
  const char *dig = "0123456789abcdef";
  switch (s.type) {
  case 'b': case 'B': base = 2; if (s.alt) { head[hn++] = '0'; head[hn++] = s.type; } break;
  case 'o': base = 8; if (s.alt && mag) head[hn++] = '0'; break;
  case 'x': base = 16; if (s.alt) { head[hn++] = '0'; head[hn++] = 'x'; } break;
  case 'X': base = 16; dig = "0123456789ABCDEF"; if (s.alt) { head[hn++] = '0'; head[hn++] = 'X'; } break;
  default: break;
  }
  char *q = digits + sizeof digits;
  do { *--q = dig[mag % base]; mag /= base; } while (mag);
  dn = (size_t)(digits + sizeof digits - q);
  if (s.loc) {
    dn = group3(q, dn, grouped);
    q = grouped;
  }
  return emit(&s, head, hn, q, dn, '>', true);
}

/* seq_str_int(n, spec, &error): str(int) and format(int, spec).  On a bad spec, *error is
 * set and the result is the message (the stdlib raises ValueError with it). */
EXPORT seq_str_t seq_str_int(seq_int_t n, seq_str_t f, bool *error) {
  bool neg = n < 0;
  uint64_t mag = neg ? 0 - (uint64_t)n : (uint64_t)n;
  return fmt_integer(mag, neg, f, ARG_INT, error);
}

EXPORT seq_str_t seq_str_uint(seq_int_t n, seq_str_t f, bool *error) {
  return fmt_integer((uint64_t)n, false, f, ARG_UINT, error);
}

/* Shortest decimal digits that read back as `v` (v finite, > 0): the digits and the
 * exponent of the first one, as fmtlib's default (Dragonbox) output has them. */
static int shortest_digits(double v, char *digits, int *exp10) {
  char tmp[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
    if (prec == 17 || strtod(tmp, NULL) == v) {
      int n = 0;
      char *p = tmp;
      for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[n++] = *p;
      *exp10 = atoi(p + 1);
      while (n > 1 && digits[n - 1] == '0') n--;
      return n;
    }
  }
  return 0; /* unreachable */
}

static void put_exp(rt_buf *b, int e, char ech) {
  char t[8];
  int k = snprintf(t, sizeof t, "%c%c%02d", ech, e < 0 ? '-' : '+', e < 0 ? -e : e);
  buf_put(b, t, (size_t)k);
}

/* Apply 'L' grouping to the integer part of a plain decimal rendering. */
static void put_grouped_number(rt_buf *b, const char *s, size_t n, bool loc) {
  if (!loc) { buf_put(b, s, n); return; }
  size_t i = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  char *g = (char *)malloc(i + i / 3 + 2);
  if (!g) rt_oom(i);
  size_t gn = group3(s, i, g);
  buf_put(b, g, gn);
  free(g);
  buf_put(b, s + i, n - i);
}

/* seq_str_float(x, spec, &error): str(float) ("{:g}", i.e. printf %g) and format(float, spec)
 * with fmtlib's presentations: none (shortest round trip, or general with a precision),
 * e E f F g G a A, '#', 'L' (',' grouping), sign, fill, align, zero padding. */
EXPORT seq_str_t seq_str_float(double v, seq_str_t f, bool *error) {
  *error = false;
  rt_spec s;
  if (f.len == 0) {
    char t[40];
    int k = snprintf(t, sizeof t, "%g", v);
    return rt_str(t, (size_t)k);
  }
  const char *err = parse_spec(f, ARG_FLOAT, &s);
  if (err) return rt_error(error, err);

  char head[2];
  size_t hn = 0;
  if (signbit(v)) head[hn++] = '-';
  else if (s.sign == '+') head[hn++] = '+';
  else if (s.sign == ' ') head[hn++] = ' ';
  double a = fabs(v);
  bool upper = s.type == 'E' || s.type == 'F' || s.type == 'G' || s.type == 'A';

  if (!isfinite(a)) {
    /* as fmt: left-aligned by default, no zero padding, a '0' fill becomes a blank */
    const char *t = isnan(a) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
    if (s.fill_len == 1 && s.fill[0] == '0') s.fill[0] = ' ';
    return emit(&s, head, hn, t, 3, '<', false);
  }

  rt_buf body;
  buf_init(&body);
  if (s.type == 0 && s.prec < 0) {
    /* shortest round trip; exponent form outside [1e-4, 1e16) */
    char d[24];
    int e10 = 0, n;
    if (a == 0.0) { d[0] = '0'; n = 1; e10 = 0; }
    else n = shortest_digits(a, d, &e10);
    if (e10 < -4 || e10 >= 16) {
      buf_put(&body, d, 1);
      if (n > 1 || s.alt) buf_put(&body, ".", 1);
      buf_put(&body, d + 1, (size_t)(n - 1));
      put_exp(&body, e10, 'e');
    } else {
      rt_buf plain;
      buf_init(&plain);
      if (e10 >= n - 1) { /* integral */
        buf_put(&plain, d, (size_t)n);
        buf_rep(&plain, "0", 1, (size_t)(e10 - (n - 1)));
        if (s.alt) buf_put(&plain, ".", 1);
      } else if (e10 >= 0) {
        buf_put(&plain, d, (size_t)(e10 + 1));
        buf_put(&plain, ".", 1);
        buf_put(&plain, d + e10 + 1, (size_t)(n - e10 - 1));
      } else {
        buf_put(&plain, "0.", 2);
        buf_rep(&plain, "0", 1, (size_t)(-e10 - 1));
        buf_put(&plain, d, (size_t)n);
      }
      put_grouped_number(&body, plain.p, plain.n, s.loc);
      if (plain.p != plain.small) free(plain.p);
    }
  } else {
    char conv = s.type ? s.type : 'g';
    char pf[16];
    int k = 0;
    pf[k++] = '%';
    if (s.alt) pf[k++] = '#';
    if (s.prec >= 0 || (conv != 'a' && conv != 'A')) {
      pf[k++] = '.';
      pf[k++] = '*';
    }
    pf[k++] = conv;
    pf[k] = 0;
    int prec = s.prec >= 0 ? (int)s.prec : 6;
    int need = s.prec >= 0 || (conv != 'a' && conv != 'A') ? snprintf(NULL, 0, pf, prec, a)
                                                            : snprintf(NULL, 0, pf, a);
    char *t = (char *)malloc((size_t)need + 1);
    if (!t) rt_oom((size_t)need);
    if (s.prec >= 0 || (conv != 'a' && conv != 'A')) snprintf(t, (size_t)need + 1, pf, prec, a);
    else snprintf(t, (size_t)need + 1, pf, a);
    bool expo = strchr(t, 'e') || strchr(t, 'E') || strchr(t, 'p') || strchr(t, 'P');
    if ((conv == 'a' || conv == 'A') && a == 0.0) {
      /* fmt prints zero with the smallest normal exponent: 0x0p-1022 */
      char *pp = strchr(t, conv == 'a' ? 'p' : 'P');
      buf_put(&body, t, (size_t)(pp - t) + 1);
      buf_put(&body, "-1022", 5);
    } else if (expo || conv == 'a' || conv == 'A') buf_put(&body, t, (size_t)need);
    else put_grouped_number(&body, t, (size_t)need, s.loc);
    free(t);
  }
  seq_str_t r = emit(&s, head, hn, body.p, body.n, '>', true);
  if (body.p != body.small) free(body.p);
  return r;
}

/* seq_str_str(s, spec, &error): format(str, spec): precision truncates (code points),
 * width pads (display width), default alignment left. */
EXPORT seq_str_t seq_str_str(seq_str_t v, seq_str_t f, bool *error) {
  *error = false;
  if (f.len == 0) return rt_str(v.str, (size_t)v.len);
  rt_spec s;
  const char *err = parse_spec(f, ARG_STR, &s);
  if (err) return rt_error(error, err);
  size_t n = (size_t)v.len;
  if (s.prec >= 0) {
    size_t i = 0;
    long cps = 0;
    while (i < n && cps < s.prec) {
      i += (size_t)utf8_len((unsigned char)v.str[i]);
      cps++;
    }
    n = i < n ? i : n;
  }
  return emit(&s, "", 0, v.str, n, '<', false);
}

/* seq_str_ptr(p, spec, &error): "0x" + lowercase hex, as fmt::ptr prints. */
EXPORT seq_str_t seq_str_ptr(void *p, seq_str_t f, bool *error) {
  *error = false;
  char t[24];
  int k = snprintf(t, sizeof t, "0x%llx", (unsigned long long)(uintptr_t)p);
  if (f.len == 0) return rt_str(t, (size_t)k);
  rt_spec s;
  const char *err = parse_spec(f, ARG_PTR, &s);
  if (err) return rt_error(error, err);
  return emit(&s, "", 0, t, (size_t)k, '>', false);
}

/* seq_int_from_str(s, &end, base): int(s, base) after the stdlib has stripped blanks and any
 * 0x/0o/0b prefix: optional sign, then digits of `base`; *end is where parsing stopped, or
 * s.str itself when there were no digits or the value does not fit in 64 bits. */
EXPORT seq_int_t seq_int_from_str(seq_str_t s, const char **end, int base) {
  const char *p = s.str, *e = s.str + s.len;
  bool neg = false;
  if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
  uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  const char *digits = p;
  bool overflow = false;
  for (; p < e; p++) {
    int c = (unsigned char)*p, d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
    else break;
    if (d >= base) break;
    if (v > (lim - (uint64_t)d) / (uint64_t)base) overflow = true;
    else v = v * (uint64_t)base + (uint64_t)d;
  }
  if (p == digits || overflow) {
    *end = s.str;
    return 0;
  }
  *end = p;
  return neg ? (seq_int_t)(0 - v) : (seq_int_t)v;
}

/* seq_float_from_str(s, &end): float(s).  Decimal and inf/nan forms with an optional sign
 * and leading blanks, nan(...) included (what fast_float accepts in the stock runtime);
 * hexadecimal floats, which strtod would also take, are refused.  Out-of-range values give
 * +-inf or 0, as there. */
EXPORT double seq_float_from_str(seq_str_t s, const char **end) {
  const char *p = s.str, *e = s.str + s.len;
  *end = s.str;
  while (p < e && (*p == ' ' || (*p >= '\t' && *p <= '\r'))) p++;
  const char *q = p;
  if (q < e && (*q == '+' || *q == '-')) q++;
  if (q + 1 < e && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
    /* "0x..." is the number 0 followed by junk for a decimal parser */
    *end = q + 1;
    return (p < q && *p == '-') ? -0.0 : 0.0;
  }
  size_t n = (size_t)(e - p);
  char small[64], *t = n < sizeof small ? small : (char *)malloc(n + 1);
  if (!t) rt_oom(n);
  memcpy(t, p, n);
  t[n] = 0;
  char *stop;
  double v = strtod(t, &stop);
  size_t used = (size_t)(stop - t);
  if (t != small) free(t);
  if (used) *end = p + used;
  return v;
}

/* seq_strdup(cstr): a C string as a Codon str. */
EXPORT seq_str_t seq_strdup(const char *p) { return rt_str(p, strlen(p)); }

/* seq_check_errno(): strerror(errno) for OSError messages, or the empty str. */
EXPORT seq_str_t seq_check_errno(void) {
  if (errno) {
    const char *m = strerror(errno);
    return rt_str(m, strlen(m));
  }
  return (seq_str_t){0, NULL};
}

/* ------------------------------------------------------------------------------------ */
/* I/O                                                                                   */
/* ------------------------------------------------------------------------------------ */

/* print(): bytes to a FILE* (stdio buffering as in the stock runtime; the JIT's output
 * capture flag is not supported: executables never set it). */
EXPORT void seq_print_full(seq_str_t s, FILE *f) { fwrite(s.str, 1, (size_t)s.len, f); }
EXPORT void seq_print(seq_str_t s) { seq_print_full(s, stdout); }
EXPORT void *seq_stdin(void) { return stdin; }
EXPORT void *seq_stdout(void) { return stdout; }
EXPORT void *seq_stderr(void) { return stderr; }

/* ------------------------------------------------------------------------------------ */
/* Time, process, environment                                                            */
/* ------------------------------------------------------------------------------------ */

typedef struct {
  int16_t year, yday;
  int8_t sec, min, hour, mday, mon, wday, isdst;
} seq_time_t;

static seq_int_t clock_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (seq_int_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* nanoseconds since the epoch / since boot */
EXPORT seq_int_t seq_pid(void) { return (seq_int_t)getpid(); }
EXPORT seq_int_t seq_time(void) { return clock_ns(CLOCK_REALTIME); }
EXPORT seq_int_t seq_time_monotonic(void) { return clock_ns(CLOCK_MONOTONIC); }
/* libstdc++'s high_resolution_clock is the system clock */
EXPORT seq_int_t seq_time_highres(void) { return clock_ns(CLOCK_REALTIME); }

static void tm_to_seq(const struct tm *x, seq_time_t *o) {
  o->year = (int16_t)x->tm_year; o->yday = (int16_t)x->tm_yday; o->sec = (int8_t)x->tm_sec;
  o->min = (int8_t)x->tm_min; o->hour = (int8_t)x->tm_hour; o->mday = (int8_t)x->tm_mday;
  o->mon = (int8_t)x->tm_mon; o->wday = (int8_t)x->tm_wday; o->isdst = (int8_t)x->tm_isdst;
}

/* seconds < 0 means now */
EXPORT bool seq_localtime(seq_int_t secs, seq_time_t *out) {
  struct tm r;
  time_t t = secs >= 0 ? (time_t)secs : time(NULL);
  if (t == (time_t)-1 || !localtime_r(&t, &r)) return false;
  tm_to_seq(&r, out);
  return true;
}

EXPORT bool seq_gmtime(seq_int_t secs, seq_time_t *out) {
  struct tm r;
  time_t t = secs >= 0 ? (time_t)secs : time(NULL);
  if (t == (time_t)-1 || !gmtime_r(&t, &r)) return false;
  tm_to_seq(&r, out);
  return true;
}

EXPORT seq_int_t seq_mktime(seq_time_t *x) {
  struct tm r;
  memset(&r, 0, sizeof r);
  r.tm_year = x->year; r.tm_yday = x->yday; r.tm_sec = x->sec; r.tm_min = x->min;
  r.tm_hour = x->hour; r.tm_mday = x->mday; r.tm_mon = x->mon; r.tm_wday = x->wday;
  r.tm_isdst = x->isdst;
  return (seq_int_t)mktime(&r);
}

/* time.sleep(): sleeps the whole time even when signals interrupt it */
EXPORT void seq_sleep(double secs) {
  if (!(secs > 0)) return;
  struct timespec ts;
  ts.tv_sec = (time_t)secs;
  ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

/* os.environ reads the process environment block */
extern char **environ;
EXPORT char **seq_env(void) { return environ; }

/* ------------------------------------------------------------------------------------ */
/* threading.Lock / RLock: a pthread mutex in (unscanned) GC memory, freed with the Lock. */
/* timeout < 0: block or try once; otherwise wait up to `timeout` seconds.               */
/* ------------------------------------------------------------------------------------ */

static void *mutex_new(int kind) {
  pthread_mutex_t *m = (pthread_mutex_t *)seq_alloc_atomic(sizeof *m);
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, kind);
  pthread_mutex_init(m, &a);
  pthread_mutexattr_destroy(&a);
  return m;
}

static bool mutex_acquire(void *lock, bool block, double timeout) {
  pthread_mutex_t *m = (pthread_mutex_t *)lock;
  if (timeout < 0.0) return block ? pthread_mutex_lock(m) == 0 : pthread_mutex_trylock(m) == 0;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  double whole = floor(timeout);
  ts.tv_sec += (time_t)whole;
  ts.tv_nsec += (long)((timeout - whole) * 1e9);
  if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
  return pthread_mutex_timedlock(m, &ts) == 0;
}

EXPORT void *seq_lock_new(void) { return mutex_new(PTHREAD_MUTEX_NORMAL); }
EXPORT bool seq_lock_acquire(void *l, bool block, double timeout) { return mutex_acquire(l, block, timeout); }
EXPORT void seq_lock_release(void *l) { pthread_mutex_unlock((pthread_mutex_t *)l); }
EXPORT void *seq_rlock_new(void) { return mutex_new(PTHREAD_MUTEX_RECURSIVE); }
EXPORT bool seq_rlock_acquire(void *l, bool block, double timeout) { return mutex_acquire(l, block, timeout); }
EXPORT void seq_rlock_release(void *l) { pthread_mutex_unlock((pthread_mutex_t *)l); }
