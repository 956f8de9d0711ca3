/**
 * The ceiling: a server that only frames lines and parses JSON (no validation,
 * routing or storage) and answers a job_request, so the same clients can run
 * against it and the console's figure can be read as a ratio of this one.
 */
import net from 'node:net';

export function startParseOnlyServer(socketPath: string): Promise<{ parsed: () => number; close: () => Promise<void> }> {
  let parsed = 0;
  const server = net.createServer((socket) => {
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const text = rest + chunk;
      let start = 0;
      let i: number;
      while ((i = text.indexOf('\n', start)) !== -1) {
        const m = JSON.parse(text.slice(start, i)) as { type?: string };
        parsed++;
        if (m.type === 'job_request') socket.write(JSON.stringify({ type: 'job_response', timestamp: new Date().toISOString(), data: { jobs: [] } }) + '\n');
        start = i + 1;
      }
      rest = text.slice(start);
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(socketPath, () =>
      resolve({ parsed: () => parsed, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

// Run as its own process (fork with a socket path): the ceiling is then measured
// in a fresh process, untouched by the console run's heap and JIT state.
if (process.send && process.argv[2]) {
  const server = await startParseOnlyServer(process.argv[2]);
  // CPU time from here on is the server's work on the messages (start-up excluded).
  const cpuAtStart = process.cpuUsage();
  process.send({ listening: true });
  process.on('message', (m) => {
    if (m !== 'close') return;
    const cpu = process.cpuUsage(cpuAtStart);
    void server.close().then(() => process.send?.({ cpuMicros: cpu.user + cpu.system }, () => process.exit(0)));
  });
}
