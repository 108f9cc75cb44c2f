/* gsc-launch: the entry point of every graminized image. It starts the app inside Gramine:
 * under SGX (GRAMINE_MODE=sgx, the default) or with Gramine's Linux PAL (GRAMINE_MODE=direct;
 * GSC_PAL=Linux means direct too).
 *
 * Freestanding: no libc, linked statically, no dynamic linker. So it runs in any image: with or
 * without a shell, with any libc or none (FROM scratch, distroless, static binaries). Gramine's
 * SGX loader is a dynamically linked program: gsc puts a copy of it whose ELF interpreter is
 * /gramine/gsc/ld.so, and the libraries it needs from the Gramine image, into /gramine/gsc;
 * this program points the dynamic linker at them and at nothing of the image.
 *
 * Its arguments come from the image's ENTRYPOINT (written by gsc build), followed by the
 * image's CMD or the arguments of `docker run`:
 *
 *   gsc-launch --pal-dir DIR [--trace] [--insecure-args] -- [ARG...]
 *
 *   --pal-dir DIR     Gramine's pkglibdir (DIR/direct, DIR/sgx hold the PALs)
 *   --trace           print the command it runs (non-release builds)
 *   --insecure-args   pass ARGs to the app (gsc build --insecure-args); otherwise they are
 *                     ignored: the app's argv is the trusted one in the manifest
 *
 * As Gramine's gramine-sgx and gramine-direct scripts: GDB=1 runs the loader under `gdb` (found
 * along PATH; debug builds bring one) with Gramine's gdb integration, GDB_SCRIPT=FILE runs gdb in
 * batch mode with that script, PERF=1 under `perf stat`.
 */

typedef unsigned long size_t;
typedef long ssize_t;

enum { SYS_write = 1, SYS_access = 21, SYS_execve = 59, SYS_exit_group = 231 };

static long syscall3(long n, long a, long b, long c) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}

/* The compiler may emit calls to these for copies and zeroing. */
void* memset(void* s, int c, size_t n) {
  unsigned char* p = s;
  while (n--) *p++ = (unsigned char)c;
  return s;
}
void* memcpy(void* d, const void* s, size_t n) {
  unsigned char* dp = d;
  const unsigned char* sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

static size_t length(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

static int equal(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

/* `entry` is NAME=...: returns the value, else 0. */
static const char* value_of(const char* entry, const char* name) {
  while (*name && *entry == *name) ++entry, ++name;
  return (*name == 0 && *entry == '=') ? entry + 1 : 0;
}

static void put(const char* s) { syscall3(SYS_write, 2, (long)s, (long)length(s)); }

static void die(int status, const char* a, const char* b, const char* c) {
  put("gsc-launch: ");
  put(a);
  if (b) put(b);
  if (c) put(c);
  put("\n");
  syscall3(SYS_exit_group, status, 0, 0);
  for (;;) {
  }
}

/* A bump allocator over a static arena: all this program ever builds is one argv and one envp. */
static char arena[1 << 16];
static size_t used;

static char* concat(const char* a, const char* b) {
  const size_t la = length(a), lb = length(b);
  if (used + la + lb + 1 > sizeof arena) die(1, "arguments too long", 0, 0);
  char* out = arena + used;
  memcpy(out, a, la);
  memcpy(out + la, b, lb + 1);
  used += la + lb + 1;
  return out;
}

#define MAX_ARGS 4096
static const char* new_argv[MAX_ARGS + 16];
static const char* new_envp[MAX_ARGS + 4];

static const char* describe_errno(long e) {
  switch (-e) {
    case 2: return " (no such file: is this a complete gsc image?)";
    case 8: return " (exec format error)";
    case 13: return " (permission denied)";
    default: return "";
  }
}

/* NAME along the PATH of envp (an executable file), as execvp finds it; 0 when not found. */
static const char* find_in_path(const char* name, char** envp) {
  const char* path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char** e = envp; *e; ++e) {
    const char* v = value_of(*e, "PATH");
    if (v) path = v;
  }
  static char candidate[4096];
  const size_t name_length = length(name);
  while (*path) {
    size_t n = 0;
    while (path[n] && path[n] != ':') ++n;
    if (n > 0 && n + 1 + name_length < sizeof candidate) {
      memcpy(candidate, path, n);
      candidate[n] = '/';
      memcpy(candidate + n + 1, name, name_length + 1);
      if (syscall3(SYS_access, (long)candidate, 1 /* X_OK */, 0) == 0) return concat(candidate, "");
    }
    path += n;
    if (*path == ':') ++path;
  }
  return 0;
}

static const char kManifestSgx[] = "/gramine/app_files/entrypoint.manifest.sgx";
static const char kApp[] = "/gramine/app_files/entrypoint";

int launch(int argc, char** argv, char** envp) {
  const char* pal_dir = 0;
  int trace = 0, insecure_args = 0, i = 1;
  for (; i < argc; ++i) {
    if (equal(argv[i], "--")) {
      ++i;
      break;
    }
    if (equal(argv[i], "--trace")) trace = 1;
    else if (equal(argv[i], "--insecure-args")) insecure_args = 1;
    else if (equal(argv[i], "--pal-dir") && i + 1 < argc) pal_dir = argv[++i];
    else die(2, "unknown option `", argv[i], "` (gsc-launch is started by the image's ENTRYPOINT)");
  }
  if (!pal_dir) die(2, "missing --pal-dir (gsc-launch is started by the image's ENTRYPOINT)", 0, 0);

  /* The PAL: GRAMINE_MODE, else GSC_PAL=Linux, else SGX. An empty value means unset: gsc's
   * final image sets both empty, so only `docker run -e` can choose. */
  const char* mode = 0;
  const char* gsc_pal = 0;
  const char* gdb_script = 0;
  int gdb = 0, perf = 0, emacs = 0;
  for (char** e = envp; *e; ++e) {
    const char* v;
    if ((v = value_of(*e, "GRAMINE_MODE")) && *v) mode = v;
    if ((v = value_of(*e, "GSC_PAL")) && *v) gsc_pal = v;
    if ((v = value_of(*e, "GDB"))) gdb = equal(v, "1");
    if ((v = value_of(*e, "GDB_SCRIPT")) && *v) gdb_script = v;
    if ((v = value_of(*e, "PERF"))) perf = equal(v, "1");
    if ((v = value_of(*e, "INSIDE_EMACS")) && *v) emacs = 1;
  }
  if (!mode) mode = (gsc_pal && equal(gsc_pal, "Linux")) ? "direct" : "sgx";
  const int sgx = equal(mode, "sgx");
  if (!sgx && !equal(mode, "direct")) die(1, "GRAMINE_MODE must be `sgx` or `direct`, not `", mode, "`");

  int n = 0;
  const char* program;
  const char* loader;
  const char* host_pal = concat(pal_dir, sgx ? "/sgx" : "/direct");
  if (sgx && syscall3(SYS_access, (long)kManifestSgx, 0, 0) != 0)
    die(1, "this image is not signed (no ", kManifestSgx,
        "): sign it with `gsc sign-image`, or run it without SGX with `-e GRAMINE_MODE=direct`");
  loader = sgx ? "/gramine/gsc/sgx-loader" : concat(pal_dir, "/direct/loader");
  program = loader;
  if (gdb) {
    program = find_in_path("gdb", envp);
    if (!program) die(1, "GDB=1, but there is no gdb along PATH (debug builds of gsc bring one: `gsc build -b debug`)", 0, 0);
    new_argv[n++] = program;
    new_argv[n++] = "-q";
    if (emacs) new_argv[n++] = "-i=mi";
    new_argv[n++] = "-x";
    new_argv[n++] = concat(host_pal, sgx ? "/gdb_integration/gramine_sgx_gdb.py" : "/gdb_integration/gramine_linux_gdb.py");
    if (gdb_script) {
      new_argv[n++] = "-x";
      new_argv[n++] = gdb_script;
      new_argv[n++] = "-batch";
      new_argv[n++] = "-tty=/dev/null";
    }
    new_argv[n++] = "--args";
  } else if (perf) {
    program = find_in_path("perf", envp);
    if (!program) die(1, "PERF=1, but there is no perf along PATH", 0, 0);
    new_argv[n++] = program;
    new_argv[n++] = "stat";
  }
  new_argv[n++] = loader;
  new_argv[n++] = concat(host_pal, "/libpal.so");
  new_argv[n++] = "init";
  new_argv[n++] = kApp;
  if (insecure_args)
    for (; i < argc && n < MAX_ARGS; ++i) new_argv[n++] = argv[i];
  new_argv[n] = 0;

  /* The host side's environment: the image's own dynamic-linker variables must not reach
   * Gramine's loader (the app's environment is the manifest's loader.env, not this one). */
  int m = 0;
  for (char** e = envp; *e && m < MAX_ARGS; ++e) {
    if (value_of(*e, "LD_LIBRARY_PATH") || value_of(*e, "LD_PRELOAD") || value_of(*e, "LD_AUDIT")) continue;
    new_envp[m++] = *e;
  }
  if (sgx) new_envp[m++] = "LD_LIBRARY_PATH=/gramine/gsc/lib";
  /* Gramine's gdb integration for SGX enclaves, as gramine-sgx preloads it. */
  if (sgx && gdb) new_envp[m++] = concat("LD_PRELOAD=", concat(host_pal, "/gdb_integration/sgx_gdb.so"));
  new_envp[m] = 0;

  if (trace) {
    put("gsc-launch:");
    for (int k = 0; new_argv[k]; ++k) {
      put(" ");
      put(new_argv[k]);
    }
    put("\n");
  }
  const long err = syscall3(SYS_execve, (long)program, (long)new_argv, (long)new_envp);
  die(127, "cannot start ", program, describe_errno(err));
  return 127;
}

/* The process entry: argc, argv and envp from the initial stack. */
__attribute__((used)) static void start_c(long* sp) {
  const int argc = (int)sp[0];
  char** argv = (char**)(sp + 1);
  char** envp = argv + argc + 1;
  syscall3(SYS_exit_group, launch(argc, argv, envp), 0, 0);
}

__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  xor %rbp, %rbp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call start_c\n"
    "  hlt\n");
