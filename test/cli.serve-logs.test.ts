/**
 * `tlbsim serve` logs: JSON lines when standard output is not a terminal
 * (or with `--log-format json`), pino-pretty text with `--log-format
 * pretty`; Nest's start-up chatter and request lines at debug level, so at
 * the default level the useful line stands alone. A bad `--log-format` is
 * exit 2 with one line.
 */
import { existsSync } from 'fs';
import { runBuiltCli } from './support/cli-process';
import { exitsWithin, ServeProcess, sleep, startServe } from './support/fault.fixture';
import { CLI_MAIN } from './support/worker-process';

jest.setTimeout(90000);

let serve: ServeProcess | null = null;
/** Colour escapes pino-pretty may add. */
// eslint-disable-next-line no-control-regex
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

beforeAll(() => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
});

afterEach(async () => {
  if (serve && !(await exitsWithin(serve.child, 0))) {
    serve.child.kill('SIGKILL');
    await exitsWithin(serve.child, 5000);
  }
  serve = null;
});

/** Starts serve, makes one API request, stops it; returns its output lines other than serve's own. */
async function logsOf(args: string[], level: string): Promise<string[]> {
  serve = await startServe(args, { TLBSIM_LOG_LEVEL: level });
  expect((await fetch(`${serve.url}/api/jobs`)).status).toBe(200);
  await sleep(300);
  serve.child.kill('SIGINT');
  expect(await exitsWithin(serve.child, 20000)).toBe(true);
  return serve
    .log()
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('tlbsim serve:'));
}

describe('serve logs', () => {
  it('not on a terminal: JSON lines; at info, no start-up chatter and no request lines', async () => {
    const lines = await logsOf([], 'info');
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.filter((l) => /RoutesResolver|RouterExplorer|InstanceLoader|"req":/.test(l))).toEqual([]);
    expect(lines.length).toBeLessThan(5);
  });

  it('at debug the request line is there, at level debug (20)', async () => {
    const lines = (await logsOf(['--log-format', 'json'], 'debug')).map(
      (l) => JSON.parse(l) as { level: number; req?: { url: string } },
    );
    const request = lines.find((l) => l.req?.url === '/api/jobs');
    expect(request?.level).toBe(20);
  });

  it('--log-format pretty: pino-pretty text, one line per entry, no JSON', async () => {
    const lines = await logsOf(['--log-format', 'pretty'], 'debug');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.trim().startsWith('{')).toBe(false);
    expect(
      lines.some((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] DEBUG.*request completed/.test(l.replace(ANSI_COLOUR, ''))),
    ).toBe(true);
  });

  it('a bad --log-format is exit 2 with one line', async () => {
    const r = await runBuiltCli(['serve', '--log-format', 'xml', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('tlbsim: --log-format: expected one of auto, pretty, json, got xml\n');
  });
});
