/**
 * `crawl-console simulate`: runs N simulated crawlers in this process, or one
 * child process each (--processes), until SIGINT/SIGTERM, --duration, a
 * console shutdown or (--jobs-then-exit) the end of the work; then prints a
 * summary (and writes it as JSON with --summary-json).
 *
 * With --processes each child is this same module started again with
 * CRAWL_CONSOLE_SIM_CHILD set; its options arrive over the IPC channel (never
 * in argv or the environment, as they may hold the auth token) and its summary
 * goes back the same way.
 */
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { HELP, type SimulatorOptions, SimulatorOptionsSchema, UsageError, parseSimulateArgs } from './options';
import { SimulatedCrawler } from './simulated-crawler';
import { type CrawlerSummary, CrawlerSummarySchema, type SimulationSummary, combineSummaries, formatSummary } from './summary';

export interface SimulateIo {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string | Uint8Array): unknown };
}

/** Set in a child's environment: "you are crawler process, wait for your config on IPC". */
export const CHILD_ENV = 'CRAWL_CONSOLE_SIM_CHILD';
/** A child that does not exit this long after being asked to stop is killed. */
const CHILD_STOP_GRACE_MS = 15_000;

const ParentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('config'), index: z.number().int().nonnegative(), options: SimulatorOptionsSchema }),
  z.object({ type: z.literal('stop') }),
]);
type ParentMessage = z.infer<typeof ParentMessageSchema>;
const ChildMessageSchema = z.object({ type: z.literal('summary'), summary: CrawlerSummarySchema });

/**
 * Runs the simulator with already-parsed options, in this process. Crawlers
 * `indices` (default all); stops when `signal` aborts or every crawler is done.
 */
export async function runSimulation(
  options: SimulatorOptions,
  control: { signal?: AbortSignal; log?: (line: string) => void; indices?: number[] } = {},
): Promise<SimulationSummary> {
  const t0 = Date.now();
  const signal = control.signal ?? new AbortController().signal;
  const indices = control.indices ?? Array.from({ length: options.crawlers }, (_, i) => i);
  const crawlers = indices.map((i) => new SimulatedCrawler(i, options, control.log));
  const summaries = await Promise.all(crawlers.map((c) => c.run(signal)));
  return combineSummaries(summaries, { ...meta(options), durationMs: Date.now() - t0 });
}

/** The CLI entry: parses argv, runs, prints the summary; resolves with the exit code. */
export async function runSimulateCommand(argv: string[], io: SimulateIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (process.env[CHILD_ENV]) return runChild(io);

  let options: SimulatorOptions;
  try {
    const parsed = parseSimulateArgs(argv);
    if (parsed.help) {
      io.stdout.write(HELP);
      return 0;
    }
    options = parsed.options;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`crawl-console simulate: ${err.message}\nRun with --help for the options.\n`);
    return 2;
  }

  const log = options.quiet ? () => undefined : (line: string) => void io.stdout.write(`${line}\n`);
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    log(`${sig}: stopping the simulated crawlers (active jobs are handed back)…`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = options.durationSec !== undefined ? setTimeout(() => controller.abort(), options.durationSec * 1000) : null;
  log(
    `Simulating ${options.crawlers} crawler${options.crawlers === 1 ? '' : 's'} against ${options.tcp ? `tcp://${options.tcp.host}:${options.tcp.port}` : options.socketPath}` +
      ` (speed ${options.speed}x, seed ${options.seed}${options.processes ? ', one process each' : ''})`,
  );

  let summary: SimulationSummary;
  try {
    summary = options.processes ? await runInProcesses(options, controller.signal, io) : await runSimulation(options, { signal: controller.signal, log });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (timer) clearTimeout(timer);
  }

  io.stdout.write(formatSummary(summary));
  if (options.summaryJson) {
    fs.mkdirSync(path.dirname(path.resolve(options.summaryJson)), { recursive: true });
    fs.writeFileSync(options.summaryJson, JSON.stringify(summary, null, 2) + '\n');
  }
  const noneConnected = summary.per_crawler.every((c) => !c.connected);
  if (summary.errors.length > 0) io.stderr.write(summary.errors.map((e) => `crawl-console simulate: ${e}\n`).join(''));
  return noneConnected || summary.errors.length > 0 ? 1 : 0;
}

// ───────────────────────────── --processes ─────────────────────────────

async function runInProcesses(options: SimulatorOptions, signal: AbortSignal, io: SimulateIo): Promise<SimulationSummary> {
  const t0 = Date.now();
  const entry = childEntry();
  const errors: string[] = [];
  const results = await Promise.all(
    Array.from({ length: options.crawlers }, (_, index) =>
      runChildProcess(entry, index, options, signal, io).catch((err: Error) => {
        errors.push(`crawler process ${index + 1}: ${err.message}`);
        return null;
      }),
    ),
  );
  const summaries = results.filter((s): s is CrawlerSummary => s !== null);
  return combineSummaries(summaries, { ...meta(options), durationMs: Date.now() - t0, errors });
}

function runChildProcess(
  entry: { modulePath: string; args: string[]; execArgv: string[] },
  index: number,
  options: SimulatorOptions,
  signal: AbortSignal,
  io: SimulateIo,
): Promise<CrawlerSummary> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(entry.modulePath, entry.args, {
      env: { ...process.env, [CHILD_ENV]: '1' },
      execArgv: entry.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let summary: CrawlerSummary | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    child.stdout?.on('data', (d: Buffer) => io.stdout.write(d));
    child.stderr?.on('data', (d: Buffer) => io.stderr.write(d));
    child.on('message', (m: unknown) => {
      const parsed = ChildMessageSchema.safeParse(m);
      if (parsed.success) summary = parsed.data.summary;
    });
    const stop = () => {
      if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
      killTimer = setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_GRACE_MS);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    child.once('error', (err) => reject(err));
    child.once('exit', (code, sig) => {
      signal.removeEventListener('abort', stop);
      if (killTimer) clearTimeout(killTimer);
      if (summary) resolve(summary);
      else reject(new Error(`exited (${sig ?? `code ${code}`}) without a summary`));
    });
    child.send({ type: 'config', index, options } satisfies ParentMessage);
  });
}

/**
 * How to start a child: from source (tests, `tsx`), this directory's main.ts
 * under the tsx loader; from the built bundle, the same entry script as this
 * process with the `simulate` subcommand (the CLI dispatcher routes it here).
 */
function childEntry(): { modulePath: string; args: string[]; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { modulePath: path.join(path.dirname(here), 'main.ts'), args: [], execArgv: ['--import', tsx] };
  }
  const script = process.argv[1];
  if (!script) throw new Error('cannot start crawler processes: the entry script of this process is unknown');
  return { modulePath: script, args: ['simulate'], execArgv: process.execArgv };
}

/** A child: one crawler, configured and stopped over IPC, reporting its summary back. */
async function runChild(io: SimulateIo): Promise<number> {
  const send = process.send?.bind(process);
  if (!send) {
    io.stderr.write(`crawl-console simulate: ${CHILD_ENV} is set but there is no IPC channel to a parent\n`);
    return 2;
  }
  const controller = new AbortController();
  let gotConfig: (c: Extract<ParentMessage, { type: 'config' }> | null) => void = () => undefined;
  const onMessage = (m: unknown) => {
    const parsed = ParentMessageSchema.safeParse(m);
    if (!parsed.success) return;
    if (parsed.data.type === 'config') gotConfig(parsed.data);
    else controller.abort();
  };
  const onDisconnect = () => {
    controller.abort(); // the parent is gone: stop
    gotConfig(null);
  };
  process.on('message', onMessage);
  process.once('disconnect', onDisconnect);
  const config = await new Promise<Extract<ParentMessage, { type: 'config' }> | null>((resolve) => (gotConfig = resolve));
  if (!config) {
    process.off('message', onMessage);
    return 1;
  }
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const log = config.options.quiet ? () => undefined : (line: string) => void io.stdout.write(`${line}\n`);
    const crawler = new SimulatedCrawler(config.index, config.options, log);
    const summary = await crawler.run(controller.signal);
    if (process.connected) await new Promise<void>((resolve) => send({ type: 'summary', summary }, undefined, {}, () => resolve()));
    return summary.error ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('message', onMessage);
    process.off('disconnect', onDisconnect);
    if (process.connected) process.disconnect();
  }
}

function meta(o: SimulatorOptions) {
  return { seed: o.seed, spelling: o.spelling, speed: o.speed, processes: o.processes };
}
