/**
 * `dumpsys account`: for each user a "User UserInfo{id:name:flags}:" header, then "  Accounts: N" and
 * N lines "    Account {name=..., type=...}". Only that block is read: the RegisteredServicesCache
 * (authenticator list) and "Account visibility" sections further down mention types and names too.
 */

export interface PhoneAccount {
  userId: number;
  name: string;
  type: string;
  /** Which vendor lock the type stands for, if any. */
  vendor: AccountVendor | null;
}

export type AccountVendor = 'google' | 'xiaomi' | 'samsung' | 'huawei';

export const ACCOUNT_VENDORS: Record<string, AccountVendor> = {
  'com.google': 'google',
  'com.xiaomi': 'xiaomi',
  'com.osp.app.signin': 'samsung',
  'com.huawei.hwid': 'huawei',
};

export interface AccountsResult {
  users: { userId: number; userName: string | null; declaredCount: number; accounts: PhoneAccount[] }[];
  accounts: PhoneAccount[];
  /** Lines that looked like accounts but could not be read, or counts that did not match. */
  warnings: string[];
}

const ACCOUNT_LINE = /^\s+Account \{name=(.*), type=([^,}]+)\}\s*$/;

export function parseDumpsysAccount(text: string): AccountsResult | null {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const users: AccountsResult['users'] = [];
  const warnings: string[] = [];
  let currentUser: { userId: number; userName: string | null } | null = null;
  let sawAccountsHeader = false;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const user = /^User UserInfo\{(\d+):([^:}]*)(?::[^}]*)?\}:?\s*$/.exec(line);
    if (user) {
      currentUser = { userId: Number(user[1]), userName: user[2] || null };
      continue;
    }
    const header = /^\s*Accounts: (\d+)\s*$/.exec(line);
    if (!header) continue;
    sawAccountsHeader = true;
    const declared = Number(header[1]);
    const owner = currentUser ?? { userId: 0, userName: null };
    const accounts: PhoneAccount[] = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const m = ACCOUNT_LINE.exec(lines[j] ?? '');
      if (!m) break;
      const type = (m[2] ?? '').trim();
      accounts.push({ userId: owner.userId, name: m[1] ?? '', type, vendor: ACCOUNT_VENDORS[type] ?? null });
    }
    if (accounts.length !== declared) warnings.push(`User ${owner.userId}: ${declared} accounts declared, ${accounts.length} read.`);
    users.push({ ...owner, declaredCount: declared, accounts });
    i = j - 1;
    // One block per user: later "Accounts:" lines for the same user are not expected.
    currentUser = null;
  }
  if (!sawAccountsHeader) return null;
  return { users, accounts: users.flatMap((u) => u.accounts), warnings };
}

export function maskAccountName(name: string): string {
  const at = name.indexOf('@');
  if (at > 0) return `${name.slice(0, 1)}${'•'.repeat(Math.max(1, at - 1))}${name.slice(at)}`;
  return name.length > 4 ? `${'•'.repeat(name.length - 3)}${name.slice(-3)}` : '•'.repeat(name.length);
}
