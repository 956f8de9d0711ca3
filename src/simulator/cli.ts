/**
 * What the `crawl-console simulate` dispatcher loads (src/main/headless/cli.ts).
 * With --processes, a built console starts each child as `<entry script> simulate`,
 * which comes back here in child mode.
 */
export { runSimulateCommand, type SimulateIo } from './run';
