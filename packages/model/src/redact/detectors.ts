import { type Finder, regexFinder, type TextRange } from './finder.js';

/** Names of the built-in value detectors. */
export type DetectorName = 'email' | 'phone' | 'card' | 'ip' | 'bearer' | 'jwt' | 'apiKey';

/** A built-in value detector: what it looks for in strings and how it labels what it finds. */
export interface Detector {
  readonly name: DetectorName;
  /** Label in the replacement, e.g. `api_key` in `[REDACTED:api_key]`. */
  readonly label: string;
  /**
   * A cheap regex (no flags) that every string this detector can match passes. Only strings that
   * pass {@link DETECTOR_GATE} are tested, and the finder runs only when its hint passes.
   */
  readonly hint: RegExp;
  /** Finds the next match; for `bearer` the range covers the token only, not the scheme word. */
  readonly find: Finder;
}

// Most patterns open with a lookbehind for the characters that may not touch a match on the
// left: starting inside a longer word, number or hex run is how version strings, ids and hashes
// turn into false positives.

const EMAIL: Detector = { name: 'email', label: 'email', hint: /@/, find: findEmail };

// International: a `+`, a country digit, then digits or parenthesised groups with single
// separators. National (North American): (415) 555-0132, 415-555-0132, 415.555.0132. Bare digit
// runs are never phones: they are ids, counts and durations far more often.
const PHONE_INTERNATIONAL = String.raw`\+[1-9](?:[ .-]?(?:\(\d{1,4}\)|\d)){6,16}`;
const PHONE_NATIONAL = String.raw`(?:\(\d{3}\) ?|\d{3}[-.])\d{3}[-.]\d{4}`;
const PHONE: Detector = {
  name: 'phone',
  label: 'phone',
  hint: /\+[1-9]|\d(?:[ .()-]{0,2}\d){9}/,
  find: regexFinder(new RegExp(String.raw`(?<![\w+]|\d[-.])(?:${PHONE_INTERNATIONAL}|${PHONE_NATIONAL})(?!\w|[-.]\d)`, 'g'), { accept: hasPhoneDigitCount }),
};

const CARD: Detector = {
  name: 'card',
  label: 'card',
  hint: /\d(?:[ -]?\d){12}/,
  find: regexFinder(/(?<![\w.+])\d(?:[ -]?\d){12,18}(?!\w)/g, {
    accept: (match) => hasCardPrefix(match) && passesLuhn(match),
  }),
};

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IPV4 = String.raw`${OCTET}(?:\.${OCTET}){3}`;
const IPV4_ADDRESS: Detector = {
  name: 'ip',
  label: 'ip',
  hint: /\d\.\d{1,3}\.\d{1,3}\.\d/,
  // May be followed by a port (`:8080`), not by a dot and a digit: that is a longer dotted number.
  find: regexFinder(new RegExp(String.raw`(?<![\w.])${IPV4}(?!\w|\.\d)`, 'g')),
};
// IPv6 candidates are runs of hex groups and colons (with an optional dotted IPv4 tail); the
// group count and the single `::` are checked in code, which is clearer than the usual
// ten-branch regex and rejects times (`12:30:45`) and MAC addresses (six groups, no `::`).
const IPV6_ADDRESS: Detector = {
  name: 'ip',
  label: 'ip',
  hint: /::|:(?:[0-9A-Fa-f]{1,4}:){5}/,
  find: regexFinder(new RegExp(String.raw`(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:${IPV4}|[0-9A-Fa-f]{0,4})(?![\w:])`, 'g'), {
    accept: isIpv6,
  }),
};

const BEARER: Detector = {
  name: 'bearer',
  label: 'bearer',
  hint: /[Bb][Ee][Aa][Rr][Ee][Rr]/,
  // The scheme word is matched but only the token (group 1) reported, so the result reads
  // `Bearer [REDACTED:bearer]`. Token characters are RFC 6750 b64token.
  find: regexFinder(/\bbearer\s{1,4}([\w.~+/-]{8,}=*)/gi, {
    group: 1,
    // Prose such as "the Bearer authentication scheme" is letters only; real tokens are not.
    accept: (token) => /[\d.~+/=_-]|[a-z][A-Z]/.test(token),
  }),
};

const JWT: Detector = {
  name: 'jwt',
  label: 'jwt',
  hint: /eyJ/,
  // Header and payload are base64url JSON objects, so both begin with `eyJ` (`{"`). The signature
  // may be empty (alg "none").
  find: regexFinder(/(?<![\w-])eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g),
};

// Provider prefixes and lengths from each vendor's published format (OpenAI and Anthropic `sk-`,
// Stripe `sk_live_`, AWS, GitHub, Slack, Google). A boundary on both sides keeps `task-force` and
// `sk-learn` out; `sk-` keys also need a digit or capital letter, which random key material has
// and hyphenated words do not.
const API_KEY_FORMS = [
  String.raw`sk-[\w-]{20,}`,
  String.raw`[rs]k_(?:live|test)_[A-Za-z0-9]{16,}`,
  String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}`,
  String.raw`gh[opsur]_[A-Za-z0-9]{30,}`,
  String.raw`github_pat_\w{22,}`,
  String.raw`xox[abprs]-[A-Za-z0-9-]{10,}`,
  String.raw`AIza[\w-]{35}`,
];
const API_KEY: Detector = {
  name: 'apiKey',
  label: 'api_key',
  hint: /sk-|[rs]k_(?:live|test)_|A(?:KIA|SIA|Iza)|gh[opsur]_|github_pat_|xox[abprs]-/,
  find: regexFinder(new RegExp(String.raw`(?<![\w-])(?:${API_KEY_FORMS.join('|')})(?![\w-])`, 'g'), {
    accept: (match) => !match.startsWith('sk-') || /[\dA-Z]/.test(match.slice(3)),
  }),
};

/**
 * The built-in detectors, in the order their findings win a tie (same span of text): the most
 * specific first, so `Bearer eyJ…` is reported as a bearer token, not a JWT. `ip` has two.
 */
export const DETECTORS: readonly Detector[] = [BEARER, JWT, API_KEY, EMAIL, CARD, PHONE, IPV4_ADDRESS, IPV6_ADDRESS];

/**
 * One regex that every string any detector can match passes (the hints, factored by first
 * character), so a clean string costs one scan. Irregexp tries each top-level alternative at
 * every position: the plain union of the eight hints measured 1.5–2x slower on clean lines.
 */
export const DETECTOR_GATE = new RegExp(
  [
    '@', // email
    String.raw`\+[1-9]`, // international phone
    String.raw`\d(?:\.\d{1,3}\.\d{1,3}\.\d|(?:[ .()-]{0,2}\d){9})`, // IPv4 | national phone, card
    String.raw`:(?::|(?:[0-9A-Fa-f]{1,4}:){5})`, // IPv6
    '[Bb][Ee][Aa][Rr][Ee][Rr]',
    'eyJ',
    String.raw`sk-|[rs]k_(?:live|test)_|A(?:KIA|SIA|Iza)|g(?:h[opsur]_|ithub_pat_)|xox[abprs]-`, // API keys
  ].join('|'),
);

/** Every built-in detector name, for validation messages and the default set. */
export const DETECTOR_NAMES: readonly DetectorName[] = [...new Set(DETECTORS.map((detector) => detector.name))];

/** The labels findings are masked with (`[REDACTED:api_key]`), one per detector name. */
export const DETECTOR_LABELS: readonly string[] = [...new Set(DETECTORS.map((detector) => detector.label))];

const EMAIL_LOCAL_MAX = 64;
// Domain labels per RFC 1035, at most eight of them; the TLD must be letters, which keeps
// `pkg@1.2.3` out. Sticky: it is tried right after each `@`.
const EMAIL_DOMAIN = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-])/y;

/**
 * Emails are found from their `@` outwards rather than by one regex: a regex must try every word
 * start as a local part, which measured 4x slower on a 92-character line holding one address.
 */
function findEmail(text: string, from: number): TextRange | null {
  for (let at = text.indexOf('@', from); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > from && at - start <= EMAIL_LOCAL_MAX && isEmailLocalChar(text.charCodeAt(start - 1))) start--;
    // A local part longer than RFC 5321 allows is some other token that happens to hold an @.
    if (at - start > EMAIL_LOCAL_MAX) continue;
    while (text.charCodeAt(start) === 0x2e) start++;
    if (start === at) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = EMAIL_DOMAIN.exec(text);
    if (domain !== null) return { start, end: at + 1 + domain[0].length };
  }
  return null;
}

/** `[A-Za-z0-9._%+-]`, the local-part characters in practice. */
function isEmailLocalChar(c: number): boolean {
  const lower = c | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

/** E.164 allows at most 15 digits; fewer than 7 is an extension or a small number. */
function hasPhoneDigitCount(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) digits++;
  }
  return digits >= 7 && digits <= 15;
}

/**
 * True when the digits (separators skipped) begin like a card an issuer hands out: 3 (Amex,
 * Diners, JCB), 4 (Visa), 5 (Mastercard, Maestro), 6 (Discover, UnionPay) or 2221–2720
 * (Mastercard). One in ten random digit runs passes Luhn, and the common long numbers in
 * telemetry (epoch milli/micro/nanoseconds) start with 1, so the prefix does most of the work.
 */
export function hasCardPrefix(text: string): boolean {
  const first = text.charCodeAt(0) - 48;
  if (first >= 3 && first <= 6) return true;
  if (first !== 2) return false;
  const prefix = Number(text.replace(/[ -]/g, '').slice(0, 4));
  return prefix >= 2221 && prefix <= 2720;
}

/** The Luhn (mod 10) check over the digits of `text`, ignoring any other character. */
export function passesLuhn(text: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = text.length - 1; i >= 0; i--) {
    let digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) continue;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const IPV4_TAIL = new RegExp(`^${IPV4}$`);

/**
 * True for a textual IPv6 address (RFC 4291 §2.2): eight groups of 1–4 hex digits, or fewer with
 * exactly one `::`, the last two groups optionally written as dotted IPv4. The unspecified
 * address `::` alone is rejected: in text it is a separator far more often than an address.
 */
export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  let groups = 0;
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h] as string;
    if (half === '') continue;
    const parts = half.split(':');
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p] as string;
      const isLast = h === halves.length - 1 && p === parts.length - 1;
      if (isLast && part.includes('.')) {
        if (!IPV4_TAIL.test(part)) return false;
        groups += 2;
      } else if (HEX_GROUP.test(part)) {
        groups += 1;
      } else {
        return false;
      }
    }
  }
  return halves.length === 2 ? groups >= 1 && groups <= 7 : groups === 8;
}
