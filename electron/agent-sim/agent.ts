import crypto from 'node:crypto';
import type { RoutePoint } from './gpx';

/**
 * A simulated phone agent. It speaks only the HTTP agent API (docs/agent-api.md), like a real phone:
 * enroll with a code, report on an interval, obey the commands that ride on the answers.
 */

export interface SimOptions {
  /** The host's base URL (http://host:port) */
  baseUrl: string;
  code: string;
  name: string;
  model: string;
  platform: 'android' | 'ios' | 'other';
  osVersion: string;
  serial?: string;
  route: readonly RoutePoint[];
  intervalMs: number;
  /** Writes one line for a person (and for tests that read the output). */
  out: (line: string) => void;
}

interface AgentCommand {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

interface ErrorEnvelope {
  ok: false;
  error: { code: string; message: string };
}

const OPERATORS = ['Telkomsel', 'Indosat', 'XL Axiata', 'Smartfren', 'Tri'];

export class SimAgent {
  deviceId: string | undefined;
  private token: string | undefined;
  private routeIndex = 0;
  private battery = 87;
  private simHash = randomIccidHash();
  private operator = OPERATORS[0] ?? 'Telkomsel';
  private lostMode = false;
  private readonly seen = new Set<string>();
  private stopped = false;
  private wake: (() => void) | undefined;
  private wakePending = false;
  private readonly abort = new AbortController();
  private routeDoneSaid = false;
  /** Set when the agent stopped on its own (erase, dead token); the process exit code. */
  exitCode = 0;

  constructor(private readonly options: SimOptions) {}

  async enroll(): Promise<void> {
    const o = this.options;
    const body = {
      code: o.code,
      name: o.name,
      model: o.model,
      platform: o.platform,
      osVersion: o.osVersion,
      ...(o.serial ? { serial: o.serial } : {}),
    };
    const res = await this.post('/agent/v1/enroll', body);
    if (res.status !== 201) throw new Error(`Enrollment refused (${res.status}): ${describeError(res.json)}`);
    const value = res.json as { deviceId: string; deviceToken: string };
    this.deviceId = value.deviceId;
    this.token = value.deviceToken;
    o.out(`ENROLLED as ${value.deviceId} ("${o.name}")`);
  }

  /** Reports on the interval until stopped; a command or a SIM change can bring the next report forward. */
  async run(): Promise<void> {
    while (!this.stopped) {
      let waitMs = this.options.intervalMs;
      try {
        waitMs = await this.reportOnce();
      } catch (error) {
        if (this.stopped) break;
        this.options.out(`CANNOT REACH ${this.options.baseUrl}: ${(error as Error).message}; trying again in ${Math.round(waitMs / 1000)} s`);
      }
      if (this.stopped) break;
      await this.sleep(waitMs);
    }
  }

  /** Sends one report and handles its commands; returns how long to wait before the next one. */
  async reportOnce(): Promise<number> {
    const point = this.currentPoint();
    const body = {
      at: Date.now(),
      ...(point ? { location: { lat: point.lat, lon: point.lon, accuracyM: 12, source: 'gps' } } : {}),
      battery: { percent: this.battery, charging: false },
      network: { type: 'cellular', operator: this.operator },
      sim: { slot: 0, operator: this.operator, iccidHash: this.simHash },
      screenLocked: this.lostMode,
    };
    const res = await this.post('/agent/v1/reports', body, this.token);
    if (res.status === 429) {
      const seconds = Number(res.headers.get('retry-after') ?? '5');
      this.options.out(`RATE LIMITED: waiting ${seconds} s`);
      return Math.max(1, seconds) * 1000;
    }
    if (res.status === 401) {
      this.options.out('TOKEN REFUSED: this device is no longer linked (removed or erased); stopping.');
      this.exitCode = 3;
      this.stop();
      return 0;
    }
    if (res.status !== 200) {
      this.options.out(`REPORT REFUSED (${res.status}): ${describeError(res.json)}`);
      return this.options.intervalMs;
    }
    this.options.out(point ? `REPORTED ${point.lat.toFixed(5)},${point.lon.toFixed(5)} battery ${this.battery}%` : `REPORTED (no location) battery ${this.battery}%`);
    this.advance();
    let again = false;
    for (const command of (res.json as { commands: AgentCommand[] }).commands) {
      if (this.seen.has(command.id)) continue; // handed out again because our answer got lost
      this.seen.add(command.id);
      again = (await this.obey(command)) || again;
      if (this.stopped) return 0;
    }
    return again ? 0 : this.options.intervalMs;
  }

  /** A new SIM card: the next report carries another ICCID hash and operator. */
  changeSim(): void {
    this.simHash = randomIccidHash();
    this.operator = OPERATORS[(OPERATORS.indexOf(this.operator) + 1) % OPERATORS.length] ?? 'Telkomsel';
    this.options.out(`SIM CHANGED: now ${this.operator}`);
    this.wakeUp();
  }

  reportSoon(): void {
    this.wakeUp();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.wakeUp();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private async obey(command: AgentCommand): Promise<boolean> {
    const out = this.options.out;
    switch (command.type) {
      case 'ring': {
        const seconds = typeof command.params.seconds === 'number' ? command.params.seconds : 30;
        out(`RINGING for ${seconds} s`);
        await this.result(command.id, 'done', `rang for ${seconds} s`);
        return false;
      }
      case 'lost_mode': {
        this.lostMode = true;
        out(`LOST MODE: "${String(command.params.message ?? '')}" call ${String(command.params.phone ?? '')}`);
        await this.result(command.id, 'done', 'screen locked with the message');
        return false;
      }
      case 'end_lost_mode':
        this.lostMode = false;
        out('LOST MODE ENDED');
        await this.result(command.id, 'done');
        return false;
      case 'locate_now':
        out('LOCATE NOW: reporting at once');
        await this.result(command.id, 'done');
        return true;
      case 'erase':
        out('ERASING all data');
        await this.result(command.id, 'done', 'wiped');
        out('ERASED: the device token is no longer valid; stopping.');
        this.stop();
        return false;
      default:
        out(`UNKNOWN COMMAND ${command.type}: refusing it`);
        await this.result(command.id, 'failed', `this agent does not know "${command.type}"`);
        return false;
    }
  }

  private async result(id: string, status: 'done' | 'failed', detail?: string): Promise<void> {
    const res = await this.post(`/agent/v1/commands/${encodeURIComponent(id)}/result`, detail ? { status, detail } : { status }, this.token);
    if (res.status !== 200) this.options.out(`RESULT REFUSED (${res.status}): ${describeError(res.json)}`);
  }

  private currentPoint(): RoutePoint | undefined {
    const route = this.options.route;
    return route[Math.min(this.routeIndex, route.length - 1)];
  }

  private advance(): void {
    this.battery = Math.max(5, this.battery - 1);
    if (this.routeIndex < this.options.route.length - 1) this.routeIndex++;
    else if (this.options.route.length > 1 && !this.routeDoneSaid) {
      this.routeDoneSaid = true;
      this.options.out('ROUTE FINISHED: staying at the last point');
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private wakeUp(): void {
    // A wake-up while a report is in flight must not be lost: the next sleep is then skipped.
    if (this.wake) this.wake();
    else this.wakePending = true;
  }

  private async post(path: string, body: unknown, token?: string): Promise<{ status: number; headers: Headers; json: unknown }> {
    const res = await fetch(`${this.options.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: this.abort.signal,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json };
  }
}

function randomIccidHash(): string {
  return crypto.createHash('sha256').update(crypto.randomBytes(16)).digest('hex');
}

function describeError(json: unknown): string {
  const envelope = json as ErrorEnvelope | undefined;
  return envelope?.error ? `${envelope.error.code}: ${envelope.error.message}` : 'no readable answer';
}

/** Splits what --url may hold: a base URL, or the enrollment URL from the QR code (…/agent/v1/enroll#code=XXXX). */
export function parseTarget(url: string): { baseUrl: string; code?: string } {
  const parsed = new URL(url);
  const code = new URLSearchParams(parsed.hash.replace(/^#/, '')).get('code') ?? undefined;
  const cut = parsed.pathname.indexOf('/agent/v1');
  const pathBase = (cut === -1 ? parsed.pathname : parsed.pathname.slice(0, cut)).replace(/\/+$/, '');
  return { baseUrl: `${parsed.origin}${pathBase}`, ...(code ? { code } : {}) };
}
