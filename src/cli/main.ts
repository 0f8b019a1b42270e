/**
 * @module cli/main
 * The `vigil` command: dispatches to subcommands, turns every failure into one line on stderr with a conventional
 * exit code (0 ok, 1 failure, 2 usage error). Set VIGIL_DEBUG=1 to see stack traces.
 */
import { readFileSync } from 'node:fs';
import { CliError, UsageError, type Command } from './command.js';
import { demo } from './commands/demo.js';
import { detect } from './commands/detect.js';
import { exportCmd } from './commands/export.js';
import { intel } from './commands/intel.js';
import { normalize } from './commands/normalize.js';
import { notify } from './commands/notify.js';
import { rules } from './commands/rules.js';
import { serve } from './commands/serve.js';
import { token } from './commands/token.js';
import { simulate } from './commands/simulate.js';
import { InputError } from '../ingest/sources.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const VERSION = pkg.version;

const COMMANDS: Command[] = [demo, simulate, normalize, detect, rules, intel, exportCmd, notify, serve, token];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `vigil ${VERSION}: detect credential attacks across organisations' sign-in logs

Usage: vigil <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}  show this help, or a command's: vigil help <command>

Options: --version, --help. Each command takes --help.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const sub = name === 'help' && rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (name === 'help' && rest[0] && !sub) throw new UsageError(`unknown command '${rest[0]}'`);
    console.log(sub ? sub.usage : help());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(VERSION);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw new UsageError(`unknown command '${name}'; see 'vigil help'`);
  return cmd.run(rest);
}

export async function runCli(argv: string[]): Promise<void> {
  // A closed pipe (vigil ... | head) is a normal way to stop reading, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    const err = e as Error;
    if (process.env.VIGIL_DEBUG) console.error(err.stack);
    if (err instanceof UsageError) {
      // One line: the message, and where the usage is unless the message already says.
      const hint = /see 'vigil/.test(err.message) ? '' : ` (see 'vigil ${argv[0] && !argv[0].startsWith('-') ? argv[0] + ' ' : ''}--help')`;
      process.stderr.write(`vigil: ${err.message}${hint}\n`);
      code = 2;
    } else if (err instanceof CliError || err instanceof InputError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      code = 1;
    } else {
      const sys = (err as NodeJS.ErrnoException).code;
      process.stderr.write(`vigil: ${sys ? `${sys}: ` : ''}${err.message.split('\n')[0]}\n`);
      code = 1;
    }
  }
  process.exitCode = code;
}

await runCli(process.argv.slice(2));
