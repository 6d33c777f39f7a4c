#!/usr/bin/env node
// Self-test of the differential benchmark harness (diff_bench.mjs, lib/compare.mjs): that it
// passes equal results and catches a wrong row, without needing Basalt to run joins.
//
//   node tests/diff/diff_bench_selftest.mjs --gen TPCHGEN [--basalt BIN] [--work DIR]
//
// 1. unit checks of the comparison: numbers (exact, DOUBLE tolerance, DECIMAL rounding),
//    strings, dates, NULLs, row order, ties, a LIMIT cutting through ties, ORDER BY and
//    LIMIT parsing, interval rewriting, the JSON reader, a failing engine reported as FAIL;
// 2. TPC-H SF 0.01, DuckDB against a second DuckDB instance: all 22 queries must pass, and
//    each must fail once one value of its result is altered (or a row added when empty);
// 3. with --basalt: Q1 and Q6 with their intervals rewritten as dates must pass against
//    DuckDB, and fail once a value of Basalt's result is altered; a few single-table
//    queries over every column type (strings, dates, decimals, ties, a LIMIT) must pass.
// Prints one line per check, then "N passed, N failed"; exits 1 if any check failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cell, cellsEqual, compareResults, parseJsonKeepNumbers, parseOrderBy, resolveOrderKeys,
  rewriteIntervals,
} from './lib/compare.mjs';
import { BasaltEngine, DuckDBEngine } from './lib/engines.mjs';
import { SUITES, listQueries, prepare, resetWorkDir, runQuery } from './diff_bench.mjs';

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `: ${detail}` : ''}`);
}

// rows from plain values: [[value, ...], ...] with one SQL type per column
function rows(types, values) {
  return values.map((r) => r.map((v, k) => cell(v, types[k])));
}

function unitChecks() {
  const eq = (a, ta, b, tb) => cellsEqual(cell(a, ta), cell(b, tb));
  check('decimal = decimal of another scale', eq('12.50', 'DECIMAL(15,2)', '12.5000', 'DECIMAL(38,4)'));
  check('decimal off by one cent differs', !eq('371884.00', 'DECIMAL(18,2)', '371884.01', 'DECIMAL(38,2)'));
  check('big exact sum off by 1e-6 differs', !eq('515828092.828741', 'DECIMAL(18,6)', '515828092.828742', 'DECIMAL(38,6)'));
  check('decimal rounded to its scale = double', eq('25.43', 'DECIMAL(18,2)', 25.427965811965812, 'DOUBLE'));
  check('decimal more than half a unit off a double differs', !eq('25.42', 'DECIMAL(18,2)', 25.427965811965812, 'DOUBLE'));
  check('decimal(2) = decimal(6) rounded', eq('1.23', 'DECIMAL(18,2)', '1.234999', 'DECIMAL(38,6)'));
  check('decimal(2) != decimal(6) past half a unit', !eq('1.23', 'DECIMAL(18,2)', '1.235001', 'DECIMAL(38,6)'));
  check('doubles within 1e-9 relative', eq(0.3333333333333333, 'DOUBLE', 0.33333333333333337, 'DOUBLE'));
  check('doubles 1e-7 apart differ', !eq(1.0, 'DOUBLE', 1.0000001, 'DOUBLE'));
  check('integer = bigint', eq(14625, 'INTEGER', '14625', 'BIGINT'));
  check('integer off by one differs', !eq(14625, 'BIGINT', '14626', 'BIGINT'));
  check('integer 2 != double 2.5 (no rounding for integers)', !eq(2, 'BIGINT', 2.5, 'DOUBLE'));
  check('double 1995 = bigint 1995', eq(1995, 'DOUBLE', '1995', 'BIGINT'));
  check('string exact', eq('Supplier#000000001', 'VARCHAR', 'Supplier#000000001', 'VARCHAR'));
  check('string with a trailing blank differs', !eq('ALGERIA ', 'VARCHAR', 'ALGERIA', 'VARCHAR'));
  check('date exact', eq('1995-03-15', 'DATE', '1995-03-15', 'DATE'));
  check('date one day off differs', !eq('1995-03-15', 'DATE', '1995-03-16', 'DATE'));
  check('date != timestamp text', !eq('1998-09-02', 'DATE', '1998-09-02 00:00:00', 'TIMESTAMP'));
  check('number != string', !eq('1', 'INTEGER', '1', 'VARCHAR'));
  check('NULL = NULL, NULL != 0', eq(null, 'INTEGER', null, 'BIGINT') && !eq(null, 'INTEGER', 0, 'INTEGER'));

  const T = ['VARCHAR', 'DECIMAL(15,2)', 'BIGINT'];
  const base = [['A', '3.00', 1], ['B', '2.00', 2], ['B', '2.00', 3], ['C', '1.00', 4]];
  const keyed = { keyCols: [1], limit: null };
  check('same rows pass', compareResults(rows(T, base), rows(T, base), keyed).ok);
  const tieSwap = [base[0], base[2], base[1], base[3]];
  check('rows swapped within ties pass', compareResults(rows(T, tieSwap), rows(T, base), keyed).ok);
  const orderSwap = [base[1], base[0], base[2], base[3]];
  const r1 = compareResults(rows(T, orderSwap), rows(T, base), keyed);
  check('rows out of ORDER BY order fail at row 1', !r1.ok && r1.row === 0, JSON.stringify(r1.note));
  const altered = base.map((r) => [...r]);
  altered[2][2] = 9;
  const r2 = compareResults(rows(T, altered), rows(T, base), keyed);
  check('an altered value in a tie group fails', !r2.ok && r2.row >= 1 && r2.row <= 2);
  const altered2 = base.map((r) => [...r]);
  altered2[3][0] = 'D';
  const r3 = compareResults(rows(T, altered2), rows(T, base), keyed);
  check('an altered string fails at its row', !r3.ok && r3.row === 3);
  const r4 = compareResults(rows(T, base.slice(0, 3)), rows(T, base), keyed);
  check('a missing row fails', !r4.ok && /3 rows, expected 4/.test(r4.note));
  const r5 = compareResults(rows(['VARCHAR'], [['A']]), rows(T, base.slice(0, 1)), keyed);
  check('a missing column fails', !r5.ok && r5.row === -1);
  // LIMIT 3 cuts the tie group of 2.00 (rows 2-3 of 4): any of the tied rows is right
  const cutExpected = [base[0], base[1], base[2]];
  const cutActual = [base[0], base[1], ['B', '2.00', 7]];
  check('LIMIT through ties: another tied row passes',
    compareResults(rows(T, cutActual), rows(T, cutExpected), { keyCols: [1], limit: 3 }).ok);
  check('without that LIMIT the same rows fail',
    !compareResults(rows(T, cutActual), rows(T, cutExpected), { keyCols: [1], limit: null }).ok);
  const cutWrongKey = [base[0], base[1], ['B', '2.01', 2]];
  check('LIMIT through ties: a wrong key still fails',
    !compareResults(rows(T, cutWrongKey), rows(T, cutExpected), { keyCols: [1], limit: 3 }).ok);
  const unordered = [base[3], base[1], base[0], base[2]];
  check('no ORDER BY: any order passes', compareResults(rows(T, unordered), rows(T, base), { keyCols: [] }).ok);
  const unorderedBad = [base[3], base[1], base[0], base[0]];
  check('no ORDER BY: a duplicated row fails', !compareResults(rows(T, unorderedBad), rows(T, base), { keyCols: [] }).ok);

  const ob = parseOrderBy(`select a, (select x from t order by y) as b from t -- order by z\n
    where s = 'order by q' order by s_acctbal desc, t.n_name, 3 nulls last limit 100;`);
  check('ORDER BY parsed at the top level only',
    ob.limit === 100 && ob.keys.length === 3 && ob.keys[0].name === 's_acctbal' && ob.keys[0].desc &&
    ob.keys[1].name === 'n_name' && ob.keys[2].position === 3, JSON.stringify(ob));
  check('ORDER BY keys resolve to output columns',
    JSON.stringify(resolveOrderKeys(ob.keys, ['s_name', 'N_NAME', 's_acctbal'])) === '[2,1,2]');
  let threw = false;
  try {
    resolveOrderKeys(parseOrderBy('select a from t order by a + 1').keys, ['a']);
  } catch {
    threw = true;
  }
  check('an ORDER BY expression is refused, not guessed', threw);
  check('no ORDER BY, no LIMIT', JSON.stringify(parseOrderBy('select 1;')) === '{"keys":[],"limit":null}');

  check('interval days rewritten',
    rewriteIntervals("l_shipdate <= date '1998-12-01' - interval '90' day") === "l_shipdate <= date '1998-09-02'");
  check('interval year rewritten',
    rewriteIntervals("x < date '1994-01-01' + interval '1' year") === "x < date '1995-01-01'");
  check('interval months clamp to the month end',
    rewriteIntervals("date '1996-01-31' + interval '1' month") === "date '1996-02-29'");
  check('interval months across a year',
    rewriteIntervals("date '1993-10-01' + interval '3' month") === "date '1994-01-01'");

  const j = parseJsonKeepNumbers('{"columns":["a","b"],"types":["DECIMAL(18,6)","VARCHAR"],"rows":[[515828092.828741,"x\\"y"],[-1e3,null]]}');
  check('JSON numbers keep their text',
    j.rows[0][0].json_number === '515828092.828741' && j.rows[0][1] === 'x"y' && j.rows[1][0].json_number === '-1e3' && j.rows[1][1] === null);
}

// Single-table queries that Basalt runs today (see endToEnd).
const PROBES = [
  ['probe_supplier', 'select s_suppkey, s_name, s_address, s_nationkey, s_phone, s_acctbal, s_comment from supplier order by s_suppkey;'],
  ['probe_ties_limit', 'select o_orderdate, count(*) as n from orders group by o_orderdate order by n desc limit 7;'],
  ['probe_ties', 'select o_orderpriority, o_orderstatus, o_shippriority from orders where o_orderkey < 200 order by o_orderpriority, o_orderstatus;'],
  ['probe_lineitem', "select l_orderkey, l_linenumber, l_quantity, l_extendedprice, l_discount, l_shipdate, l_shipmode, l_comment from lineitem where l_shipdate between date '1995-06-01' and date '1995-06-03' order by l_orderkey, l_linenumber;"],
  ['probe_aggregates', 'select l_shipmode, count(*), count(distinct l_partkey), sum(l_extendedprice * l_discount), avg(l_extendedprice), min(l_receiptdate), max(l_comment) from lineitem group by l_shipmode order by l_shipmode;'],
  ['probe_unordered', "select p_type, p_size, p_retailprice from part where p_brand = 'Brand#23' and p_size < 10;"],
];

// Alters one value of a result (or adds a row when it has none): what a wrong answer
// from the engine under test would look like. Row 1 is always in a group the comparison
// checks fully; the column rotates with the query so that every type gets altered.
function mutate(result, query) {
  const out = { ...result, rows: result.rows.map((r) => [...r]) };
  const width = result.columns.length;
  if (out.rows.length === 0) {
    out.rows.push(new Array(width).fill(null));
    return out;
  }
  const col = Number(query.name.replace(/\D/g, '')) % width;
  const c = out.rows[0][col];
  let changed;
  if (c === null) changed = { kind: 'int', exact: 0n, scale: 0 };
  else if (c.kind === 'int' || c.kind === 'dec') changed = { ...c, exact: c.exact + 1n };
  else if (c.kind === 'float') changed = { ...c, value: c.value === 0 ? 1e-6 : c.value * (1 + 1e-7) };
  else if (c.kind === 'date') changed = { ...c, text: c.text.replace(/\d$/, (d) => String((Number(d) + 1) % 10)) };
  else changed = { ...c, text: `${c.text}~` };
  out.rows[0][col] = changed;
  return out;
}

async function endToEnd(args) {
  const opts = {
    bench: 'tpch', scale: 0.01, work: args.work, queries: null, rewriteIntervals: false,
    sut: 'duckdb', threads: null, timeout: 60, relTol: 1e-9, gen: args.gen, basalt: args.basalt,
  };
  const queries = listQueries(SUITES.tpch, null);
  const env = await prepare(opts);
  let allPass = true;
  let allCaught = true;
  for (const q of queries) {
    const r = await runQuery(q, env, opts);
    if (!r.ok) {
      allPass = false;
      console.log(`     ${q.name}: ${r.message}`);
    }
    const m = await runQuery(q, env, opts, mutate);
    if (m.ok) {
      allCaught = false;
      console.log(`     ${q.name}: an altered result passed`);
    }
  }
  check('duckdb against duckdb: the 22 TPC-H queries pass', allPass);
  check('duckdb against duckdb: each of the 22 fails with one value altered', allCaught);

  // An engine that answers an error is a FAIL with its SQLSTATE, never a skip.
  const failing = { name: 'basalt', query: () => ({ error: { sqlstate: '0A000', message: 'joins are not supported yet' } }) };
  const f = await runQuery(queries[1], { reference: env.reference, sut: failing }, opts);
  check('an engine error is a FAIL that names its SQLSTATE', !f.ok && /0A000: joins/.test(f.message), f.message);
  env.sut.close();

  if (args.basalt) {
    const bopts = { ...opts, sut: 'basalt', rewriteIntervals: true };
    const basalt = new BasaltEngine(args.basalt, path.join(opts.work, 'basalt'), { timeoutMs: 60000 });
    basalt.load(path.join(SUITES.tpch.dir, 'load.sh'), path.join(opts.work, 'tbl'));
    const benv = { reference: env.reference, sut: basalt };
    for (const q of listQueries(SUITES.tpch, 'q01,q06')) {
      const r = await runQuery(q, benv, bopts);
      check(`basalt ${q.name} (intervals rewritten) passes against duckdb`, r.ok, r.message);
      const m = await runQuery(q, benv, bopts, mutate);
      check(`basalt ${q.name} with one value altered fails`, !m.ok, m.message);
    }
    // Join-free queries over every column type Basalt prints (strings with blanks and
    // commas, dates, decimals, doubles, big counts), with ties and a LIMIT through them.
    for (const [name, sql] of PROBES) {
      const r = await runQuery({ name, sql }, benv, bopts);
      check(`basalt ${name} passes against duckdb`, r.ok, r.message);
    }
  }
  env.reference.close();
}

async function main() {
  const argv = process.argv.slice(2);
  const args = { gen: null, basalt: null, work: null };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || i + 1 >= argv.length) {
      console.error('usage: diff_bench_selftest.mjs --gen TPCHGEN [--basalt BIN] [--work DIR]');
      process.exit(2);
    }
    args[key] = path.resolve(argv[i + 1]);
  }
  unitChecks();
  if (args.gen) {
    try {
      if (!args.work) args.work = fs.mkdtempSync(path.join(os.tmpdir(), 'basalt-diff-selftest-'));
      else resetWorkDir(args.work);
      await endToEnd(args);
    } catch (err) {
      check('end-to-end run', false, err.stack || err.message);
    }
    if (failed === 0 && args.work) fs.rmSync(args.work, { recursive: true, force: true });
  } else {
    console.log('(no --gen: end-to-end checks not run)');
  }
  console.log(`diff_bench_selftest: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main();
