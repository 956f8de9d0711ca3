/**
 * What the seed's examples use without declaring it (`config`, `connection`,
 * `message`): real objects — a temp socket path, a SocketConnection over a real
 * Unix socket, a message written the seed's way.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SocketConnection } from '$lib/server/socket/types/connection';
import type { JobStartedMessage, SocketServerConfig } from '$lib/server/socket/types';

export const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-seed-'));
export const config: Partial<SocketServerConfig> = { socketPath: path.join(dir, 'crawler.sock') };

const pairPath = path.join(dir, 'pair.sock');
let onAccept: (socket: net.Socket) => void = () => undefined;
const accepted = new Promise<net.Socket>((resolve) => (onAccept = resolve));
const pairServer = net.createServer((s) => onAccept(s));
await new Promise<void>((resolve) => pairServer.listen(pairPath, resolve));
/** The crawler's end of `connection`. */
export const peer = net.connect(pairPath);
peer.on('error', () => undefined);
export const connection = new SocketConnection(await accepted, {
  transport: 'unix',
  maxMessageSize: 1 << 20,
  messageDelimiter: '\n',
  messageBufferSize: 1 << 20,
  writeTimeout: 1000,
  onLine: () => undefined,
});

export const message: JobStartedMessage = { type: 'job_started', timestamp: new Date().toISOString(), job_id: 'custom-42' };

export async function closeContext(): Promise<void> {
  peer.destroy();
  await connection.close('done', { graceful: false });
  await new Promise((resolve) => pairServer.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
}
