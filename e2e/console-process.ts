/**
 * Runs `crawl-console serve` as a real child process (the built CLI through
 * its bin) and reads the URL and socket path it prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface ServedConsole {
  child: ChildProcess;
  url: string;
  baseUrl: string;
  token: string;
  socketPath: string;
  output: () => string;
  /** SIGTERM, then waits for the exit; returns its code. */
  stop(): Promise<number | null>;
}

export function serveConsole(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<ServedConsole> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crawl-console.js'), 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`crawl-console serve printed no URL within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`crawl-console serve exited (${code}) before printing its URL:\n${out}`));
    });
    const check = () => {
      const url = /Open:\s+(\S+)/.exec(out)?.[1];
      const socketPath = /Socket:\s+(\S+)/.exec(out)?.[1];
      if (!url || !socketPath) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      const token = decodeURIComponent(new URL(url).hash.replace(/^#token=/, ''));
      resolve({
        child,
        url,
        baseUrl: url.split('#')[0]!,
        token,
        socketPath,
        output: () => out,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
  });
}

/** A command straight to the console's HTTP API (what the page does, without the page). */
export async function callApi<T>(served: Pick<ServedConsole, 'baseUrl' | 'token'>, name: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${served.baseUrl}api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${served.token}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(`${name}: ${body.error?.message ?? res.status}`);
  return body;
}
