/**
 * Stand-alone entry of the simulator (`tsx src/simulator/main.ts --help`), and
 * the module a --processes child runs when started from source.
 */
import { runSimulateCommand } from './run';

process.exitCode = await runSimulateCommand(process.argv.slice(2));
