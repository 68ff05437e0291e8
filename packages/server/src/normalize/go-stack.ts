/**
 * The app's frame in a Go stack trace, as the runtime prints one (runtime/debug.Stack, which the
 * OpenTelemetry Go SDK records with an error; a crash): per frame a function line with its
 * arguments, then its tab-indented location:
 *
 *     github.com/acme/shop/orders.(*Service).Place(0xc0000a6000, {0x8a1f20, 0xc000012345})
 *     	/go/src/github.com/acme/shop/orders/service.go:42 +0x1d3
 *
 * Generic functions print their type arguments as `[...]` (`main.Sum[...]`,
 * `main.(*Queue[...]).Pop`); a panic prints as `panic({0x4a1e20, 0xc000012345})`; with
 * GOTRACEBACK=system each location also gives `fp=… sp=… pc=…`. Errors that carry their own stack
 * (github.com/pkg/errors' `%+v`) and zap's `stacktrace` field print the same frames without the
 * arguments or the `+0x…` offset, and end in the runtime's assembly (`asm_amd64.s`).
 *
 * Names are as the linker spells them: letters beyond ASCII as they are (`main.größe`), and the
 * dots of a package path's last element escaped (`example.com/api%2ev2.Charge`, shown as
 * `api.v2.Charge`).
 */

/** The characters of a function's name: a package path, a receiver `(*T)`, type arguments `[...]`. */
const GO_NAME = /^[\p{L}\p{N}_.~/()*[\]%-]+$/u;
const GO_LOCATION = /^\t(.+\.(?:go|s)):\d+(?: \+0x[0-9a-f]+)?(?: fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+)?$/;
/** `runtime.gopanic` prints as `panic`; before Go 1.17 its arguments were not in braces; without arguments in `%+v`. */
const GO_PANIC = /^(?:panic|runtime\.gopanic)(?:\(.*\))?$/;

/**
 * The standard library's top-level packages (Go 1.24), told by the function's package rather
 * than its file: a Go root can be anywhere (`/usr/local/go/src`, Debian's `/usr/lib/go-1.22/src`,
 * Homebrew's `…/libexec/src`, nowhere with -trimpath), and `/go/src/` is as often a GOPATH
 * checkout (the official image's GOPATH is `/go`). No module path outside the standard library
 * starts with one of these, since its first element would be taken for a standard package.
 */
const GO_STD = new Set([
  'archive',
  'arena',
  'bufio',
  'builtin',
  'bytes',
  'cmp',
  'cmd',
  'compress',
  'container',
  'context',
  'crypto',
  'database',
  'debug',
  'embed',
  'encoding',
  'errors',
  'expvar',
  'flag',
  'fmt',
  'go',
  'hash',
  'html',
  'image',
  'index',
  'internal',
  'io',
  'iter',
  'log',
  'maps',
  'math',
  'mime',
  'net',
  'os',
  'path',
  'plugin',
  'reflect',
  'regexp',
  'runtime',
  'slices',
  'sort',
  'strconv',
  'strings',
  'structs',
  'sync',
  'syscall',
  'testing',
  'text',
  'time',
  'unicode',
  'unique',
  'unsafe',
  'vendor',
  'weak',
]);
/**
 * Modules: the module cache (`…/pkg/mod/…`, or wherever GOMODCACHE is; a -trimpath build prints
 * `module@v1.2.3/file.go`), names the version after an `@v`; a vendored module lives under `vendor/`.
 */
const GO_MODULE_FILE = /@v\d|\/pkg\/mod\/|(?:^|\/)vendor\//;
/** The OpenTelemetry SDK's own frames (`recordStackTrace`), wherever its source lives. */
const GO_TELEMETRY = /^go\.opentelemetry\.io\//;

/** Whether `line` is a Go function line and `next` its location. */
export function isGoFrame(line: string, next: string): boolean {
  return goFunction(line) !== null && GO_LOCATION.test(next);
}

/**
 * The function of a function line: the name before the arguments, which hold no parentheses of
 * their own (`({0x4a1e20, 0xc000012345}, ...)`), or the whole line when it prints none (`%+v`,
 * zap). Read by position, not by one pattern over the whole line: the patterns for a name with a
 * receiver and type arguments overlap, and on a 4,000-character line from an app's stack trace
 * one took 5.6 s to fail.
 */
function goFunction(line: string): string | null {
  const open = line.lastIndexOf('(');
  const withArguments = open > 0 && line.indexOf(')', open) === line.length - 1 && !line.slice(open).startsWith('(*');
  const name = withArguments ? line.slice(0, open) : line;
  return name.includes('.') && GO_NAME.test(name) ? name : null;
}

/**
 * The top frame of the app's own code in the Go stack whose first frame is at `lines[start]`: the
 * function, its package path cut to its last element, and the file. When the stack
 * was taken while a panic unwound (a deferred recover helper, as HTTP recovery middleware
 * records one), the frames above `panic(` are the helper's own, so the search starts below it.
 * Standard-library and module frames are skipped: a panic in `strings.Repeat` belongs to its
 * caller. `null` when no frame is the app's.
 */
export function goAppFrame(lines: readonly string[], start: number): { fn: string; file: string } | null {
  // Below the last `panic(`: a helper that recovers, records and panics again puts its own
  // frames and a second panic above the first, whose frames below are where it began.
  let from = start;
  for (let i = start; i < lines.length - 1; i++) {
    if (GO_PANIC.test(lines[i]!) && GO_LOCATION.test(lines[i + 1]!)) from = i + 2;
  }
  for (let i = from; i < lines.length - 1; i++) {
    const fn = goFunction(lines[i]!);
    const file = fn === null ? undefined : GO_LOCATION.exec(lines[i + 1]!)?.[1];
    if (fn === null || file === undefined) continue;
    i++;
    if (!isGoLibrary(fn, file)) return { fn: unescapeGoName(fn.slice(fn.lastIndexOf('/') + 1)), file };
  }
  return null;
}

function isGoLibrary(fn: string, file: string): boolean {
  // The first element of the package path: `net` of `net/http.(*conn).serve`, `strings` of `strings.Repeat`.
  const slash = fn.indexOf('/');
  const root = slash === -1 ? fn.slice(0, fn.indexOf('.')) : fn.slice(0, slash);
  return GO_STD.has(root) || GO_MODULE_FILE.test(file) || GO_TELEMETRY.test(fn);
}

/** The linker escapes `.`, `%` and `"` in a package path's last element as `%xx`. */
function unescapeGoName(name: string): string {
  return name.includes('%') ? name.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : name;
}
