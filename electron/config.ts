import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_PORT = 5170;

export interface LifelineConfig {
  readonly dataDir: string;
  readonly host: string;
  /** 0 asks the OS for any free port. */
  readonly port: number;
  readonly token: string;
  /** The only base URL that ever appears in links inside messages. */
  readonly publicUrl: string | undefined;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly smsWebhookUrl: string | undefined;
  /** Forces the local outbox even when real transports are configured. */
  readonly sandbox: boolean;
  readonly testHooks: boolean;
  /** Region for phone numbers typed without a country code (ISO 3166 alpha-2). */
  readonly phoneRegion: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The per-user default data dir, the same for the desktop app and the web host. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Lifeline');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Lifeline');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'lifeline');
}

export interface ConfigOverrides {
  dataDir?: string;
  host?: string;
  port?: number;
}

/** Reads the LIFELINE_* variables (see README "Configuration"); flags given on the command line win. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): LifelineConfig {
  const port = overrides.port ?? parsePort(env.LIFELINE_PORT);
  const publicUrl = env.LIFELINE_PUBLIC_URL ? parseUrl('LIFELINE_PUBLIC_URL', env.LIFELINE_PUBLIC_URL, ['http:', 'https:']) : undefined;
  const smtpUrl = env.LIFELINE_SMTP_URL ? parseUrl('LIFELINE_SMTP_URL', env.LIFELINE_SMTP_URL, ['smtp:', 'smtps:']) : undefined;
  const smsWebhookUrl = env.LIFELINE_SMS_WEBHOOK_URL
    ? parseUrl('LIFELINE_SMS_WEBHOOK_URL', env.LIFELINE_SMS_WEBHOOK_URL, ['http:', 'https:'])
    : undefined;
  const token = env.LIFELINE_TOKEN ?? crypto.randomBytes(24).toString('base64url');
  if (!/^[A-Za-z0-9_-]{16,200}$/.test(token)) {
    throw new ConfigError('LIFELINE_TOKEN must be 16 to 200 characters of A-Z, a-z, 0-9, "-" or "_".');
  }
  return {
    dataDir: path.resolve(overrides.dataDir ?? env.LIFELINE_DATA_DIR ?? defaultDataDir(env)),
    host: overrides.host ?? env.LIFELINE_HOST ?? '127.0.0.1',
    port,
    token,
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    smtpUrl,
    mailFrom: env.LIFELINE_MAIL_FROM ?? 'Lifeline <no-reply@lifeline.invalid>',
    smsWebhookUrl,
    sandbox: env.LIFELINE_SANDBOX === '1',
    testHooks: env.LIFELINE_TEST_HOOKS === '1',
    phoneRegion: parseRegion(env.LIFELINE_PHONE_REGION),
  };
}

function parseRegion(value: string | undefined): string {
  if (value === undefined || value === '') return 'ID';
  if (!/^[A-Za-z]{2}$/.test(value)) throw new ConfigError(`LIFELINE_PHONE_REGION must be a two-letter country code such as ID, US or GB, not "${value}".`);
  return value.toUpperCase();
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`LIFELINE_PORT must be a whole number from 0 to 65535 (0 picks a free port), not "${value}".`);
  }
  return port;
}

function parseUrl(name: string, value: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${value}".`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}.`);
  }
  return value;
}

/** Loopback hosts: the only ones where test hooks and sandbox recovery are allowed. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
