/**
 * @module cli/main
 * The `vigil` command: dispatches to subcommands, turns every failure into one line on stderr with a conventional
 * exit code (0 ok, 1 failure, 2 usage error). Set VIGIL_DEBUG=1 to see stack traces.
 */
import { readFileSync } from 'node:fs';
import { CliError, UsageError, type Command } from './command.js';
import { InputError } from '../ingest/sources.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
export const VERSION = pkg.version;

/**
 * The commands, each loaded only when used: a run of one command does not compile the others (the server, the
 * dashboard and the mail code are a quarter of a second of every `vigil detect` otherwise). Help loads them all.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./commands/demo.js')).demo,
  simulate: async () => (await import('./commands/simulate.js')).simulate,
  normalize: async () => (await import('./commands/normalize.js')).normalize,
  detect: async () => (await import('./commands/detect.js')).detect,
  rules: async () => (await import('./commands/rules.js')).rules,
  intel: async () => (await import('./commands/intel.js')).intel,
  export: async () => (await import('./commands/export.js')).exportCmd,
  notify: async () => (await import('./commands/notify.js')).notify,
  serve: async () => (await import('./commands/serve.js')).serve,
  token: async () => (await import('./commands/token.js')).token,
};

function command(name: string): Promise<Command> | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name]() : undefined;
}

async function help(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return `vigil ${VERSION}: detect credential attacks across organisations' sign-in logs

Usage: vigil <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}  show this help, or a command's: vigil help <command>

Options: --version, --help. Each command takes --help.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const sub = name === 'help' && rest[0] ? await command(rest[0]) : undefined;
    if (name === 'help' && rest[0] && !sub) throw new UsageError(`unknown command '${rest[0]}'`);
    console.log(sub ? sub.usage : await help());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(VERSION);
    return 0;
  }
  // A detection run's reading thread, unless the entry point (bin/vigil.js) started it already.
  if (name === 'detect') (await import('../ingest/thread-start.js')).startReadingThreadFor(argv);
  const cmd = await command(name);
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
if (process.argv[2] === 'detect') exitOnceWritten();

/**
 * Ends a detection run as soon as its output is out, rather than through Node's orderly exit: handing a large heap
 * back page by page and stopping every thread took 50-80 ms of each `vigil detect` between its last write and the
 * process's end (strace, 200k-event Entra runs), against 5 ms. Everything a run writes is closed or awaited by
 * then (findings, quarantine, store); standard output and error are written synchronously to files, terminals and
 * (on Linux) pipes, and where a write is still pending (a pipe elsewhere) the process ends the orderly way instead.
 */
function exitOnceWritten(): void {
  const pending = (s: NodeJS.WriteStream) => s.writableLength > 0;
  if (!pending(process.stdout) && !pending(process.stderr)) process.exit();
}
