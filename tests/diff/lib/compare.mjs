// Result comparison for the differential benchmark tests (diff_bench.mjs): turns each
// engine's rows into typed cells, finds a query's ORDER BY keys and LIMIT, and compares
// two results row by row. Knows no engine; diff_bench.mjs feeds it Basalt's JSON output
// and DuckDB's rows.
//
// Cells (what `cell()` makes from a value and its SQL type):
//   null                               SQL NULL
//   {kind: 'int', exact, scale: 0}     INTEGER, BIGINT, HUGEINT, ...: exact is a BigInt
//   {kind: 'dec', exact, scale}        DECIMAL(p,s): the value is exact / 10^scale
//   {kind: 'float', value}             DOUBLE, REAL
//   {kind: 'str'|'date'|'ts'|'bool', text}   compared as text, exactly
//
// Numbers (`cellsEqual`):
//   - two exact numbers (integers, decimals) must be equal, whatever their scales ...
//   - ... except that a DECIMAL of scale s may be the other side rounded to s digits: a
//     difference of at most half a unit in its last place is accepted when the other side
//     has more fractional digits (Basalt prints a DECIMAL with its type's scale);
//   - when either side is a DOUBLE: |a - b| <= relTol * max(|a|, |b|) (relTol 1e-9), or
//     within half a unit of the other side's last digit if that side is a DECIMAL;
//   - integers never get that half unit: 2 against 2.5 is a difference.
// A number never equals a string; dates and strings compare exactly.

export const DEFAULT_REL_TOL = 1e-9;

// --- cells -------------------------------------------------------------------------------

const INT_TYPES = new Set([
  'TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
  'UINTEGER', 'UBIGINT', 'UHUGEINT', 'INT2', 'INT4', 'INT8',
]);
const FLOAT_TYPES = new Set(['DOUBLE', 'REAL', 'FLOAT', 'FLOAT4', 'FLOAT8', 'DOUBLE PRECISION']);

// The class of a SQL type name: 'int', 'dec' (with its scale), 'float', 'date', 'ts',
// 'bool' or 'str'.
export function typeClass(typeName) {
  const t = String(typeName).trim().toUpperCase();
  const dec = /^(DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (dec) return { kind: 'dec', scale: Number(dec[3]) };
  if (t === 'DECIMAL' || t === 'NUMERIC') return { kind: 'dec', scale: 0 };
  if (INT_TYPES.has(t)) return { kind: 'int', scale: 0 };
  if (FLOAT_TYPES.has(t)) return { kind: 'float' };
  if (t === 'DATE') return { kind: 'date' };
  if (t.startsWith('TIMESTAMP')) return { kind: 'ts' };
  if (t === 'BOOLEAN' || t === 'BOOL') return { kind: 'bool' };
  return { kind: 'str' };
}

// An exact decimal text ("-12.50", "7", "1e3" is refused) as {exact: BigInt, scale}.
function parseExact(text) {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  const digits = (m[2] || '0') + frac;
  let exact = BigInt(digits);
  if (m[1] === '-') exact = -exact;
  return { exact, scale: frac.length };
}

// A cell from a value as an engine printed it (a string, a JS number, a bigint, a boolean
// or null) and the SQL type of its column. Numbers arrive as text wherever the engine
// gives text, so that decimals stay exact. Throws on a value that does not fit its type.
export function cell(value, typeName) {
  if (value === null || value === undefined) return null;
  const cls = typeClass(typeName);
  const text = typeof value === 'string' ? value : String(value);
  switch (cls.kind) {
    case 'int':
    case 'dec': {
      const parsed = parseExact(text);
      if (parsed) return { kind: cls.kind, exact: parsed.exact, scale: parsed.scale };
      // An exact type printed in exponent form: keep it as a float.
      const f = Number(text);
      if (Number.isNaN(f)) throw new Error(`not a number for ${typeName}: ${text}`);
      return { kind: 'float', value: f };
    }
    case 'float': {
      const f = Number(text === 'Infinity' || text === '-Infinity' || text === 'NaN'
        ? text : text.trim());
      if (Number.isNaN(f) && text !== 'NaN') throw new Error(`not a number for ${typeName}: ${text}`);
      return { kind: 'float', value: f };
    }
    case 'bool':
      return { kind: 'bool', text: text === 'true' || text === 't' || text === '1' ? 'true' : 'false' };
    default:
      return { kind: cls.kind, text };
  }
}

function isNumber(c) {
  return c.kind === 'int' || c.kind === 'dec' || c.kind === 'float';
}

function toFloat(c) {
  if (c.kind === 'float') return c.value;
  return Number(c.exact) / 10 ** c.scale; // exact enough for a 1e-9 tolerance
}

function pow10(n) {
  return 10n ** BigInt(n);
}

// Is `narrow` (a DECIMAL) `wide` rounded to narrow's scale? |wide - narrow| <= 1/2 unit.
function roundsTo(wide, narrow) {
  if (wide.kind === 'float') {
    const half = 0.5 / 10 ** narrow.scale;
    const a = wide.value;
    const b = toFloat(narrow);
    return Math.abs(a - b) <= half * (1 + 1e-12) + DEFAULT_REL_TOL * Math.max(Math.abs(a), Math.abs(b));
  }
  // both exact: compare at wide's scale, 2 * |diff| <= 10^(wide.scale - narrow.scale)
  const shift = wide.scale - narrow.scale;
  const diff = wide.exact - narrow.exact * pow10(shift);
  const abs = diff < 0n ? -diff : diff;
  return 2n * abs <= pow10(shift);
}

// Are two cells the same value? relTol applies where a DOUBLE is involved.
export function cellsEqual(a, b, relTol = DEFAULT_REL_TOL) {
  if (a === null || b === null) return a === b;
  if (isNumber(a) && isNumber(b)) {
    if (a.kind !== 'float' && b.kind !== 'float') {
      const scale = Math.max(a.scale, b.scale);
      if (a.exact * pow10(scale - a.scale) === b.exact * pow10(scale - b.scale)) return true;
      if (a.kind === 'dec' && a.scale < b.scale) return roundsTo(b, a);
      if (b.kind === 'dec' && b.scale < a.scale) return roundsTo(a, b);
      return false;
    }
    const x = toFloat(a);
    const y = toFloat(b);
    if (x === y) return true;
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    if (Math.abs(x - y) <= relTol * Math.max(Math.abs(x), Math.abs(y))) return true;
    if (a.kind === 'dec') return roundsTo(b, a);
    if (b.kind === 'dec') return roundsTo(a, b);
    return false;
  }
  if (isNumber(a) || isNumber(b)) return false;
  return a.kind === b.kind && a.text === b.text;
}

// A total order on cells for sorting rows within ties: NULL first, then numbers by value,
// then text by code unit. Only needs to be consistent, not SQL's order.
function cellOrder(a, b) {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const an = isNumber(a);
  const bn = isNumber(b);
  if (an !== bn) return an ? -1 : 1;
  if (an) {
    const x = toFloat(a);
    const y = toFloat(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

function rowOrder(r, s) {
  for (let col = 0; col < r.length; col++) {
    const c = cellOrder(r[col], s[col]);
    if (c !== 0) return c;
  }
  return 0;
}

// A cell as the report prints it.
export function showCell(c) {
  if (c === null) return 'NULL';
  switch (c.kind) {
    case 'int':
      return c.exact.toString();
    case 'dec': {
      const neg = c.exact < 0n;
      let digits = (neg ? -c.exact : c.exact).toString().padStart(c.scale + 1, '0');
      if (c.scale > 0) digits = `${digits.slice(0, -c.scale)}.${digits.slice(-c.scale)}`;
      return (neg ? '-' : '') + digits;
    }
    case 'float':
      return String(c.value);
    default:
      return JSON.stringify(c.text);
  }
}

export function showRow(row) {
  return row ? `(${row.map(showCell).join(', ')})` : '(none)';
}

// --- the query's ORDER BY and LIMIT ---------------------------------------------------------

// The SQL text without comments and with string literals blanked (same length), so that
// keywords can be searched for at the top level.
function blankSql(sql) {
  let out = '';
  for (let i = 0; i < sql.length;) {
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (sql[i] === "'") {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out += `'${'_'.repeat(Math.max(0, j - i - 1))}'`;
      i = j + 1;
    } else {
      out += sql[i];
      i++;
    }
  }
  return out;
}

// The top-level (paren depth 0) ORDER BY of a query and its LIMIT:
// {keys: [{name | position, desc}], limit: number | null}. Keys are the ORDER BY items as
// written: a column name or alias (qualifier dropped) or a 1-based position.
export function parseOrderBy(sql) {
  const text = blankSql(sql);
  const depthAt = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    depthAt.push(depth);
    if (text[i] === ')') depth--;
  }
  const topLevel = (re) => {
    let found = null;
    for (const m of text.matchAll(re)) if (depthAt[m.index] === 0) found = m;
    return found;
  };
  const order = topLevel(/\border\s+by\b/gi);
  const limitMatch = topLevel(/\blimit\s+(\d+)/gi);
  const limit = limitMatch ? Number(limitMatch[1]) : null;
  if (!order) return { keys: [], limit };
  let end = text.length;
  for (const re of [/\blimit\b/gi, /\boffset\b/gi, /;/g, /\bfetch\b/gi]) {
    for (const m of text.matchAll(re)) {
      if (m.index > order.index && depthAt[m.index] === 0 && m.index < end) end = m.index;
    }
  }
  const body = text.slice(order.index + order[0].length, end);
  const items = [];
  let level = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    const ch = body[i];
    if (ch === '(') level++;
    if (ch === ')') level--;
    if (i === body.length || (ch === ',' && level === 0)) {
      items.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  const keys = items.filter((s) => s.length > 0).map((item) => {
    let rest = item.replace(/\s+nulls\s+(first|last)\s*$/i, '');
    let desc = false;
    const dir = /\s+(asc|desc)\s*$/i.exec(rest);
    if (dir) {
      desc = dir[1].toLowerCase() === 'desc';
      rest = rest.slice(0, dir.index);
    }
    rest = rest.trim();
    if (/^\d+$/.test(rest)) return { position: Number(rest), desc, text: item };
    const ident = /^(?:"?[A-Za-z_][\w$]*"?\.)?"?([A-Za-z_][\w$]*)"?$/.exec(rest);
    return { name: ident ? ident[1] : null, expr: rest, desc, text: item };
  });
  return { keys, limit };
}

// The output column indexes of ORDER BY keys, given the result's column names. Throws
// when a key is an expression or names no output column: the harness cannot then tell
// ties apart, and says so instead of guessing.
export function resolveOrderKeys(keys, columnNames) {
  const lower = columnNames.map((n) => String(n).toLowerCase());
  return keys.map((key) => {
    if (key.position !== undefined) {
      if (key.position < 1 || key.position > columnNames.length)
        throw new Error(`ORDER BY position ${key.position} is out of range`);
      return key.position - 1;
    }
    const idx = key.name ? lower.indexOf(key.name.toLowerCase()) : -1;
    if (idx < 0) {
      throw new Error(`ORDER BY ${key.expr} is not an output column (ties could not be told apart)`);
    }
    return idx;
  });
}

// --- comparing results -------------------------------------------------------------------

function rowsEqual(r, s, relTol) {
  if (r.length !== s.length) return false;
  for (let col = 0; col < r.length; col++) if (!cellsEqual(r[col], s[col], relTol)) return false;
  return true;
}

function keysEqual(r, s, keyCols, relTol) {
  return keyCols.every((col) => cellsEqual(r[col], s[col], relTol));
}

// The first position where two row lists differ, for the report.
function firstDifference(actual, expected, relTol) {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (!actual[i] || !expected[i] || !rowsEqual(actual[i], expected[i], relTol)) return i;
  }
  return -1;
}

function differs(where, actualRow, expectedRow, note) {
  return { ok: false, row: where, actual: actualRow ?? null, expected: expectedRow ?? null, note };
}

// Compares `actual` (the engine under test) with `expected` (the reference), both arrays
// of rows of cells. `keyCols`: output columns of the ORDER BY (empty: no order, compared
// as multisets); `limit`: the query's LIMIT or null.
//
// Rows must come in the same order. Within a run of rows whose ORDER BY keys are equal
// (ties), any order is right, so such a run is compared as a sorted multiset; and where
// a LIMIT cut the result inside such a run (the last run when the result has exactly
// LIMIT rows), any subset of the tied rows is right, so only the keys of that run are
// compared.
//
// Returns {ok: true} or {ok: false, row (0-based, -1 for the shape), actual, expected,
// note}.
export function compareResults(actual, expected, { keyCols = [], limit = null, relTol = DEFAULT_REL_TOL } = {}) {
  const width = expected.length > 0 ? expected[0].length : actual.length > 0 ? actual[0].length : 0;
  for (const rows of [actual, expected]) {
    for (const row of rows) {
      if (row.length !== width) {
        const a = actual[0] ?? [];
        const e = expected[0] ?? [];
        return differs(-1, actual[0], expected[0], `${a.length} columns, expected ${e.length}`);
      }
    }
  }
  if (actual.length !== expected.length) {
    const i = firstDifference(actual, expected, relTol);
    return differs(i, actual[i], expected[i], `${actual.length} rows, expected ${expected.length}`);
  }
  if (keyCols.length === 0) {
    const a = [...actual].sort(rowOrder);
    const e = [...expected].sort(rowOrder);
    const i = firstDifference(a, e, relTol);
    return i < 0 ? { ok: true } : differs(i, a[i], e[i], 'no ORDER BY: rows compared as sorted sets');
  }
  const n = expected.length;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && keysEqual(expected[end], expected[start], keyCols, relTol)) end++;
    for (let i = start; i < end; i++) {
      if (!keysEqual(actual[i], expected[start], keyCols, relTol)) {
        // out of order, or a different row: show the row that should be here
        return differs(i, actual[i], expected[i], 'ORDER BY keys differ');
      }
    }
    const cutByLimit = limit !== null && n === limit && end === n && end - start > 1;
    if (!cutByLimit) {
      if (end - start === 1) {
        if (!rowsEqual(actual[start], expected[start], relTol)) return differs(start, actual[start], expected[start]);
      } else {
        const a = actual.slice(start, end).sort(rowOrder);
        const e = expected.slice(start, end).sort(rowOrder);
        const k = firstDifference(a, e, relTol);
        if (k >= 0) {
          return differs(start + k, a[k], e[k], `within ${end - start} rows tied on the ORDER BY keys (compared as sorted sets)`);
        }
      }
    }
    start = end;
  }
  return { ok: true };
}

// --- rewriting intervals -----------------------------------------------------------------

function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// date 'Y-M-D' +/- interval 'N' day|month|year  ->  date 'Y2-M2-D2', computed as PostgreSQL
// does (months and years keep the day of the month, clamped to the month's last day). The
// result compares with a DATE column exactly as the timestamp the interval form gives.
// Other intervals are left as they are.
export function rewriteIntervals(sql) {
  const re = /date\s+'(\d{4})-(\d{2})-(\d{2})'\s*([+-])\s*interval\s+'(\d+)'\s+(day|month|year)s?\b/gi;
  return sql.replace(re, (whole, y, m, d, sign, n, unit) => {
    const k = Number(n) * (sign === '-' ? -1 : 1);
    let year = Number(y);
    let month = Number(m);
    let day = Number(d);
    const u = unit.toLowerCase();
    if (u === 'day') {
      const t = new Date(Date.UTC(year, month - 1, day + k));
      year = t.getUTCFullYear();
      month = t.getUTCMonth() + 1;
      day = t.getUTCDate();
    } else {
      const months = year * 12 + (month - 1) + (u === 'year' ? 12 * k : k);
      year = Math.floor(months / 12);
      month = (months % 12) + 1;
      day = Math.min(day, daysInMonth(year, month));
    }
    const pad = (v, w) => String(v).padStart(w, '0');
    return `date '${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}'`;
  });
}

// --- a JSON reader that keeps numbers' text ---------------------------------------------

// JSON.parse turns 515828092.828741 into a double; Basalt's DECIMALs must stay exact.
// Numbers come back as {json_number: "text"} objects; everything else as JSON.parse would.
export function parseJsonKeepNumbers(text) {
  let i = 0;
  const fail = (what) => {
    throw new Error(`bad JSON at ${i}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        obj[key] = value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === '}') return obj;
        fail('expected , or }');
      }
    }
    if (ch === '[') {
      i++;
      const arr = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === ']') return arr;
        fail('expected , or ]');
      }
    }
    if (ch === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected character');
    i += m[0].length;
    return { json_number: m[0] };
  };
  const str = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const result = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}
