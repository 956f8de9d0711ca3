/** A real console core on a temp data dir and socket, for integration tests. */
import path from 'node:path';
import { startConsoleCore } from '../../src/main/core/console-core';
import type { ConsoleCore, ConsoleCoreOptions } from '../../src/main/core/types';
import type { SocketServerConfigInput } from '../../src/shared/config';
import { COMMAND_NAMES, type ConsoleApi, type ConsoleEvent } from '../../src/shared/contract';
import { dispatchCommand } from '../../src/main/core/dispatch';
import { Peer, tempDir } from './peer';

export interface TestConsole {
  core: ConsoleCore;
  /** The contract's API over the core, validated exactly as the transports validate. */
  api: ConsoleApi;
  dir: string;
  events: ConsoleEvent[];
  /** A raw crawler connection; `hello` given → says hello and waits for welcome. */
  crawler(hello?: Record<string, unknown>): Promise<Peer>;
  close(): Promise<void>;
}

export async function startTestConsole(
  config: SocketServerConfigInput = {},
  dir?: string,
  options: Omit<ConsoleCoreOptions, 'dataDir' | 'config'> = {},
): Promise<TestConsole> {
  const tmp = dir ? null : tempDir('cc-core-');
  const dataDir = dir ?? tmp!.dir;
  const core = await startConsoleCore({ ...options, dataDir, config: { socketPath: path.join(dataDir, 'console.sock'), ...config } });
  const events: ConsoleEvent[] = [];
  core.events.on('event', (e) => events.push(e));
  const peers: Peer[] = [];
  const api = Object.fromEntries(COMMAND_NAMES.map((name) => [name, (input: unknown) => dispatchCommand(core, name, input)])) as unknown as ConsoleApi;
  return {
    core,
    api,
    dir: dataDir,
    events,
    async crawler(hello) {
      const p = await Peer.connect(core.socketPath);
      peers.push(p);
      if (hello) {
        p.send({ type: 'hello', timestamp: new Date().toISOString(), data: hello });
        await p.nextOfType('welcome');
      }
      return p;
    },
    async close() {
      for (const p of peers) p.destroy();
      await core.stop();
      tmp?.cleanup();
    },
  };
}

export const now = (): string => new Date().toISOString();
