import { goAppFrame, isGoFrame } from './go-stack.js';

// Every line is read in time linear in its length: a stack trace is the app's text, of any
// length, and patterns whose parts overlap (`(.+?)\s*$`, a lazy prefix before a greedy middle, a
// repeated group of overlapping classes) took seconds to minutes to fail on one long line (see
// the tests). So a line is trimmed once, and where a pattern would search, a position decides.
const JVM_CALL = /^([\w$./<>]+)\(([^()]*)\)$/;
const PYTHON_LINE = /^File "([^"]+)", line \d+(?:, in (.+))?$/;
const SCHEME_AND_HOST = /^[a-z][\w+.-]*:\/\/[^/]*/i;
const LINE_AND_COLUMN = /(?::\d+){1,2}$/;
const JVM_LIBRARIES = ['java.', 'javax.', 'jdk.', 'sun.', 'com.sun.', 'kotlin.', 'kotlinx.'];
const PYTHON_LIBRARY = /site-packages|dist-packages|[\\/]lib[\\/]python3|^<frozen/i;

/** .NET: `at Acme.Orders.Service.Place(Order order) in /src/Orders/Service.cs:line 42`. */
const DOTNET_LINE_NUMBER = /:line \d+$/;
const DOTNET_LIBRARIES = ['System.', 'Microsoft.', 'Newtonsoft.'];
/** .NET without symbols: `at Acme.Orders.Service.Place(Order order, Int32 count)`, no file. */
const DOTNET_TYPE = /^[A-Za-z_][\w.`<>+]*$/;
const DOTNET_METHOD = /^[\w`<>]+$/;
const DOTNET_PARAMETER = /^[\w.`<>[\],&]+ \w+$/;
/** Ruby: `/app/services/order.rb:42:in 'Order#place'` (or a backtick before the method, before Ruby 3.4). */
const RUBY_LOCATION = /\.rb:\d+:in [`']/;
const RUBY_LIBRARY = /\/gems\/|\/rubygems\/|\/lib\/ruby\/|^<internal:/;
/** Rust: `  5: shop::orders::place`, then `at ./src/orders.rs:42:9`. */
const RUST_FUNCTION = /^\d+: (.+)$/;
const RUST_LIBRARY = /^(?:std|core|alloc|tokio|futures|hyper|tower|axum|backtrace|rust_begin_unwind|__rust|<[\w:]+ as [\w:]+>::)/;
/** PHP: `#0 /var/www/src/Orders.php(42): App\Orders->place(Object(App\Order))`. */
const PHP_LINE = /^#\d+ (.+?)\((\d+)\): ([^(]+)/;

/**
 * The top frame of the app's own code in a stack trace, as `function (file)`: the file is the
 * last two segments of its path, with no line or column, so a group survives edits and
 * releases. Reads the traces of V8 (`at fn (/app/x.ts:12:5)`), the JVM (`at
 * com.acme.Foo.bar(Foo.java:12)`), .NET (`at Acme.Foo.Bar() in /src/Foo.cs:line 12`), Python
 * (most recent call last, so its top frame is the last one), Go (`debug.Stack()`, a crash: see
 * go-stack.ts), Ruby, Rust (`std::backtrace`) and PHP. Frames of libraries and runtimes
 * (`node_modules`, Node's builtins, `site-packages`, the JDK, `System.*`, Go's standard library
 * and modules, gems, `std::`, `vendor/`) are skipped. `null` when no frame is the app's.
 */
export function appFrame(stacktrace: string): string | null {
  if (stacktrace === '') return null;
  let python: string | null = null;
  const lines = stacktrace.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1] ?? '';
    if (isGoFrame(line, next)) {
      const go = goAppFrame(lines, i);
      return go === null ? null : `${go.fn} (${lastSegments(go.file)})`;
    }
    const trimmed = line.trim();
    const rust = RUST_FUNCTION.exec(trimmed);
    const rustAt = rust === null ? null : afterAt(next.trim());
    if (rust !== null && rustAt !== null) {
      i++;
      const location = rustAt.replace(LINE_AND_COLUMN, '');
      if (!RUST_LIBRARY.test(rust[1]!) && !location.startsWith('/rustc/') && !location.includes('/.cargo/')) {
        return `${rust[1]!.replace(/::h[0-9a-f]{16}$/, '')} (${lastSegments(location)})`;
      }
      continue;
    }
    const at = afterAt(trimmed);
    if (at !== null) {
      const frame = atFrame(at);
      if (frame !== null) return frame;
      continue;
    }
    const ruby = rubyLine(line.trimStart());
    if (ruby !== null) {
      if (!RUBY_LIBRARY.test(ruby.file)) return `${ruby.method.replace(/^block (?:\(\d+ levels\) )?in /, '')} (${lastSegments(ruby.file)})`;
      continue;
    }
    const php = PHP_LINE.exec(line);
    if (php !== null) {
      if (!php[1]!.includes('/vendor/')) return `${php[3]!.trim()} (${lastSegments(php[1]!)})`;
      continue;
    }
    const file = PYTHON_LINE.exec(trimmed);
    if (file !== null && !PYTHON_LIBRARY.test(file[1] ?? '')) python = `${file[2] ?? '<module>'} (${lastSegments(file[1] ?? '')})`;
  }
  return python;
}

/** What follows `at ` in a trimmed line (V8, the JVM, .NET, a Rust location), else `null`. */
function afterAt(trimmed: string): string | null {
  if (trimmed.length < 4 || !trimmed.startsWith('at') || !isSpace(trimmed.charCodeAt(2))) return null;
  return trimmed.slice(3).trimStart();
}

function atFrame(rest: string): string | null {
  const dotnet = dotnetCall(rest);
  if (dotnet !== null) {
    const method = dotnet.method.replace(/`\d+/g, '');
    if (DOTNET_LIBRARIES.some((prefix) => method.startsWith(prefix))) return null;
    return `${method} (${lastSegments(dotnet.file)})`;
  }
  const bare = dotnetBare(rest);
  // A JVM frame's parentheses hold a file or `Native Method` / `Unknown Source`, never typed parameters.
  const jvmFile = bare !== null && (bare.parameters === 'Native Method' || bare.parameters === 'Unknown Source');
  if (bare !== null && !jvmFile && (bare.parameters !== '' || DOTNET_LIBRARIES.some((prefix) => bare.method.startsWith(prefix)))) {
    const method = bare.method.replace(/`\d+/g, '');
    return DOTNET_LIBRARIES.some((prefix) => method.startsWith(prefix)) ? null : method;
  }
  const call = v8Call(rest);
  if (call !== null) return v8Frame(call.fn, call.location);
  const jvm = JVM_CALL.exec(rest);
  if (jvm !== null) {
    // Java 9+ prefixes a module or class loader: `java.base/java.lang.Thread.run`, `app//com.acme.Foo.bar`.
    const method = (jvm[1] ?? '').slice((jvm[1] ?? '').lastIndexOf('/') + 1);
    const file = jvm[2] ?? '';
    if (file === 'Native Method' || JVM_LIBRARIES.some((prefix) => method.startsWith(prefix))) return null;
    return `${method} (${file.replace(LINE_AND_COLUMN, '')})`;
  }
  return v8Frame('<anonymous>', rest.replace(/^async\s+/, ''));
}

/**
 * `Method(…) in File:line N`: the method before the first parenthesis, the file between the last
 * `) in ` and the `:line N` that ends the line.
 */
function dotnetCall(rest: string): { method: string; file: string } | null {
  const lineNumber = DOTNET_LINE_NUMBER.exec(rest);
  if (lineNumber === null || lineNumber.index < 6) return null;
  const fileAt = rest.lastIndexOf(') in ', lineNumber.index - 6);
  const open = rest.indexOf('(', 1);
  if (fileAt === -1 || open === -1 || open >= fileAt) return null;
  return { method: rest.slice(0, open), file: rest.slice(fileAt + 5, lineNumber.index) };
}

/** `Namespace.Type.Method(Type name, Type name)`, without a file. */
function dotnetBare(rest: string): { method: string; parameters: string } | null {
  const open = rest.indexOf('(');
  if (open === -1 || !rest.endsWith(')')) return null;
  const method = rest.slice(0, open);
  const dot = method.lastIndexOf('.');
  if (dot === -1 || !DOTNET_TYPE.test(method.slice(0, dot)) || !DOTNET_METHOD.test(method.slice(dot + 1))) return null;
  const parameters = rest.slice(open + 1, -1);
  const each = parameters.split(', ');
  // A trailing `, ` is allowed, as a frame cut off after a parameter ends so.
  const typed = parameters === '' || each.every((parameter, i) => DOTNET_PARAMETER.test(parameter) || (parameter === '' && i > 0 && i === each.length - 1));
  return typed ? { method, parameters } : null;
}

/**
 * V8: `fn (location)`, `fn [as alias] (location)`, after `async ` or `new `: the function is the
 * shortest start followed by white space and `(` (an alias between), the location what the
 * parentheses hold, to the end of the line. Positions in one run of white space lead to the same
 * `(`, so each run is looked at once.
 */
function v8Call(rest: string): { fn: string; location: string } | null {
  const end = rest.length - 1;
  if (end < 3 || rest.charCodeAt(end) !== CLOSE_PAREN) return null;
  const afterAsync = /^async\s+/.exec(rest)?.[0].length ?? 0;
  const afterNew = afterAsync + (/^new\s+/.exec(rest.slice(afterAsync))?.[0].length ?? 0);
  for (const start of new Set([afterNew, afterAsync, 0])) {
    // The first `]` at or after where an alias could close (`end` when there is none), and the
    // end of the white space after it.
    let close = -1;
    let afterClose = -1;
    for (let p = start + 1; p < end; ) {
      if (!isSpace(rest.charCodeAt(p))) {
        p++;
        continue;
      }
      const q = skipSpaces(rest, p, end);
      if (rest.startsWith('[as ', q)) {
        if (close !== end && close < q + 4) {
          close = indexOrEnd(rest, ']', q + 4, end);
          afterClose = skipSpaces(rest, close + 1, end);
        }
        if (close > q + 4 && close < end && afterClose > close + 1 && rest.charCodeAt(afterClose) === OPEN_PAREN && afterClose + 1 < end) {
          return { fn: rest.slice(start, p), location: rest.slice(afterClose + 1, end) };
        }
      }
      if (rest.charCodeAt(q) === OPEN_PAREN && q + 1 < end) return { fn: rest.slice(start, p), location: rest.slice(q + 1, end) };
      p = q;
    }
  }
  return null;
}

/** Ruby: the file up to the first `.rb:N:in '` (after at least one character), the method in the quotes that end the line. */
function rubyLine(line: string): { file: string; method: string } | null {
  if (!line.endsWith("'")) return null;
  const location = RUBY_LOCATION.exec(line.slice(1));
  if (location === null) return null;
  const methodAt = location.index + 1 + location[0].length;
  return methodAt < line.length - 1 ? { file: line.slice(0, location.index + 4), method: line.slice(methodAt, -1) } : null;
}

const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const SPACE = /\s/;

/** What `\s` matches, ASCII first. */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0xa0 && SPACE.test(String.fromCharCode(code)));
}

function skipSpaces(text: string, from: number, end: number): number {
  let at = from;
  while (at < end && isSpace(text.charCodeAt(at))) at++;
  return at;
}

function indexOrEnd(text: string, search: string, from: number, end: number): number {
  const at = text.indexOf(search, from);
  return at === -1 || at > end ? end : at;
}

function v8Frame(fn: string, location: string): string | null {
  if (location === '<anonymous>' || location === 'native' || location.startsWith('index ') || location.startsWith('eval at ')) return null;
  const path = location
    .replace(SCHEME_AND_HOST, '')
    .replace(LINE_AND_COLUMN, '')
    .replace(/[?#].*$/, '');
  if (path.startsWith('node:') || path.startsWith('internal/') || path.includes('node_modules')) return null;
  return `${fn} (${lastSegments(path)})`;
}

function lastSegments(path: string): string {
  return path
    .split(/[\\/]/)
    .filter((segment) => segment !== '' && segment !== '.')
    .slice(-2)
    .join('/');
}
