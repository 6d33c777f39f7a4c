// The two engines of the differential benchmark tests, behind one shape: load a
// benchmark's .tbl files, run one query, return {columns, types, rows} with rows of cells
// (compare.mjs) or {error}. DuckDB runs in this process through @duckdb/node-api (installed
// by dev/setup into tests/diff/node_modules); Basalt runs as the `basalt` command, one
// process per query, with --format json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { cell, parseJsonKeepNumbers } from './compare.mjs';

const require = createRequire(import.meta.url);

// The DuckDB module and its version, or a clear error when dev/setup has not installed it.
export async function loadDuckDB() {
  let mod;
  try {
    mod = await import('@duckdb/node-api');
  } catch (err) {
    throw new Error(
      `@duckdb/node-api is not installed in tests/diff/node_modules (run ./dev/setup): ${err.message}`);
  }
  let version = '?';
  try {
    version = require('@duckdb/node-api/package.json').version;
  } catch {
    // an older layout without an exported package.json: leave it unknown
  }
  return { mod, version };
}

// The column definitions of `table` in a schema file of CREATE TABLE statements (the
// benchmark's schema.sql): [{name, type}] in order.
export function schemaColumns(schemaSql, table) {
  const re = new RegExp(`create\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?${table}\\s*\\(`, 'i');
  const m = re.exec(schemaSql);
  if (!m) throw new Error(`no CREATE TABLE ${table} in the schema`);
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  while (i < schemaSql.length && depth > 0) {
    if (schemaSql[i] === '(') depth++;
    if (schemaSql[i] === ')') depth--;
    i++;
  }
  const body = schemaSql.slice(start, i - 1).replace(/--[^\n]*/g, '');
  const parts = [];
  let level = 0;
  let from = 0;
  for (let k = 0; k <= body.length; k++) {
    if (body[k] === '(') level++;
    if (body[k] === ')') level--;
    if (k === body.length || (body[k] === ',' && level === 0)) {
      parts.push(body.slice(from, k).trim());
      from = k + 1;
    }
  }
  return parts.filter((p) => p && !/^(primary|foreign|unique|check|constraint)\b/i.test(p)).map((p) => {
    const col = /^(\w+)\s+(.+?)(\s+not\s+null)?$/i.exec(p);
    if (!col) throw new Error(`cannot read column definition "${p}" of ${table}`);
    return { name: col[1], type: col[2].trim() };
  });
}

function sqlString(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

export class DuckDBEngine {
  // threads: DuckDB's worker threads (the machine is shared: 1 or 2).
  static async open(threads = 1) {
    const { mod, version } = await loadDuckDB();
    // No extension may be fetched: everything the tests use is in DuckDB's core.
    const instance = await mod.DuckDBInstance.create(':memory:', {
      threads: String(threads),
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const engine = new DuckDBEngine();
    engine.instance = instance;
    engine.conn = await instance.connect();
    engine.version = version;
    const v = await engine.conn.runAndReadAll('select version()');
    engine.duckdbVersion = v.getRowsJson()[0][0];
    return engine;
  }

  get name() {
    return 'duckdb';
  }

  // Creates the tables of schemaSql and loads tblDir/<file>.tbl into each: '|'-separated,
  // a '|' after the last field (read as one extra column and dropped), no header.
  // tables: [{table, file}].
  async load(schemaSql, tables, tblDir) {
    for (const { table, file } of tables) {
      const cols = schemaColumns(schemaSql, table);
      await this.conn.run(`drop table if exists ${table}`);
      await this.conn.run(`create table ${table} (${cols.map((c) => `${c.name} ${c.type}`).join(', ')})`);
      const spec = cols.map((c, k) => `'c${k}': ${sqlString(c.type)}`);
      spec.push(`'c${cols.length}': 'VARCHAR'`);
      const file_path = path.join(tblDir, `${file}.tbl`);
      await this.conn.run(
        `insert into ${table} select ${cols.map((_, k) => `c${k}`).join(', ')} ` +
        `from read_csv(${sqlString(file_path)}, delim = '|', header = false, auto_detect = false, ` +
        `columns = {${spec.join(', ')}})`);
    }
  }

  async query(sql) {
    const started = process.hrtime.bigint();
    try {
      const reader = await this.conn.runAndReadAll(sql);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const columns = reader.columnNames();
      const types = reader.columnTypes().map((t) => t.toString());
      const rows = reader.getRowsJson().map((row) => row.map((v, k) => cell(v, types[k])));
      return { columns, types, rows, ms };
    } catch (err) {
      return { error: { message: err.message } };
    }
  }

  close() {
    try {
      this.conn.closeSync?.();
      this.instance.closeSync?.();
    } catch {
      // closing at exit: nothing to recover
    }
  }
}

export class BasaltEngine {
  // binary: the basalt executable; dataDir: its data directory (made by load()).
  // settings: ["name=value", …], SET before each query (in its session).
  constructor(binary, dataDir, { timeoutMs = 60000, threads = null, settings = [] } = {}) {
    this.binary = binary;
    this.dataDir = dataDir;
    this.timeoutMs = timeoutMs;
    this.threads = threads;
    this.settings = settings;
    this.cluster = null; // the `basalt cluster` process once startCluster ran
    this.address = null;
  }

  // Starts `basalt cluster --workers N` over the data directory (after load()); queries
  // then go through --connect. Resolves once every worker has registered.
  startCluster(workers, threadsPerWorker = 1) {
    const args = ['cluster', '--data', this.dataDir, '--workers', String(workers), '--port', '0',
      '--threads', String(threadsPerWorker)];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.cluster = child;
    // Whatever way this process ends, the cluster ends with it (its workers follow).
    process.on('exit', () => { if (this.cluster) this.cluster.kill('SIGKILL'); });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the cluster did not start: ${out}${err}`)), 30000);
      child.on('exit', (code) => reject(new Error(`the cluster exited (${code}): ${out}${err}`)));
      child.stdout.on('data', (d) => {
        out += d;
        const port = /coordinator listening on 127\.0\.0\.1:(\d+)/.exec(out);
        if (port && out.includes(`${workers} of ${workers} workers registered`)) {
          clearTimeout(timer);
          this.address = `127.0.0.1:${port[1]}`;
          resolve(this.address);
        }
      });
    });
  }

  close() {
    if (this.cluster) this.cluster.kill('SIGTERM');
    this.cluster = null;
  }

  get name() {
    return 'basalt';
  }

  // Runs the benchmark's load.sh (DATA_DIR TBL_DIR BASALT): the same CREATE TABLE and COPY
  // statements as the benchmarks. Throws with its output when it fails.
  load(loadScript, tblDir) {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    const r = spawnSync(loadScript, [this.dataDir, tblDir, this.binary], { encoding: 'utf8', timeout: 600000 });
    if (r.status !== 0) {
      throw new Error(`${loadScript} failed (status ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    }
    return r.stdout;
  }

  // Runs the SQL file `sqlFile` (one statement) and returns its result or its error.
  query(sqlFile) {
    const args = this.address ? ['--connect', this.address] : ['--data', this.dataDir];
    args.push('--format', 'json', '--timing', '--bail');
    if (this.threads && !this.address) args.push('--threads', String(this.threads));
    for (const s of this.settings) {
      const eq = s.indexOf('=');
      args.push('-c', `SET ${s.slice(0, eq)} = '${s.slice(eq + 1)}'`);
    }
    args.push('-f', sqlFile);
    const r = spawnSync(this.binary, args, { encoding: 'utf8', timeout: this.timeoutMs, maxBuffer: 1 << 30 });
    // The query's time is the last one (the SETs' come first).
    const timings = [...(r.stderr ?? '').matchAll(/Time:\s*([\d.]+)\s*ms/g)];
    const ms = timings.length ? Number(timings[timings.length - 1][1]) : null;
    if (r.error && r.error.code === 'ETIMEDOUT') return { error: { message: `timed out after ${this.timeoutMs / 1000} s` } };
    if (r.error) return { error: { message: `could not run ${this.binary}: ${r.error.message}` } };
    if (r.signal) return { error: { message: `basalt died of ${r.signal}: ${(r.stderr ?? '').trim().slice(0, 500)}` } };
    // The SETs' {"status":"SET"} lines, then the query's one.
    const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{') && !l.startsWith('{"status":"SET"}'));
    if (lines.length !== 1) {
      return { error: { message: `expected one JSON result, got ${lines.length} (status ${r.status}): ${(r.stdout + r.stderr).trim().slice(0, 500)}` } };
    }
    let obj;
    try {
      obj = parseJsonKeepNumbers(lines[0]);
    } catch (err) {
      return { error: { message: `unreadable output: ${err.message}: ${lines[0].slice(0, 300)}` } };
    }
    if (obj.error) return { error: { sqlstate: obj.error.sqlstate, message: obj.error.message, rowsBefore: obj.rows?.length } };
    if (!Array.isArray(obj.columns) || !Array.isArray(obj.types) || !Array.isArray(obj.rows)) {
      return { error: { message: `not a result: ${lines[0].slice(0, 300)}` } };
    }
    try {
      const rows = obj.rows.map((row) => row.map((v, k) => cell(v && v.json_number !== undefined ? v.json_number : v, obj.types[k])));
      return { columns: obj.columns, types: obj.types, rows, ms };
    } catch (err) {
      return { error: { message: `bad value: ${err.message}` } };
    }
  }
}
