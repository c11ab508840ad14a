// Test support for the account and recovery handler tests (not a test itself): a real SQLite file in a temp
// dir, the real services with cheap Argon2 parameters, a ManualClock, and clients with their own session slot.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import type { Envelope, ErrorBody } from '../../contract';
import { accountMethods } from '../../contract/account';
import type { LifelineConfig } from '../config';
import { createDispatcher, memorySessionSlot, type CallContext, type Dispatcher, type Handlers, type SessionSlot } from '../dispatcher';
import { createAccountServices, type AccountServices, type AccountServicesOptions } from '../services/account/account-services';
import { ManualClock } from '../services/clock';
import { closeDatabase, openDatabase } from '../services/db/open';
import { EventBus } from '../services/events';
import { createAccountHandlers, type AccountMethod } from './account-handlers';

type AccountMethods = typeof accountMethods;

/** Cheap Argon2 for the many hashes of these tests; password-hasher.test.ts covers the production parameters. */
export const TEST_HASH_PARAMS = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export interface Kit {
  dir: string;
  clock: ManualClock;
  services: AccountServices;
  dispatcher: Dispatcher;
  config: LifelineConfig;
  client(ip?: string, userAgent?: string): Client;
  /** Messages delivered to an address, by any transport. */
  outbox(to: string): { channel: 'email' | 'sms'; to: string; subject?: string; text: string; at: number }[];
  /** The code (digits only) in the newest message to an address. */
  latestCode(to: string): string;
  captchaAnswer(): string;
  close(): void;
}

export interface Client {
  readonly ip: string;
  readonly session: SessionSlot;
  call<M extends AccountMethod>(method: M, input: z.input<AccountMethods[M]['input']>): Promise<Envelope<z.output<AccountMethods[M]['output']>>>;
  ok<M extends AccountMethod>(method: M, input: z.input<AccountMethods[M]['input']>): Promise<z.output<AccountMethods[M]['output']>>;
  fail<M extends AccountMethod>(method: M, input: z.input<AccountMethods[M]['input']>): Promise<ErrorBody>;
}

export function createKit(options: { config?: Partial<LifelineConfig>; services?: AccountServicesOptions } = {}): Kit {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-account-'));
  const config: LifelineConfig = {
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    token: 'test-token-0123456789',
    publicUrl: 'https://lifeline.example',
    smtpUrl: undefined,
    mailFrom: 'Lifeline <no-reply@lifeline.invalid>',
    smsWebhookUrl: undefined,
    sandbox: true,
    testHooks: true,
    phoneRegion: 'ID',
    ...options.config,
  };
  const clock = new ManualClock();
  const db = openDatabase(dir);
  const services = createAccountServices(config, db, clock, new EventBus(), {
    hashParams: TEST_HASH_PARAMS,
    secret: crypto.randomBytes(32),
    deliveryBackoffMs: () => 5,
    ...options.services,
  });
  const handlers = createAccountHandlers({ services });
  // Only the account methods are wired here; the dispatcher looks up just the ones a test calls.
  const dispatcher = createDispatcher(handlers as unknown as Handlers, {
    onInternalError: (method, error) => {
      throw new Error(`internal error in ${method}: ${String((error as Error)?.stack ?? error)}`);
    },
  });

  const client = (ip = '203.0.113.7', userAgent = 'vitest'): Client => {
    const session = memorySessionSlot();
    const ctx: CallContext = { transport: 'internal', ip, userAgent, session };
    const call = ((method: string, input: unknown) => dispatcher.dispatch(method, input, ctx)) as Client['call'];
    return {
      ip,
      session,
      call,
      async ok(method, input) {
        const result = await call(method, input);
        if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
        return result.value;
      },
      async fail(method, input) {
        const result = await call(method, input);
        if (result.ok) throw new Error(`${method} succeeded but was expected to fail`);
        return result.error;
      },
    };
  };

  const outbox = (to: string) => services.testHooks.outbox(to);
  return {
    dir,
    clock,
    services,
    dispatcher,
    config,
    client,
    outbox,
    latestCode(to) {
      const messages = outbox(to);
      const last = messages[messages.length - 1];
      const match = last?.text.match(/\b(\d{3}) (\d{3})\b/);
      if (!match) throw new Error(`No code in the newest message to ${to} (${messages.length} messages).`);
      return `${match[1]}${match[2]}`;
    },
    captchaAnswer() {
      const answer = services.testHooks.latestCaptchaAnswer();
      if (!answer) throw new Error('No picture code was issued.');
      return answer;
    },
    close() {
      services.close();
      closeDatabase(db, dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const STRONG_PASSWORD = 'violet tractor harbour 42';
export const NEW_PASSWORD = 'quiet walnut estuary 77';

/** Signs up with the given channels and verifies each through the delivered code; returns the account ID. */
export async function createVerifiedAccount(
  kit: Kit,
  channels: { email?: string; phone?: string },
  password = STRONG_PASSWORD,
  ip = '198.51.100.1',
): Promise<{ accountId: string; client: Client }> {
  const client = kit.client(ip, 'setup');
  const result = await client.ok('account.signUp', { ...channels, password, confirmPassword: password });
  if (channels.email) {
    await client.ok('account.verifyChannel', { channel: 'email', code: kit.latestCode(result.account.email ?? channels.email) });
  }
  if (channels.phone) {
    await client.ok('account.verifyChannel', { channel: 'sms', code: kit.latestCode(result.account.phone ?? channels.phone) });
  }
  return { accountId: result.account.accountId, client };
}
