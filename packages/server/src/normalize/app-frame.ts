import { goAppFrame, isGoFrame } from './go-stack.js';

const V8_CALL = /^(?:async\s+)?(?:new\s+)?(.+?)(?:\s+\[as [^\]]+\])?\s+\((.+)\)$/;
const JVM_CALL = /^([\w$./<>]+)\(([^()]*)\)$/;
const AT_LINE = /^\s*at\s+(.+?)\s*$/;
const PYTHON_LINE = /^\s*File "([^"]+)", line \d+(?:, in (.+?))?\s*$/;
const SCHEME_AND_HOST = /^[a-z][\w+.-]*:\/\/[^/]*/i;
const LINE_AND_COLUMN = /(?::\d+){1,2}$/;
const JVM_LIBRARIES = ['java.', 'javax.', 'jdk.', 'sun.', 'com.sun.', 'kotlin.', 'kotlinx.'];
const PYTHON_LIBRARY = /site-packages|dist-packages|[\\/]lib[\\/]python3|^<frozen/i;

/** .NET: `at Acme.Orders.Service.Place(Order order) in /src/Orders/Service.cs:line 42`. */
const DOTNET_CALL = /^(.+?)\(.*\) in (.+):line \d+$/;
const DOTNET_LIBRARIES = ['System.', 'Microsoft.', 'Newtonsoft.'];
/** .NET without symbols: `at Acme.Orders.Service.Place(Order order, Int32 count)`, no file. */
const DOTNET_BARE = /^([A-Za-z_][\w.`<>+]*\.[\w`<>]+)\(((?:[\w.`<>[\],&]+ \w+(?:, )?)*)\)$/;
/** Ruby: `/app/services/order.rb:42:in 'Order#place'` (or a backtick before the method, before Ruby 3.4). */
const RUBY_LINE = /^\s*(.+?\.rb):\d+:in [`'](.+)'$/;
const RUBY_LIBRARY = /\/gems\/|\/rubygems\/|\/lib\/ruby\/|^<internal:/;
/** Rust: `  5: shop::orders::place`, then `at ./src/orders.rs:42:9`. */
const RUST_FUNCTION = /^\s*\d+: (.+?)\s*$/;
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
    const rust = RUST_FUNCTION.exec(line);
    const rustAt = rust === null ? null : AT_LINE.exec(next);
    if (rust !== null && rustAt !== null) {
      i++;
      const location = (rustAt[1] ?? '').replace(LINE_AND_COLUMN, '');
      if (!RUST_LIBRARY.test(rust[1]!) && !location.startsWith('/rustc/') && !location.includes('/.cargo/')) {
        return `${rust[1]!.replace(/::h[0-9a-f]{16}$/, '')} (${lastSegments(location)})`;
      }
      continue;
    }
    const at = AT_LINE.exec(line);
    if (at !== null) {
      const frame = atFrame(at[1] ?? '');
      if (frame !== null) return frame;
      continue;
    }
    const ruby = RUBY_LINE.exec(line);
    if (ruby !== null) {
      if (!RUBY_LIBRARY.test(ruby[1]!)) return `${ruby[2]!.replace(/^block (?:\(\d+ levels\) )?in /, '')} (${lastSegments(ruby[1]!)})`;
      continue;
    }
    const php = PHP_LINE.exec(line);
    if (php !== null) {
      if (!php[1]!.includes('/vendor/')) return `${php[3]!.trim()} (${lastSegments(php[1]!)})`;
      continue;
    }
    const file = PYTHON_LINE.exec(line);
    if (file !== null && !PYTHON_LIBRARY.test(file[1] ?? '')) python = `${file[2] ?? '<module>'} (${lastSegments(file[1] ?? '')})`;
  }
  return python;
}

function atFrame(rest: string): string | null {
  const dotnet = DOTNET_CALL.exec(rest);
  if (dotnet !== null) {
    const method = dotnet[1]!.replace(/`\d+/g, '');
    if (DOTNET_LIBRARIES.some((prefix) => method.startsWith(prefix))) return null;
    return `${method} (${lastSegments(dotnet[2]!)})`;
  }
  const bare = DOTNET_BARE.exec(rest);
  // A JVM frame's parentheses hold a file or `Native Method` / `Unknown Source`, never typed parameters.
  const jvmFile = bare !== null && (bare[2] === 'Native Method' || bare[2] === 'Unknown Source');
  if (bare !== null && !jvmFile && (bare[2] !== '' || DOTNET_LIBRARIES.some((prefix) => bare[1]!.startsWith(prefix)))) {
    const method = bare[1]!.replace(/`\d+/g, '');
    return DOTNET_LIBRARIES.some((prefix) => method.startsWith(prefix)) ? null : method;
  }
  const call = V8_CALL.exec(rest);
  if (call !== null) return v8Frame(call[1] ?? '', call[2] ?? '');
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

function v8Frame(fn: string, location: string): string | null {
  if (location === '<anonymous>' || location === 'native' || location.startsWith('index ') || location.startsWith('eval at ')) return null;
  const path = location.replace(SCHEME_AND_HOST, '').replace(LINE_AND_COLUMN, '').replace(/[?#].*$/, '');
  if (path.startsWith('node:') || path.startsWith('internal/') || path.includes('node_modules')) return null;
  return `${fn} (${lastSegments(path)})`;
}

function lastSegments(path: string): string {
  return path.split(/[\\/]/).filter((segment) => segment !== '' && segment !== '.').slice(-2).join('/');
}
