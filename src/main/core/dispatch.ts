/**
 * The one validation path between a transport and the core: both the Electron
 * IPC handlers and the headless HTTP routes call `dispatchCommand`, so an input
 * is checked the same way whichever door it came through.
 */
import { ZodError } from 'zod';
import { ApiError, commands, isCommandName, issuesToDetails } from '../../shared/contract';
import { ConfigError } from '../../shared/config';
import type { ConsoleCore } from './types';
import type { Logger } from '../observability/logger';

export interface DispatchOptions {
  /** Where unexpected failures are logged (their details never reach the client). */
  logger?: Pick<Logger, 'error'>;
}


/**
 * Validates `rawInput` against the command's input schema and runs it.
 * @throws ApiError — `unknown_command`, `invalid_input` (with per-field details),
 *   whatever ApiError the core threw, or `internal` for anything else (logged).
 */
export async function dispatchCommand(
  core: Pick<ConsoleCore, 'commands'>,
  name: string,
  rawInput: unknown,
  options: DispatchOptions = {},
): Promise<unknown> {
  if (!isCommandName(name)) {
    throw new ApiError('unknown_command', `There is no command named "${name}".`);
  }
  const parsed = commands[name].input.safeParse(rawInput);
  if (!parsed.success) {
    // "Priority is a whole number from −1000 to 1000." — what a person reads, in the message and per field.
    const details = issuesToDetails(parsed.error.issues, commands[name].input);
    throw new ApiError('invalid_input', details.map((d) => d.message).join(' '), details);
  }
  // The table guarantees handler and schema belong together; TypeScript cannot follow a union of keys.
  const handler = core.commands[name] as (input: unknown) => Promise<unknown>;
  try {
    return await handler(parsed.data);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // A configuration refusal names the field and what it expects: the person can act on it.
    if (error instanceof ConfigError) {
      throw new ApiError('invalid_input', error.message, [{ path: error.field, message: error.message }]);
    }
    const what = error instanceof ZodError ? 'command produced an invalid value' : 'command failed unexpectedly';
    if (options.logger) options.logger.error({ err: error, command: name }, what);
    else console.error(`crawl-console: ${name}: ${what}:`, error);
    throw new ApiError('internal', `${name} failed because of an internal error; the console's log has the details.`);
  }
}
