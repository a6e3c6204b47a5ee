/**
 * Browser check: every package except the Node-only ones (NODE_ONLY) must run unchanged in a
 * browser (docs: DESIGN "Packages and the direction of dependencies").
 *
 * 1. Bundles scripts/browser/smoke.ts for the browser with esbuild, @p2pe/* resolved to each
 *    package's main entry source. Importing a Node builtin, a subpath entry (`@p2pe/x/node`) or a
 *    Node-only package fails the importing package. Third-party code gets npm polyfills where
 *    they are installed, or a shim from shims/ (reported, not failed, unless a P2PE package's own
 *    dependency needs it). The bundle is scanned for Node-only globals: a hit in our sources fails
 *    its package, a hit in third-party code is reported.
 * 2. Runs the bundle in headless Chromium (served on 127.0.0.1) and reads the JSON the page writes.
 *
 * Prints one line per package (`PASS name: …` / `FAIL name: …`), then `N passed, M failed`.
 * Exit 0: all passed; 1: a package failed; 2: chromium is missing or the bundle cannot be built.
 *
 * Usage: pnpm exec tsx scripts/browser/check.ts [--entry <smoke.ts>] [--verbose] [--keep]
 * CHROMIUM=/path/to/chromium overrides the browser (default: chromium on PATH, /usr/bin/chromium).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { SmokeResult } from './smoke';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
/** Packages allowed to use Node APIs (DESIGN: transport-tcp, cli and storage adapters). */
const NODE_ONLY = new Set(['cli', 'transport-tcp']);
/** Shims handed to third-party code that imports a Node builtin with no npm polyfill installed. */
const SHIMS: Record<string, string> = { events: join(HERE, 'shims', 'events.ts') };
/** Node-only globals looked for in the bundle, per module. */
const NODE_GLOBALS: ReadonlyArray<[string, RegExp]> = [
  ['Buffer', /\bBuffer\b/],
  ['process.', /\bprocess\s*(\?\.|[.[])/],
  ['require(', /(?<![\w$.])require\s*\(/],
  ['global.', /(?<![\w$.])global\s*(\?\.|[.[])/],
  ['setImmediate', /\bsetImmediate\b/],
  ['__dirname', /\b__dirname\b/],
  ['__filename', /\b__filename\b/],
];
const CHROMIUM_TIMEOUT_MS = 50_000;
const SMOKE_LABEL = 'smoke entry';

interface Options {
  entry: string;
  verbose: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { entry: join(HERE, 'smoke.ts'), verbose: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--verbose') options.verbose = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--entry' && argv[i + 1] !== undefined) options.entry = resolve(argv[++i]!);
    else usage(`unknown argument ${arg}`);
  }
  return options;
}

function usage(message: string): never {
  console.log(`browser check: ${message} (usage: check.ts [--entry file] [--verbose] [--keep])`);
  process.exit(2);
}

/** Packages that must run in a browser: every package with a main entry, less NODE_ONLY. */
function browserPackages(): string[] {
  return readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NODE_ONLY.has(d.name))
    .filter((d) => existsSync(join(ROOT, 'packages', d.name, 'src', 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** Which of ours a file is: a package name, the smoke entry, or undefined for third-party. */
/** A path for messages: relative inside the repository, absolute outside. */
function shown(file: string): string {
  const rel = relative(ROOT, resolve(ROOT, file));
  return rel.startsWith('..') ? resolve(ROOT, file) : rel;
}

function ownerOf(file: string, entry: string): string | undefined {
  const abs = resolve(ROOT, file);
  if (abs.split(sep).includes('node_modules')) return undefined;
  const rel = relative(join(ROOT, 'packages'), abs);
  if (!rel.startsWith('..') && rel.split(sep).length > 1) return rel.split(sep)[0];
  if (abs === entry || abs.startsWith(HERE + sep) || abs.startsWith(dirname(entry) + sep)) {
    return SMOKE_LABEL;
  }
  return undefined;
}

/** The npm package a node_modules path belongs to (`@scope/name` or `name`). */
function thirdPartyName(file: string): string {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  const first = parts[at + 1] ?? file;
  return first.startsWith('@') ? `${first}/${parts[at + 2]}` : first;
}

interface Violation {
  importer: string; // absolute path
  message: string;
}

interface Note {
  importer: string;
  message: string;
}

interface BuildOutcome {
  files: Map<string, Uint8Array>;
  metafile: esbuild.Metafile;
  violations: Violation[];
  notes: Note[];
}

const STUB_NAMESPACE = 'p2pe-node-builtin';
const SURFACE = 'p2pe-browser-surface';
const SKIP = Symbol('p2pe-browser-skip');

async function bundle(entry: string, packages: string[], outdir: string): Promise<BuildOutcome> {
  const violations: Violation[] = [];
  const notes: Note[] = [];
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const builtinFilter = new RegExp(`^(node:.*|${builtinModules.map(escapeRegExp).join('|')})$`);
  const stub = (path: string) => ({ path, namespace: STUB_NAMESPACE });

  const plugin: esbuild.Plugin = {
    name: 'p2pe-browser',
    setup(build) {
      // Every package's whole public surface, so packages without smoke checks are scanned too.
      build.onResolve({ filter: new RegExp(`^${SURFACE}$`) }, () => ({
        path: SURFACE,
        namespace: SURFACE,
      }));
      build.onLoad({ filter: /.*/, namespace: SURFACE }, () => ({
        contents: packages
          .map((p) => `export * as ${p.replace(/\W/g, '_')} from '@p2pe/${p}';`)
          .join('\n'),
        resolveDir: ROOT,
        loader: 'js',
      }));

      build.onResolve({ filter: /^@p2pe\// }, (args) => {
        const match = /^@p2pe\/([a-z0-9-]+)(\/.*)?$/.exec(args.path);
        const name = match?.[1] ?? '';
        if (match?.[2] !== undefined) {
          violations.push({
            importer: args.importer,
            message: `imports '${args.path}': only main entries may reach a browser (subpath entries such as /node are Node-only)`,
          });
          return stub(args.path);
        }
        if (NODE_ONLY.has(name)) {
          violations.push({
            importer: args.importer,
            message: `imports '${args.path}', a Node-only package`,
          });
          return stub(args.path);
        }
        const path = join(ROOT, 'packages', name, 'src', 'index.ts');
        if (!existsSync(path)) return { errors: [{ text: `no package ${args.path} (${path})` }] };
        return { path };
      });

      build.onResolve({ filter: builtinFilter }, async (args) => {
        if (args.pluginData === SKIP) return undefined;
        if (ownerOf(args.importer, entry) !== undefined) {
          violations.push({
            importer: args.importer,
            message: `imports Node builtin '${args.path}'`,
          });
          return stub(args.path);
        }
        // Third-party code: an installed npm polyfill (e.g. `buffer`) is fine; else a shim.
        const found = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: SKIP,
        });
        if (found.errors.length === 0 && found.path !== '' && !builtins.has(found.path)) {
          notes.push({
            importer: args.importer,
            message: `imports '${args.path}': bundled the npm package ${thirdPartyName(found.path)}`,
          });
          return { path: found.path, namespace: found.namespace };
        }
        const shim = SHIMS[args.path.replace(/^node:/, '')];
        if (shim !== undefined) {
          notes.push({
            importer: args.importer,
            message: `imports Node builtin '${args.path}': given ${relative(ROOT, shim)}`,
          });
          return { path: shim };
        }
        violations.push({
          importer: args.importer,
          message: `imports Node builtin '${args.path}'`,
        });
        return stub(args.path);
      });

      build.onLoad({ filter: /.*/, namespace: STUB_NAMESPACE }, (args) => ({
        // The violation is already recorded; the page still runs the rest, and any use of the
        // module (a named import goes through the prototype esbuild's interop gives it) throws.
        contents: `const message = (key) => ${JSON.stringify(`'${args.path}' is not available in a browser`)} + ' (used: ' + String(key) + ')';
const silent = (key) => typeof key === 'symbol' || key === '__esModule' || key === 'then';
const fail = { get(_, key) { if (silent(key)) return undefined; throw new Error(message(key)); } };
const proto = new Proxy({}, fail);
module.exports = new Proxy({}, { ...fail, getPrototypeOf: () => proto });`,
        loader: 'js',
      }));
    },
  };

  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: entry, out: 'smoke' },
      { in: SURFACE, out: 'surface' },
    ],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    target: 'es2022',
    outdir,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Lets an --entry outside the repository (a scratch copy) find the harness's helpers.
    nodePaths: [join(ROOT, 'node_modules')],
    plugins: [plugin],
  });
  const files = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) files.set(relative(outdir, file.path), file.contents);
  return { files, metafile: result.metafile, violations, notes };
}

/**
 * The first of our files (a package or the smoke entry) that reaches `input` through the import
 * graph, with the third-party packages on the way: who is responsible for a third-party import.
 */
function whoImports(
  metafile: esbuild.Metafile,
  input: string,
  entry: string,
): { owner: string; via: string[] } {
  const importers = new Map<string, string[]>();
  for (const [from, info] of Object.entries(metafile.inputs)) {
    for (const imp of info.imports) {
      importers.set(imp.path, [...(importers.get(imp.path) ?? []), from]);
    }
  }
  const seen = new Set([input]);
  let frontier: Array<{ file: string; via: string[] }> = [{ file: input, via: [] }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { file, via } of frontier) {
      for (const parent of importers.get(file) ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        const owner = ownerOf(parent, entry);
        if (owner !== undefined) return { owner, via };
        next.push({ file: parent, via: [...via, thirdPartyName(parent)] });
      }
    }
    frontier = next;
  }
  return { owner: SMOKE_LABEL, via: [] };
}

interface Finding {
  owner: string;
  text: string;
  fails: boolean;
}

/** Attributes bundle-time violations and notes to packages. */
function attribute(outcome: BuildOutcome, entry: string): Finding[] {
  const findings: Finding[] = [];
  const describeThirdParty = (importer: string) => {
    const rel = relative(ROOT, importer);
    const { owner, via } = whoImports(outcome.metafile, rel, entry);
    return { owner, chain: chainText([...via].reverse(), thirdPartyName(importer)) };
  };
  for (const v of outcome.violations) {
    const owner = ownerOf(v.importer, entry);
    if (owner !== undefined) {
      findings.push({ owner, text: `${shown(v.importer)} ${v.message}`, fails: true });
    } else {
      const { owner: by, chain } = describeThirdParty(v.importer);
      findings.push({
        owner: by,
        text: `third-party ${chain} ${v.message} and no shim exists`,
        fails: true,
      });
    }
  }
  for (const n of outcome.notes) {
    const { owner, chain } = describeThirdParty(n.importer);
    // A shim is only acceptable for the harness's own helpers (memory-level), never for a package.
    const fails = owner !== SMOKE_LABEL && n.message.includes('given ');
    findings.push({ owner, text: `third-party ${chain} ${n.message}`, fails });
  }
  const unique = new Map(findings.map((f) => [`${f.owner}\0${f.text}`, f]));
  return [...unique.values()];
}

/**
 * Scans each module's section of the bundle (esbuild marks them `// path`) for Node-only globals,
 * outside comments and string literals. A module that feature-detects the global (`typeof X` or
 * `typeof globalThis.X`) is reported, not failed: the smoke run then exercises its browser branch.
 */
function scanGlobals(outcome: BuildOutcome, entry: string): Finding[] {
  const inputs = new Set(Object.keys(outcome.metafile.inputs));
  const hits = new Map<
    string,
    { section: string; label: string; where: string; snippet: string }
  >();
  const guarded = new Set<string>();
  for (const [name, bytes] of outcome.files) {
    if (!name.endsWith('.js')) continue;
    let section = '(esbuild runtime)';
    const lines = new TextDecoder().decode(bytes).split('\n');
    for (const [i, line] of lines.entries()) {
      const marker = /^\/\/ (.+)$/.exec(line);
      if (marker !== null && inputs.has(marker[1]!)) {
        section = marker[1]!;
        continue;
      }
      const code = line
        .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''")
        .replace(/\/\/.*$/, '')
        .trim();
      for (const [label, pattern] of NODE_GLOBALS) {
        if (!pattern.test(code)) continue;
        const bare = label.replace(/\W+$/, '');
        if (new RegExp(`typeof\\s+((globalThis|global|window|self)\\.)?${bare}\\b`).test(code)) {
          guarded.add(`${section}\0${label}`);
        }
        const key = `${section}\0${label}`;
        if (hits.has(key)) continue;
        const shown = line.trim();
        const snippet = shown.length > 90 ? `${shown.slice(0, 87)}...` : shown;
        hits.set(key, { section, label, where: `${name}:${i + 1}`, snippet });
      }
    }
  }
  const findings: Finding[] = [];
  for (const [key, { section, label, where, snippet }] of hits) {
    const isGuarded = guarded.has(key);
    const owner = section.startsWith('(') ? undefined : ownerOf(section, entry);
    const how = isGuarded ? `feature-detects ${label.replace(/\W+$/, '')}` : `uses ${label}`;
    if (owner !== undefined) {
      findings.push({
        owner,
        text: `${shown(section)} ${how} (${where}: ${snippet})`,
        fails: !isGuarded,
      });
    } else if (section.startsWith('(')) {
      findings.push({ owner: SMOKE_LABEL, text: `${section} ${how} (${snippet})`, fails: false });
    } else {
      const { owner: by, via } = whoImports(outcome.metafile, section, entry);
      const chain = chainText([...via].reverse(), thirdPartyName(section));
      findings.push({ owner: by, text: `third-party ${chain} ${how} (${snippet})`, fails: false });
    }
  }
  return findings;
}

/** `a → b → c` from the outermost third-party package down to `last`, without repeats. */
function chainText(outerFirst: string[], last: string): string {
  const chain: string[] = [];
  for (const name of [...outerFirst, last]) if (chain.at(-1) !== name) chain.push(name);
  return chain.join(' → ');
}

function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>P2PE browser check</title>
<script>
  // Errors outside the smoke's own try/catch (a chunk that fails to load or evaluate).
  window.addEventListener('error', (e) => {
    const out = document.getElementById('errors');
    if (out) out.textContent += (e.message || String(e.error)) + '\\n';
  }, true);
  window.addEventListener('unhandledrejection', (e) => {
    const out = document.getElementById('errors');
    if (out) out.textContent += 'unhandled rejection: ' + String(e.reason) + '\\n';
  });
</script>
</head><body>
<pre id="errors"></pre>
<pre id="result"></pre>
<script type="module" src="./smoke.js"></script>
</body></html>
`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Serves `dir` on 127.0.0.1 (module scripts do not load from file://), runs Chromium on it. */
async function runChromium(
  chromium: string,
  dir: string,
): Promise<{ dom: string; error?: string }> {
  const server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0]!.replace(/^\/+/, '') || 'index.html';
    const file = join(dir, name);
    if (name.includes('..') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const profile = mkdtempSync(join(tmpdir(), 'p2pe-chromium-'));
  try {
    return await new Promise((ok) => {
      const child = spawn(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          `--user-data-dir=${profile}`,
          '--virtual-time-budget=30000',
          '--dump-dom',
          `http://127.0.0.1:${port}/index.html`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
      });
      const timer = setTimeout(() => {
        // Our own child's process group only (Chromium starts helper processes).
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, CHROMIUM_TIMEOUT_MS);
      child.on('error', (err) => {
        clearTimeout(timer);
        ok({ dom: '', error: `could not start ${chromium}: ${err.message}` });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (signal === 'SIGKILL') {
          ok({ dom: stdout, error: `chromium did not finish in ${CHROMIUM_TIMEOUT_MS / 1000} s` });
        } else if (code !== 0 && stdout === '') {
          const last = stderr.trim().split('\n').slice(-3).join(' | ');
          ok({ dom: '', error: `chromium exited with ${code}: ${last}` });
        } else {
          ok({ dom: stdout });
        }
      });
    });
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function elementText(dom: string, id: string): string | undefined {
  const match = new RegExp(`<pre id="${id}">([\\s\\S]*?)</pre>`).exec(dom);
  if (match === null) return undefined;
  return match[1]!
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&amp;/g, '&');
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const chromium = findChromium();
  if (chromium === undefined) {
    console.log('browser check: chromium not found (install it, or set CHROMIUM=/path/to/it)');
    return 2;
  }
  if (!existsSync(options.entry)) usage(`no entry file ${options.entry}`);
  const packages = browserPackages();
  const dir = mkdtempSync(join(tmpdir(), 'p2pe-browser-'));
  try {
    let outcome: BuildOutcome;
    try {
      outcome = await bundle(options.entry, packages, dir);
    } catch (err) {
      const errors = (err as { errors?: esbuild.Message[] }).errors ?? [];
      const first = errors[0];
      const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      console.log(`browser check: bundle failed: ${where}${first?.text ?? String(err)}${more}`);
      return 2;
    }
    const bundled = performance.now();
    for (const [name, bytes] of outcome.files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    writeFileSync(join(dir, 'index.html'), PAGE);
    if (options.keep) console.log(`bundle and page kept in ${dir}`);
    const findings = [...attribute(outcome, options.entry), ...scanGlobals(outcome, options.entry)];

    const run = await runChromium(chromium, dir);
    const ran = performance.now();
    if (run.error !== undefined && run.dom === '') {
      console.log(`browser check: ${run.error}`);
      return 2;
    }
    const raw = elementText(run.dom, 'result');
    const pageErrors = (elementText(run.dom, 'errors') ?? '').trim();
    let result: SmokeResult | undefined;
    try {
      result = raw ? (JSON.parse(raw) as SmokeResult) : undefined;
    } catch {
      result = undefined;
    }

    const bytes = [...outcome.files.values()].reduce((n, b) => n + b.length, 0);
    console.log(
      `bundle: ${outcome.files.size} files, ${Math.round(bytes / 1024)} KiB, ${((bundled - started) / 1000).toFixed(1)} s; ` +
        `chromium ${((ran - bundled) / 1000).toFixed(1)} s${result ? ` (${result.environment.userAgent?.match(/Chrome\/[\d.]+/)?.[0] ?? ''}, Node globals present: ${result.environment.nodeGlobals || 'none'})` : ''}`,
    );
    for (const f of findings.filter((x) => !x.fails)) console.log(`note ${f.owner}: ${f.text}`);

    const lines: Array<{ ok: boolean; line: string }> = [];
    const byPackage = new Map(result?.packages.map((p) => [p.package, p]));
    const names = [...new Set([...packages, ...byPackage.keys()])];
    for (const name of names) {
      const problems = findings.filter((f) => f.fails && f.owner === name).map((f) => f.text);
      const pkg = byPackage.get(name);
      if (!packages.includes(name)) problems.push('not a browser package of this repository');
      if (pkg === undefined) {
        problems.push(
          result === undefined
            ? 'the page produced no result'
            : 'no browser smoke check (add one to scripts/browser/smoke.ts)',
        );
      } else {
        if (pkg.loadError !== undefined) problems.push(`failed in the browser: ${pkg.loadError}`);
        for (const c of pkg.checks.filter((x) => !x.ok)) problems.push(`${c.name}: ${c.detail}`);
        if (pkg.checks.length === 0 && pkg.loadError === undefined) problems.push('no checks ran');
      }
      if (problems.length === 0) {
        const checks = pkg!.checks;
        lines.push({ ok: true, line: `PASS ${name}: ${checks.map((c) => c.name).join('; ')}` });
      } else {
        lines.push({ ok: false, line: `FAIL ${name}: ${problems.join('; ')}` });
      }
      if (options.verbose && pkg !== undefined) {
        for (const c of pkg.checks) {
          lines.push({
            ok: true,
            line: `    ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`,
          });
        }
      }
    }
    const harness = findings.filter((f) => f.fails && f.owner === SMOKE_LABEL).map((f) => f.text);
    if (run.error !== undefined) harness.push(run.error);
    if (pageErrors !== '') harness.push(`page errors: ${pageErrors.replace(/\n/g, ' | ')}`);
    if (harness.length > 0)
      lines.push({ ok: false, line: `FAIL ${SMOKE_LABEL}: ${harness.join('; ')}` });

    for (const l of lines) console.log(l.line);
    const counted = lines.filter((l) => !l.line.startsWith('    '));
    const failed = counted.filter((l) => !l.ok).length;
    console.log(`${counted.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(await main());
