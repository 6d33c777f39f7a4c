#!/usr/bin/env node
// Differential test of a benchmark's queries: Basalt against DuckDB on the same data.
//
//   node tests/diff/diff_bench.mjs --basalt BIN --gen GEN [--bench tpch|ssb] [--scale SF]
//        [--work DIR] [--queries q01,q06] [--rewrite-intervals] [--sut basalt|duckdb]
//        [--threads N] [--timeout S] [--rel-tol X] [--keep] [--cluster N] [--set NAME=VALUE]
//
// 1. GEN (tpchgen or ssbgen) writes the .tbl files at SF (default 0.01) into WORK/tbl;
// 2. the benchmark's load.sh loads them into Basalt (WORK/basalt), and DuckDB (in this
//    process, @duckdb/node-api) reads them into tables made from the benchmark's
//    schema.sql;
// 3. every query of bench/<bench>/queries runs in both, and the rows are compared
//    (lib/compare.mjs): in order, where ties of the ORDER BY keys (and a LIMIT cutting
//    through them) leave the order open compared as sets; exact numbers exactly, DOUBLEs
//    to a relative 1e-9, a DECIMAL against a wider value as that value rounded to its
//    scale; strings and dates exactly.
// It prints PASS or FAIL per query (with the first differing row, or the error), then
// "N passed, N failed", and exits 1 if any query failed (2 if the setup failed).
//
// --rewrite-intervals  replaces `date '…' ± interval 'N' day|month|year` by the date it
//                      gives, in both engines (for an engine without INTERVAL yet)
// --sut duckdb         the engine under test is a second DuckDB instance (other thread
//                      count) instead of Basalt: checks the harness itself on every query
// --cluster N          Basalt runs as `basalt cluster --workers N` (one thread each) and
//                      every query goes through --connect: fragments run on the workers
// --set NAME=VALUE     a session setting for every query (may repeat), e.g.
//                      join_distribution_type=partitioned
// WORK defaults to a fresh directory under the system's temporary directory, removed at
// the end unless --keep; a WORK given is emptied first and kept when a query fails (its
// sql/ holds the SQL that ran, basalt/ Basalt's data directory, to reproduce).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import {
  compareResults, parseOrderBy, resolveOrderKeys, rewriteIntervals, showRow, DEFAULT_REL_TOL,
} from './lib/compare.mjs';
import { BasaltEngine, DuckDBEngine } from './lib/engines.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// What each benchmark has in bench/<name>/: its tables (and the .tbl file each is read
// from), schema.sql, load.sh and queries/*.sql.
export const SUITES = {
  tpch: {
    tables: ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem']
      .map((t) => ({ table: t, file: t })),
    dir: path.join(ROOT, 'bench', 'tpch'),
  },
  ssb: {
    tables: [
      { table: 'part', file: 'part' }, { table: 'supplier', file: 'supplier' },
      { table: 'customer', file: 'customer' }, { table: 'dwdate', file: 'date' },
      { table: 'lineorder', file: 'lineorder' },
    ],
    dir: path.join(ROOT, 'bench', 'ssb'),
  },
};

// Empties `dir` for a run (creating it if missing), but only a directory this harness
// made: one that is empty or holds its marker file. Throws otherwise, so that a mistyped
// --work never deletes anything else.
const WORK_MARKER = '.basalt-diff-work';
export function resetWorkDir(dir) {
  if (fs.existsSync(dir)) {
    const entries = fs.readdirSync(dir);
    if (entries.length > 0 && !entries.includes(WORK_MARKER)) {
      throw new Error(`--work ${dir} is not empty and was not made by this harness: not emptying it`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, WORK_MARKER), 'made by tests/diff/diff_bench.mjs; emptied by each run\n');
}

export function listQueries(suite, only) {
  const qdir = path.join(suite.dir, 'queries');
  let names = fs.readdirSync(qdir).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4));
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (only) {
    const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
    for (const w of wanted) if (!names.includes(w)) throw new Error(`no query ${w} in ${qdir}`);
    names = names.filter((n) => wanted.includes(n));
  }
  return names.map((name) => ({ name, sql: fs.readFileSync(path.join(qdir, `${name}.sql`), 'utf8') }));
}

// Generates and loads the data into the reference DuckDB and the engine under test.
// Returns {reference, sut, timings}.
export async function prepare(opts) {
  const suite = SUITES[opts.bench];
  const tblDir = path.join(opts.work, 'tbl');
  fs.mkdirSync(tblDir, { recursive: true });
  const timings = {};
  let t = Date.now();
  const gen = spawnSync(opts.gen, ['--scale', String(opts.scale), '--dir', tblDir], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`${opts.gen} failed (status ${gen.status ?? gen.signal}): ${gen.stderr}`);
  timings.generate = Date.now() - t;

  const schemaSql = fs.readFileSync(path.join(suite.dir, 'schema.sql'), 'utf8');
  t = Date.now();
  const reference = await DuckDBEngine.open(2);
  await reference.load(schemaSql, suite.tables, tblDir);
  timings.duckdb = Date.now() - t;

  t = Date.now();
  let sut;
  if (opts.sut === 'duckdb') {
    sut = await DuckDBEngine.open(1);
    await sut.load(schemaSql, suite.tables, tblDir);
  } else {
    sut = new BasaltEngine(opts.basalt, path.join(opts.work, 'basalt'), {
      timeoutMs: opts.timeout * 1000, threads: opts.threads, settings: opts.settings,
    });
    sut.load(path.join(suite.dir, 'load.sh'), tblDir);
    if (opts.cluster > 0) await sut.startCluster(opts.cluster);
  }
  timings.sut = Date.now() - t;
  return { reference, sut, timings };
}

// Runs one query in both engines and compares: {name, ok, message, rows, ms}. `mutate`
// (for the self-test) may alter the engine under test's result before the comparison.
export async function runQuery(query, { reference, sut }, opts, mutate = null) {
  const sql = opts.rewriteIntervals ? rewriteIntervals(query.sql) : query.sql;
  const sqlDir = path.join(opts.work, 'sql');
  fs.mkdirSync(sqlDir, { recursive: true });
  const sqlFile = path.join(sqlDir, `${query.name}.sql`);
  fs.writeFileSync(sqlFile, sql);

  const expected = await reference.query(sql);
  if (expected.error) {
    return { name: query.name, ok: false, message: `DuckDB (the reference) failed: ${expected.error.message}` };
  }
  let actual = sut.name === 'basalt' ? sut.query(sqlFile) : await sut.query(sql);
  const sutName = sut.name === 'basalt' ? 'basalt' : 'duckdb#2';
  if (actual.error) {
    const e = actual.error;
    const state = e.sqlstate ? `${e.sqlstate}: ` : '';
    const after = e.rowsBefore ? ` (after ${e.rowsBefore} rows)` : '';
    return { name: query.name, ok: false, message: `${sutName} error ${state}${e.message}${after}` };
  }
  if (mutate) actual = mutate(actual, query);
  let keyCols;
  let limit;
  try {
    const order = parseOrderBy(sql);
    keyCols = resolveOrderKeys(order.keys, expected.columns);
    limit = order.limit;
  } catch (err) {
    return { name: query.name, ok: false, message: `cannot compare: ${err.message}` };
  }
  const cmp = compareResults(actual.rows, expected.rows, { keyCols, limit, relTol: opts.relTol });
  const times = `${sutName} ${actual.ms === null || actual.ms === undefined ? '?' : actual.ms.toFixed(1)} ms, duckdb ${expected.ms.toFixed(1)} ms`;
  if (cmp.ok) {
    return { name: query.name, ok: true, message: `${expected.rows.length} rows (${times})`, rows: expected.rows.length };
  }
  const where = cmp.row < 0 ? 'result shape' : `row ${cmp.row + 1}`;
  const lines = [`${where}${cmp.note ? ` (${cmp.note})` : ''}:`];
  if (cmp.row < 0) {
    lines.push(`      ${sutName} columns: ${actual.columns.join(', ')} [${actual.types.join(', ')}]`);
    lines.push(`      duckdb columns: ${expected.columns.join(', ')} [${expected.types.join(', ')}]`);
  } else {
    lines.push(`      ${sutName.padEnd(8)} ${showRow(cmp.actual)}`);
    lines.push(`      ${'duckdb'.padEnd(8)} ${showRow(cmp.expected)}`);
    lines.push(`      columns: ${expected.columns.join(', ')}`);
  }
  return { name: query.name, ok: false, message: lines.join('\n') };
}

function parseArgs(argv) {
  const opts = {
    bench: 'tpch', scale: 0.01, work: null, queries: null, rewriteIntervals: false,
    sut: 'basalt', threads: null, timeout: 60, relTol: DEFAULT_REL_TOL, keep: false,
    cluster: 0, settings: [],
    basalt: path.join(ROOT, 'build', 'release', 'basalt'), gen: null,
  };
  const needs = (i) => {
    if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--basalt': opts.basalt = path.resolve(needs(i)); i++; break;
      case '--gen': opts.gen = path.resolve(needs(i)); i++; break;
      case '--bench': opts.bench = needs(i); i++; break;
      case '--scale': opts.scale = Number(needs(i)); i++; break;
      case '--work': opts.work = path.resolve(needs(i)); i++; break;
      case '--queries': opts.queries = needs(i); i++; break;
      case '--rewrite-intervals': opts.rewriteIntervals = true; break;
      case '--sut': opts.sut = needs(i); i++; break;
      case '--threads': opts.threads = Number(needs(i)); i++; break;
      case '--timeout': opts.timeout = Number(needs(i)); i++; break;
      case '--rel-tol': opts.relTol = Number(needs(i)); i++; break;
      case '--keep': opts.keep = true; break;
      case '--cluster': opts.cluster = Number(needs(i)); i++; break;
      case '--set': opts.settings.push(needs(i)); i++; break;
      case '-h': case '--help':
        console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0]
          .split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (!SUITES[opts.bench]) throw new Error(`--bench must be one of ${Object.keys(SUITES).join(', ')}`);
  if (!['basalt', 'duckdb'].includes(opts.sut)) throw new Error('--sut must be basalt or duckdb');
  if (!(opts.scale > 0)) throw new Error('--scale must be a positive number');
  if (!opts.gen) opts.gen = path.join(ROOT, 'build', 'release', 'bench', `${opts.bench}gen`);
  for (const [what, bin] of [['--gen', opts.gen], ...(opts.sut === 'basalt' ? [['--basalt', opts.basalt]] : [])]) {
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch {
      throw new Error(`${what} ${bin} is not an executable (build it, or pass ${what})`);
    }
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`diff_bench: ${err.message}`);
    process.exit(2);
  }
  const madeWork = !opts.work;
  const started = Date.now();
  let env;
  let queries;
  try {
    if (madeWork) opts.work = fs.mkdtempSync(path.join(os.tmpdir(), `basalt-diff-${opts.bench}-`));
    else resetWorkDir(opts.work);
    queries = listQueries(SUITES[opts.bench], opts.queries);
    env = await prepare(opts);
  } catch (err) {
    console.error(`diff_bench: setup failed: ${err.message}`);
    console.error(`(work directory kept: ${opts.work})`);
    process.exit(2);
  }
  const sutLabel = opts.sut === 'basalt' ? `basalt (${opts.basalt})` : 'a second DuckDB instance';
  console.log(`${opts.bench} at SF ${opts.scale}: ${sutLabel} against DuckDB ${env.reference.duckdbVersion} ` +
    `(@duckdb/node-api ${env.reference.version})${opts.rewriteIntervals ? ', intervals rewritten as dates' : ''}`);
  console.log(`generated in ${(env.timings.generate / 1000).toFixed(2)} s, loaded into duckdb in ` +
    `${(env.timings.duckdb / 1000).toFixed(2)} s and into ${env.sut.name} in ${(env.timings.sut / 1000).toFixed(2)} s`);
  let passed = 0;
  let failed = 0;
  for (const q of queries) {
    const r = await runQuery(q, env, opts);
    if (r.ok) passed++;
    else failed++;
    console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.name.padEnd(6)} ${r.message}`);
  }
  env.reference.close();
  if (env.sut.close) env.sut.close();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (opts.keep || (failed > 0 && !madeWork)) {
    console.log(`${secs} s; work directory kept: ${opts.work} (the SQL run is in sql/, Basalt's data in basalt/)`);
  } else {
    fs.rmSync(opts.work, { recursive: true, force: true });
    console.log(`${secs} s`);
  }
  console.log(`${opts.bench}: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`diff_bench: ${err.stack || err.message}`);
    process.exit(2);
  });
}
