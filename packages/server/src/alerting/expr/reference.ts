/** The alert rule expression language, in markdown, for docs/alerting.md and the API docs. */
export const EXPR_REFERENCE = `### Rule expressions

A rule is a value over a time window, optionally compared with a threshold; it fires when the
comparison holds (a rule without one is just evaluated).

\`\`\`text
p95(duration_ms{service="rag", name="retrieval"})[5m] > 3s
error_rate(spans{service="rag"})[5m] by (name) > 5%
count(logs{severity="error", text=~"time(d )?out"})[5m] >= 10
new_error_group(errors)[15m] > 0
rate(http.server.request.count{route="/chat"})[5m] by (route) > 20
avg(score{name="faithfulness"})[1h] < 0.7
count(score{name="thumbs", label="down"})[15m] > 5
anomaly(p95(duration_ms{service="rag"})[5m])[1d] > 3
\`\`\`

#### Grammar

\`\`\`text
rule      := value [ cmp number ]             cmp: >  >=  <  <=  ==  !=
value     := aggregate | anomaly
aggregate := fn '(' source [ '{' matcher, ... '}' ] ')' '[' window ']' [ 'by' '(' label, ... ')' ]
anomaly   := 'anomaly' '(' aggregate ')' '[' baseline ']'
matcher   := label op "value"                  op: =  !=  =~ (regex)  !~ (not regex)
\`\`\`

- **Windows** are a number and a unit: \`ms\`, \`s\`, \`m\`, \`h\`, \`d\`, \`w\` (\`30s\`, \`5m\`, \`1.5h\`);
  at least \`1s\`. An anomaly's **baseline** is at least 4× its inner window.
- **Thresholds** are numbers (\`3000\`, \`-1.5\`, \`2e3\`). A duration unit compares in milliseconds
  (\`> 3s\` is \`> 3000\`; \`ms\`, \`s\`, \`m\`, \`h\`), and \`%\` as a fraction (\`> 5%\` is \`> 0.05\`).
- **Strings** use double or single quotes, with \`\\"\` \`\\'\` \`\\\\\` \`\\n\` \`\\t\` escapes. Regex matchers
  (\`=~\`, \`!~\`) search the value, in RE2 syntax: \`text=~"timeout"\` matches a body that contains
  it; anchor with \`^…$\` for the whole value. Lookarounds and back-references are refused. Every
  pattern (rules and silences alike) is matched by RE2's linear-time engine, in SQL and in the
  server; a pattern may be 1,024 characters long and cost at most \`--regex-max-cost\` steps a
  character (a costlier one, such as \`(.*a){20}\`, is a \`400\` naming it), and reads at most
  \`--regex-max-chars\` characters of a value in the server (a longer value never matches whole).
  \`!=\` and \`!~\` also match records without the label.
- **Names** are \`[A-Za-z_][A-Za-z0-9_.]*\`; quote anything else (\`"queue wait"\`). Keywords (\`by\`,
  \`anomaly\`) are lowercase.
- \`anomaly(x)[baseline]\` scores how unusual the current value of \`x\` is against its values in
  the windows of the baseline period before it: a robust z-score, (value − median) / (1.4826 ×
  MAD), so a few past spikes do not move it. 3 is unusual, 5 very; compare it with a threshold
  such as \`> 3\` (or \`< -3\` for drops). Fewer than 6 past values give no data.

#### Sources and functions

| Source | Functions |
| --- | --- |
| \`spans\` (every span) | \`count\`, \`rate\` (per second), \`errors\` (error spans), \`error_rate\` (0..1), \`tokens\`, \`input_tokens\`, \`output_tokens\`, \`cost\` (USD), \`cost_per_workflow\` (average per trace), \`unpriced_calls\` (LLM calls with tokens but no price, which \`cost\` leaves out) |
| \`duration_ms\` (span durations) | \`avg\`, \`min\`, \`max\`, \`p50\`, \`p90\`, \`p95\`, \`p99\` |
| \`logs\` | \`count\`, \`rate\` |
| \`errors\` (error-group events) | \`count\` (occurrences), \`new_error_group\` (groups first seen in the window), \`regressed_error_group\` (resolved groups seen again) |
| \`score\` (scores, the newest version of each, at its time) | \`count\`, \`rate\` (every score, with a value or a label only); \`avg\`, \`min\`, \`max\`, \`sum\`, \`p50\`, \`p90\`, \`p95\`, \`p99\` (of the values) |
| any other name, or any quoted name: an app metric | \`rate\`, \`increase\` (counters); \`avg\`, \`min\`, \`max\`, \`sum\`, \`last\` (gauges); \`p50\`, \`p90\`, \`p95\`, \`p99\` (histograms) |

A name one typo away from a built-in source (\`span\`, \`duraton_ms\`) is refused; quote it to mean a
metric of that name.

#### Labels

Labels filter (\`{...}\`) and group (\`by (...)\`).

| Source | Labels |
| --- | --- |
| \`spans\`, \`duration_ms\` | \`service\`, \`name\`, \`kind\`, \`category\`, \`model\`, \`provider\`, \`operation\`, \`status\` (\`unset\`, \`ok\`, \`error\`), \`session\`, and attribute keys |
| \`logs\` | \`service\`, \`severity\` (\`trace\`, \`debug\`, \`info\`, \`warn\`, \`error\`, \`fatal\`; \`=\` and \`!=\` only), \`text\` (the body; \`=~\` and \`!~\` only, not in \`by\`), \`trace_id\`, and attribute keys |
| \`errors\` | \`service\`, \`fingerprint\`, \`type\` (exception type), \`provider\`, \`tool\` |
| \`score\` | \`name\`, \`label\`, \`source\` (\`otel\`, \`sdk\`, \`api\`, \`human\`, \`evaluator\`), \`author\` (the evaluator's \`name@version\`, the key or user) |
| metrics | any attribute key, and \`service\` |

An attribute key has a dot (\`service.version\`, \`gen_ai.request.model\`) or is quoted
(\`"tenant"\`); a bare name that is neither a built-in nor dotted is taken for a typo.
`;
