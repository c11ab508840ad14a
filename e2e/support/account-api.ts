// Sets up accounts through the HTTP API (what a script would do), so that specs spend their browser time on
// the screens they are about. Codes are read through the test hook `GET /api/test/outbox`.
import { codeIn } from './delivery-receivers';

export interface HostAccess {
  baseUrl: string;
  token: string;
}

interface Envelope<T> {
  ok: boolean;
  value?: T;
  error?: { code: string; message: string };
}

async function rpc<T>(host: HostAccess, method: string, input: unknown, cookie?: string): Promise<{ value: T; cookie: string | undefined }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
  if (cookie) headers.Cookie = cookie;
  const res = await fetch(`${host.baseUrl}/api/rpc/${method}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const body = (await res.json()) as Envelope<T>;
  if (!body.ok) throw new Error(`${method} failed: ${body.error?.code} ${body.error?.message}`);
  const set = res.headers.get('set-cookie');
  const session = set ? /lifeline_session=([^;]*)/.exec(set)?.[1] : undefined;
  return { value: body.value as T, cookie: session ? `lifeline_session=${session}` : undefined };
}

export async function latestCode(host: HostAccess, to: string, kind: RegExp = /code/i, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${host.baseUrl}/api/test/outbox?to=${encodeURIComponent(to)}`, { headers: { Authorization: `Bearer ${host.token}` } });
    const { messages } = (await res.json()) as { messages: { text: string; subject?: string; at: number }[] };
    const last = [...messages].reverse().find((m) => kind.test(`${m.subject ?? ''} ${m.text}`));
    if (last) return codeIn(last.text);
    if (Date.now() > deadline) throw new Error(`No code for ${to} in the outbox hook.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Creates an account with the given channels, verifies each with the code it was sent, and signs the script out. */
export async function createVerifiedAccount(host: HostAccess, input: { email?: string; phone?: string; password: string }): Promise<{ accountId: string }> {
  const signUp = await rpc<{ account: { accountId: string } }>(host, 'account.signUp', { ...input, confirmPassword: input.password });
  const cookie = signUp.cookie;
  if (input.email) await rpc(host, 'account.verifyChannel', { channel: 'email', code: await latestCode(host, input.email, /verification/i) }, cookie);
  if (input.phone) await rpc(host, 'account.verifyChannel', { channel: 'sms', code: await latestCode(host, input.phone, /verification/i) }, cookie);
  await rpc(host, 'account.signOut', {}, cookie);
  return { accountId: signUp.value.account.accountId };
}
