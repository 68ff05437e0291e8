// The protobuf reader of handwritten-server.mjs (one body, one position) and its JSON writing, as
// UTF-8 bytes into one buffer reused for every value.

// ---- the protobuf reader: one body, one position

export let buf = new Uint8Array(0);
export let pos = 0;

/** Starts reading `body` from its first byte. */
export function setBody(body) {
  buf = body;
  pos = 0;
}

/** Reads on from `at`. */
export function seek(at) {
  pos = at;
}

/** Steps over `n` bytes; the position after them. */
export function advance(n) {
  return (pos += n);
}

/** A varint of up to 32 bits (tags, lengths, uint32 and enum fields); the bits past 32 of a longer one are dropped. */
export function varint() {
  let b = buf[pos++];
  if (b < 0x80) return b;
  let value = b & 0x7f;
  b = buf[pos++];
  value |= (b & 0x7f) << 7;
  if (b < 0x80) return value;
  b = buf[pos++];
  value |= (b & 0x7f) << 14;
  if (b < 0x80) return value;
  b = buf[pos++];
  value |= (b & 0x7f) << 21;
  if (b < 0x80) return value;
  b = buf[pos++];
  value = (value | ((b & 0x0f) << 28)) >>> 0;
  for (let i = 0; i < 5 && b >= 0x80; i++) b = buf[pos++];
  return value;
}

/** A signed 64-bit varint as a number (exact below 2^53; two's complement for negatives). */
function int64() {
  const start = pos;
  let value = 0;
  let scale = 1;
  let b;
  do {
    b = buf[pos++];
    value += (b & 0x7f) * scale;
    scale *= 128;
  } while (b >= 0x80);
  if (pos - start === 10) return Number(BigInt.asIntN(64, readBigVarint(start)));
  return value;
}

function readBigVarint(start) {
  let value = 0n;
  let shift = 0n;
  for (let i = start; i < pos; i++, shift += 7n) value |= BigInt(buf[i] & 0x7f) << shift;
  return value;
}

export function fixed32() {
  const v = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24);
  pos += 4;
  return v >>> 0;
}

/** A fixed64 of nanoseconds as microseconds, exactly without BigInt (see wire.ts readMicros for the sum). */
export function micros() {
  const lo = fixed32();
  const hi = fixed32();
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
function double() {
  for (let i = 0; i < 8; i++) f64Bytes[i] = buf[pos + i];
  pos += 8;
  return f64[0];
}

export function skip(wireType) {
  if (wireType === 0) varint();
  else if (wireType === 1) pos += 8;
  else if (wireType === 2) {
    const length = varint(); // read before pos: `pos += varint()` adds to the old pos
    pos += length;
  }
  else if (wireType === 5) pos += 4;
  else throw new Error(`wire type ${wireType}`);
}

// ---- JSON as UTF-8 bytes, into one buffer reused for every value (DuckDB copies each)

export let out = new Uint8Array(1 << 16);
export let at = 0;

/** Empties the JSON buffer, once its bytes are handed on. */
export function resetOut() {
  at = 0;
}

function room(bytes) {
  if (at + bytes <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, at + bytes));
  bigger.set(out.subarray(0, at));
  out = bigger;
}

const SHORT_ESCAPES = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 };
export const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** A JSON string of the body's bytes `[from, to)`, escaped as JSON.stringify escapes. */
export function jsonString(from, to) {
  room((to - from) * 6 + 2);
  out[at++] = 34;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (b >= 0x20 && b !== 34 && b !== 92) out[at++] = b;
    else if (b === 34 || b === 92) {
      out[at++] = 92;
      out[at++] = b;
    } else if (SHORT_ESCAPES[b] !== undefined) {
      out[at++] = 92;
      out[at++] = SHORT_ESCAPES[b];
    } else {
      out[at++] = 92;
      out[at++] = 117;
      out[at++] = 48;
      out[at++] = 48;
      out[at++] = HEX_DIGITS[b >> 4];
      out[at++] = HEX_DIGITS[b & 15];
    }
  }
  out[at++] = 34;
}

export function ascii(text) {
  room(text.length);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
}

export function hexJson(from, to) {
  room((to - from) * 2 + 2);
  out[at++] = 34;
  for (let i = from; i < to; i++) {
    out[at++] = HEX_DIGITS[buf[i] >> 4];
    out[at++] = HEX_DIGITS[buf[i] & 15];
  }
  out[at++] = 34;
}

/** An AnyValue (length-prefixed) as JSON; an empty one is null. */
function anyValue() {
  const end = varint() + pos;
  const start = at;
  let wrote = false;
  while (pos < end) {
    const tag = varint();
    at = start; // a oneof: the last field wins
    wrote = true;
    switch (tag) {
      case 10: { // string_value
        const length = varint();
        jsonString(pos, pos + length);
        pos += length;
        break;
      }
      case 16: // bool_value
        ascii(varint() === 0 ? 'false' : 'true');
        break;
      case 24: // int_value
        ascii(String(int64()));
        break;
      case 33: { // double_value
        const d = double();
        ascii(Number.isFinite(d) ? String(d) : 'null');
        break;
      }
      case 42: // array_value
        list(false);
        break;
      case 50: // kvlist_value
        list(true);
        break;
      case 58: { // bytes_value, as base64 text
        const length = varint();
        ascii(`"${Buffer.from(buf.buffer, buf.byteOffset + pos, length).toString('base64')}"`);
        pos += length;
        break;
      }
      default:
        skip(tag & 7);
        at = start;
        wrote = false;
    }
  }
  if (!wrote) ascii('null');
}

/** An ArrayValue (`[…]`) or a KeyValueList (`{…}`), length-prefixed. */
function list(keyed) {
  const end = varint() + pos;
  room(1);
  out[at++] = keyed ? 123 : 91;
  let first = true;
  while (pos < end) {
    const tag = varint();
    if (tag !== 10) {
      skip(tag & 7);
      continue;
    }
    if (!first) {
      room(1);
      out[at++] = 44;
    }
    first = false;
    if (keyed) keyValue();
    else anyValue();
  }
  room(1);
  out[at++] = keyed ? 125 : 93;
}

/** A KeyValue (length-prefixed) as `"key":value`. */
function keyValue() {
  const end = varint() + pos;
  let keyFrom = 0;
  let keyTo = 0;
  let valueAt = -1;
  while (pos < end) {
    const tag = varint();
    if (tag === 10) {
      const length = varint();
      keyFrom = pos;
      keyTo = pos + length;
      pos += length;
    } else if (tag === 18) {
      valueAt = pos;
      skip(2);
    } else skip(tag & 7);
  }
  jsonString(keyFrom, keyTo);
  room(1);
  out[at++] = 58;
  if (valueAt === -1) ascii('null');
  else {
    pos = valueAt;
    anyValue();
    pos = end;
  }
}

/** Repeated KeyValues (the tags at `positions`, each at its length prefix) as a JSON object. */
export function attributesJson(positions, count) {
  room(1);
  out[at++] = 123;
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      room(1);
      out[at++] = 44;
    }
    pos = positions[i];
    keyValue();
  }
  room(1);
  out[at++] = 125;
}

/** The span's fields with `tag` from `from` (a tag's position) to `end`, as a JSON array of `write`'s. */
export function repeated(from, end, wanted, write) {
  pos = from;
  room(1);
  out[at++] = 91;
  let first = true;
  while (pos < end) {
    const tag = varint();
    if (tag !== wanted) {
      skip(tag & 7);
      continue;
    }
    if (!first) {
      room(1);
      out[at++] = 44;
    }
    first = false;
    write(varint() + pos);
  }
  room(1);
  out[at++] = 93;
}
