import { LifelineError } from '../../../contract';
import type { Clock } from '../clock';
import type { DeviceAccountGate, GateCaller, OwnerMessage } from './account-gate';

const HOLD_MS = 24 * 60 * 60 * 1000;
const MAX_STREAK = 10;
const BLOCK_MS = 60 * 60 * 1000;

interface MemoryAccount {
  id: string;
  identifiers: string[];
  password: string;
  recoveredAt: number | undefined;
}

/**
 * An in-memory stand-in for the account service, for tests and the benchmark. It keeps the behaviour
 * the devices service relies on (sign-in style throttle, the 24 h hold) and records messages sent.
 */
export class InMemoryDeviceAccountGate implements DeviceAccountGate {
  private readonly accounts = new Map<string, MemoryAccount>();
  private readonly sessions = new Map<string, string>();
  private readonly streaks = new Map<string, { count: number; blockedUntil: number }>();
  readonly messages: { accountId: string; message: OwnerMessage }[] = [];
  passwordChecks = 0;

  constructor(private readonly clock: Clock) {}

  addAccount(id: string, password: string, identifiers: string[] = []): { sessionToken: string } {
    this.accounts.set(id, { id, identifiers: [id, ...identifiers.map((i) => i.toLowerCase())], password, recoveredAt: undefined });
    const sessionToken = `session-${id}`;
    this.sessions.set(sessionToken, id);
    return { sessionToken };
  }

  /** What a password recovery does to the devices side: a new password and the start of the hold. */
  recoverPassword(id: string, newPassword: string): void {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`no account ${id}`);
    account.password = newPassword;
    account.recoveredAt = this.clock.now();
  }

  currentAccountId(caller: GateCaller): string {
    const token = caller.session.get();
    const id = token === undefined ? undefined : this.sessions.get(token);
    if (id === undefined) throw new LifelineError('not_signed_in', 'Sign in to see your devices.');
    return id;
  }

  async verifyPassword(accountId: string, password: string): Promise<boolean> {
    this.passwordChecks++;
    return this.accounts.get(accountId)?.password === password;
  }

  async authenticateOwner(identifier: string, password: string, ip: string): Promise<string | undefined> {
    const account = [...this.accounts.values()].find((a) => a.identifiers.includes(identifier.trim().toLowerCase()));
    const key = `${account?.id ?? identifier}|${ip}`;
    const now = this.clock.now();
    const streak = this.streaks.get(key);
    if (streak && streak.blockedUntil > now) return undefined;
    if (account && account.password === password) {
      this.streaks.delete(key);
      return account.id;
    }
    const count = (streak && streak.blockedUntil <= now && streak.blockedUntil !== 0 ? 0 : (streak?.count ?? 0)) + 1;
    this.streaks.set(key, { count, blockedUntil: count >= MAX_STREAK ? now + BLOCK_MS : 0 });
    return undefined;
  }

  isRecoveryHoldActive(accountId: string): boolean {
    const at = this.accounts.get(accountId)?.recoveredAt;
    return at !== undefined && this.clock.now() - at < HOLD_MS;
  }

  async notifyOwner(accountId: string, message: OwnerMessage): Promise<void> {
    this.messages.push({ accountId, message });
  }
}
