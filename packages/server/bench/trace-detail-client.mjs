// The client of bench/trace-detail.mjs, in a process of its own as a real client is: for each
// round, for each path in turn, it GETs the path with Node's fetch and reads the whole body as text
// (the server's time), then JSON.parses that text (the client's own time), timed apart. Prints one
// JSON line: per path, every round's server and parse milliseconds and the answer's size.
// Usage: node trace-detail-client.mjs BASE_URL ROUNDS WARMUPS PATH...
const [base, roundsText, warmupsText, ...paths] = process.argv.slice(2);
const rounds = Number(roundsText);
const warmups = Number(warmupsText);
const out = Object.fromEntries(paths.map((path) => [path, { serverMs: [], parseMs: [], bytes: 0, spans: 0 }]));
for (let round = 0; round < warmups + rounds; round++) {
  for (const path of paths) {
    const t = performance.now();
    const response = await fetch(`${base}${path}`);
    const text = await response.text();
    const server = performance.now() - t;
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
    const p = performance.now();
    const parsed = JSON.parse(text);
    const parse = performance.now() - p;
    const entry = out[path];
    entry.bytes = Buffer.byteLength(text);
    entry.spans = parsed.spans.length;
    if (round < warmups) continue;
    entry.serverMs.push(server);
    entry.parseMs.push(parse);
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
