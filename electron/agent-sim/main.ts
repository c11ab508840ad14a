import fs from 'node:fs';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { SimAgent, parseTarget } from './agent';
import { parseGpx, type RoutePoint } from './gpx';

const USAGE = `Usage: npm run agent -- --url URL --code CODE [--name N] [--at LAT,LON | --route FILE.gpx] [--interval S]
                      [--model M] [--serial S] [--sim-change-after S]

  --url     the Lifeline host (http://host:port) or the enrollment link from the QR code (then --code may be left out)
  --code    the one-time code shown under "Add device"
  --at      a fixed position (default -6.9175,107.6191, Bandung)
  --route   a GPX file; one point per report, then it stays at the last point
  --interval  seconds between reports (default 10)
  --sim-change-after  swap the SIM card after S seconds

While it runs: type "sim" (or send SIGUSR2) to swap the SIM card, "report" to report at once, "quit" to stop.
Ctrl+C stops it.
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parsePosition(text: string): RoutePoint {
  const parts = text.split(',').map((p) => Number(p.trim()));
  const [lat, lon] = parts;
  if (parts.length !== 2 || lat === undefined || lon === undefined || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    fail(`--at must be LAT,LON with latitude -90..90 and longitude -180..180, not "${text}".`);
  }
  return { lat, lon };
}

const VALUE_OPTIONS = ['url', 'code', 'name', 'model', 'serial', 'at', 'route', 'interval', 'sim-change-after'];

/** `--at -6.9,107.6` is how people write it; parseArgs would take "-6.9,..." for an option, so glue such pairs. */
function glueNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (arg.startsWith('--') && VALUE_OPTIONS.includes(arg.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: glueNegativeValues(process.argv.slice(2)),
    options: {
      url: { type: 'string' },
      code: { type: 'string' },
      name: { type: 'string' },
      model: { type: 'string' },
      serial: { type: 'string' },
      at: { type: 'string' },
      route: { type: 'string' },
      interval: { type: 'string' },
      'sim-change-after': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.url) fail('--url is missing.');
  let target: { baseUrl: string; code?: string };
  try {
    target = parseTarget(values.url);
  } catch {
    fail(`--url is not a valid URL: "${values.url}".`);
  }
  const code = values.code ?? target.code;
  if (!code) fail('--code is missing (or give the enrollment link from the QR code as --url).');
  if (values.at && values.route) fail('Give --at or --route, not both.');

  let route: RoutePoint[];
  if (values.route) {
    let xml: string;
    try {
      xml = fs.readFileSync(values.route, 'utf8');
    } catch (error) {
      fail(`Cannot read the route file ${values.route}: ${(error as Error).message}`);
    }
    try {
      route = parseGpx(xml);
    } catch (error) {
      fail(`The route file ${values.route} is not valid GPX: ${(error as Error).message}`);
    }
    if (route.length === 0) fail(`The route file ${values.route} has no track, route or waypoint with coordinates.`);
  } else {
    route = [parsePosition(values.at ?? '-6.9175,107.6191')];
  }

  const interval = Number(values.interval ?? '10');
  if (!Number.isFinite(interval) || interval < 0.2 || interval > 86_400) fail('--interval must be a number of seconds from 0.2 to 86400.');
  const simAfter = values['sim-change-after'] === undefined ? undefined : Number(values['sim-change-after']);
  if (simAfter !== undefined && (!Number.isFinite(simAfter) || simAfter < 0)) fail('--sim-change-after must be a number of seconds.');

  const out = (line: string) => process.stdout.write(`${line}\n`);
  const agent = new SimAgent({
    baseUrl: target.baseUrl,
    code,
    name: values.name ?? 'Simulated phone',
    model: values.model ?? 'Lifeline Sim 1',
    platform: 'android',
    osVersion: '14',
    ...(values.serial ? { serial: values.serial } : {}),
    route,
    intervalMs: interval * 1000,
    out,
  });

  const stopOn = (signal: string) => {
    if (agent.isStopped) return;
    out(`STOPPING (${signal})`);
    agent.stop();
  };
  process.on('SIGINT', () => stopOn('SIGINT'));
  process.on('SIGTERM', () => stopOn('SIGTERM'));
  if (process.platform !== 'win32') process.on('SIGUSR2', () => agent.changeSim());

  const input = readline.createInterface({ input: process.stdin, terminal: false });
  input.on('line', (line) => {
    const word = line.trim().toLowerCase();
    if (word === 'sim') agent.changeSim();
    else if (word === 'report' || word === 'locate') agent.reportSoon();
    else if (word === 'quit' || word === 'exit') stopOn('quit');
    else if (word) out(`Type "sim", "report" or "quit".`);
  });

  let simTimer: NodeJS.Timeout | undefined;
  try {
    await agent.enroll();
  } catch (error) {
    if (agent.isStopped) {
      out('STOPPED');
      process.exit(0);
    }
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  if (simAfter !== undefined) simTimer = setTimeout(() => agent.changeSim(), simAfter * 1000);
  await agent.run();
  if (simTimer) clearTimeout(simTimer);
  input.close();
  out('STOPPED');
  process.exit(agent.exitCode);
}

main().catch((error: unknown) => {
  process.stderr.write(`The agent simulator failed: ${(error as Error).message}\n`);
  process.exit(1);
});
