/**
 * Lock readiness: will this phone lock itself to an account after a factory reset? Pure: takes what
 * the readers found and returns the evidence item by item, a verdict, and what the customer must do.
 * It never asks for passwords: every instruction is something the customer does on the phone.
 *
 * Logic follows /shared/reference/adb.md "How tools decide": FRP engages after an untrusted reset when
 * a Google account is on a phone with an FRP partition; vendor accounts (Mi, Samsung, HUAWEI ID) bring
 * their own activation locks that ADB cannot see precisely, so any such account blocks the reset.
 */
import type { AccountsResult, AccountVendor, PhoneAccount } from './accounts';
import { maskAccountName } from './accounts';
import type { FrpSignals } from './frp';
import type { PhoneIdentity } from './identity';

export type EvidenceStatus = 'ok' | 'warning' | 'blocker' | 'unknown';

export interface EvidenceItem {
  id: string;
  label: string;
  /** What was found, masked where personal. */
  value: string;
  status: EvidenceStatus;
  detail?: string;
}

export interface Instruction {
  /** Stable id for translations and tests. */
  code: string;
  text: string;
}

export interface ReadinessInput {
  identity: PhoneIdentity | null;
  /** null: `dumpsys account` could not be read. */
  accounts: AccountsResult | null;
  frp: FrpSignals | null;
  /** The phone's state in the Lifeline account service, when it is enrolled there. */
  lifeline?: { enrolled: boolean; activationLock: boolean; lostMode: boolean; recoveredWithin24h: boolean } | null;
}

export interface ReadinessReport {
  verdict: 'ready' | 'not_ready';
  summary: string;
  evidence: EvidenceItem[];
  instructions: Instruction[];
}

function googlePath(identity: PhoneIdentity | null): string {
  const brand = `${identity?.brand ?? ''} ${identity?.manufacturer ?? ''}`.toLowerCase();
  if (brand.includes('samsung')) return 'Settings > Accounts and backup > Manage accounts';
  if (/xiaomi|redmi|poco/.test(brand)) return 'Settings > Accounts & sync (or Settings > Passwords & accounts)';
  const sdk = identity?.android.sdk ?? 0;
  return sdk >= 29 ? 'Settings > Passwords & accounts' : 'Settings > Accounts';
}

const VENDOR_TEXT: Record<Exclude<AccountVendor, 'google'>, { label: string; instructions: Instruction[] }> = {
  xiaomi: {
    label: 'Mi account (Xiaomi)',
    instructions: [
      { code: 'xiaomi_find_device_off', text: 'Turn off Find device: Settings > Mi Account > Xiaomi Cloud > Find device.' },
      { code: 'xiaomi_sign_out', text: 'Remove the Mi account: Settings > Mi Account > Sign out. The customer enters their own password on the phone if asked.' },
    ],
  },
  samsung: {
    label: 'Samsung account',
    instructions: [
      { code: 'samsung_find_off', text: 'Turn off Find My Mobile: Settings > Security and privacy > Lost device protection (Find My Mobile).' },
      { code: 'samsung_sign_out', text: 'Sign out of the Samsung account: Settings > Accounts and backup > Manage accounts > Samsung account > Sign out. The customer enters their own password on the phone if asked.' },
    ],
  },
  huawei: {
    label: 'HUAWEI ID',
    instructions: [
      { code: 'huawei_find_off', text: 'Turn off Find My Phone: Settings > HUAWEI ID > Cloud > Find My Phone.' },
      { code: 'huawei_sign_out', text: 'Sign out of the HUAWEI ID: Settings > HUAWEI ID > Log out. The customer enters their own password on the phone if asked.' },
    ],
  },
};

function listNames(accounts: PhoneAccount[]): string {
  return accounts.map((a) => `${maskAccountName(a.name)}${a.userId !== 0 ? ` (user ${a.userId})` : ''}`).join(', ');
}

export function evaluateReadiness(input: ReadinessInput): ReadinessReport {
  const evidence: EvidenceItem[] = [];
  const instructions: Instruction[] = [];
  const { accounts, frp, identity } = input;

  // 1. Is FRP active right now?
  const activeNow = frp?.pdb?.frpActive ?? frp?.secureFrpMode ?? null;
  if (activeNow === true) {
    evidence.push({ id: 'frp_active', label: 'Factory reset protection now', value: 'active', status: 'blocker', detail: 'The phone is already locked to a Google account.' });
    instructions.push({ code: 'frp_active', text: 'The phone is locked by factory reset protection. The customer must sign in with the Google account that was on it before; the shop cannot remove this lock.' });
  } else {
    evidence.push({ id: 'frp_active', label: 'Factory reset protection now', value: activeNow === false ? 'not active' : 'not reported', status: activeNow === false ? 'ok' : 'unknown' });
  }

  // 2. FRP capability.
  if (frp) {
    evidence.push({
      id: 'frp_partition',
      label: 'Factory reset protection on this phone',
      value: frp.frpCapable ? `yes (${frp.frpPartition})` : 'no FRP partition',
      status: 'ok',
      detail: frp.frpCapable ? 'A Google account on this phone will lock it after a reset from recovery, fastboot or a remote wipe.' : 'This build has no Google factory reset protection.',
    });
  } else {
    evidence.push({ id: 'frp_partition', label: 'Factory reset protection on this phone', value: 'could not be read', status: 'unknown' });
  }

  // 3. Accounts.
  if (!accounts) {
    evidence.push({ id: 'accounts', label: 'Accounts on the phone', value: 'could not be read', status: 'unknown', detail: 'dumpsys account gave no answer.' });
    instructions.push({ code: 'accounts_check_manually', text: `Lifeline could not read the accounts. Ask the customer to open ${googlePath(identity)} and remove every account, then check again.` });
  } else {
    const google = accounts.accounts.filter((a) => a.vendor === 'google');
    const frpCapable = frp?.frpCapable ?? true;
    if (google.length > 0) {
      evidence.push({
        id: 'google_accounts',
        label: 'Google accounts',
        value: `${google.length}: ${listNames(google)}`,
        status: frpCapable ? 'blocker' : 'warning',
        detail: frpCapable ? 'FRP would lock the phone to these accounts after an untrusted reset.' : 'No FRP partition, but removing the account is still recommended.',
      });
      instructions.push({ code: 'google_remove', text: `Remove the Google account${google.length > 1 ? 's' : ''} (${listNames(google)}): ${googlePath(identity)} > the account > Remove account.` });
    } else {
      evidence.push({ id: 'google_accounts', label: 'Google accounts', value: 'none', status: 'ok' });
    }
    for (const vendor of ['xiaomi', 'samsung', 'huawei'] as const) {
      const found = accounts.accounts.filter((a) => a.vendor === vendor);
      const text = VENDOR_TEXT[vendor];
      if (found.length > 0) {
        evidence.push({ id: `${vendor}_accounts`, label: text.label, value: `${found.length}: ${listNames(found)}`, status: 'blocker', detail: 'The vendor activation lock (Find device) cannot be checked precisely over USB; the account must be signed out.' });
        instructions.push(...text.instructions);
      }
    }
    const others = accounts.accounts.filter((a) => a.vendor === null);
    if (others.length > 0) {
      evidence.push({ id: 'other_accounts', label: 'Other accounts', value: [...new Set(others.map((a) => a.type))].join(', '), status: 'ok', detail: 'These account types do not lock the phone after a reset.' });
    }
    for (const w of accounts.warnings) evidence.push({ id: 'accounts_warning', label: 'Accounts list', value: w, status: 'warning' });
  }

  // 4. Setup state and bootloader (information; a reset during setup keeps an FRP lock).
  if (frp?.userSetupComplete === false) {
    evidence.push({ id: 'setup_complete', label: 'Phone setup finished', value: 'no', status: 'warning', detail: 'A reset during setup keeps an existing FRP lock. Finish setup before resetting.' });
  } else if (frp) {
    evidence.push({ id: 'setup_complete', label: 'Phone setup finished', value: frp.userSetupComplete ? 'yes' : 'not reported', status: frp.userSetupComplete ? 'ok' : 'unknown' });
  }
  if (frp && (frp.bootloaderLocked === false || (frp.verifiedBootState && frp.verifiedBootState !== 'green'))) {
    evidence.push({ id: 'bootloader', label: 'Bootloader', value: `${frp.bootloaderLocked === false ? 'unlocked' : 'locked'}, verified boot ${frp.verifiedBootState ?? 'unknown'}`, status: 'warning', detail: 'The system may be modified; note this on the ticket.' });
  }
  if (frp?.oemUnlockAllowed === true) {
    evidence.push({ id: 'oem_unlock', label: 'OEM unlocking', value: 'allowed', status: 'ok', detail: (frp.sdk ?? 0) >= 35 ? 'Since Android 15 this no longer disables FRP.' : 'Before Android 15 this disables FRP, but do not rely on it.' });
  }

  // 5. Lifeline's own account state.
  const lifeline = input.lifeline;
  if (lifeline?.enrolled) {
    if (lifeline.lostMode) {
      evidence.push({ id: 'lifeline_lost_mode', label: 'Lifeline lost mode', value: 'ON', status: 'blocker', detail: 'The owner reported this phone lost. Confirm the customer is the owner before doing anything.' });
      instructions.push({ code: 'lifeline_lost_mode', text: 'This phone is in lost mode. Check the customer’s identity; the owner turns lost mode off by signing in to Lifeline.' });
    }
    if (lifeline.activationLock) {
      evidence.push({ id: 'lifeline_activation_lock', label: 'Lifeline activation lock', value: 'on', status: 'blocker' });
      instructions.push({ code: 'lifeline_release_lock', text: 'Release the Lifeline activation lock: the customer signs in to their Lifeline account and releases the lock for this phone.' });
    } else {
      evidence.push({ id: 'lifeline_activation_lock', label: 'Lifeline activation lock', value: 'off', status: 'ok' });
    }
    if (lifeline.recoveredWithin24h) {
      evidence.push({ id: 'lifeline_recent_recovery', label: 'Lifeline password recovered', value: 'in the last 24 hours', status: 'warning', detail: 'A recent password recovery can mean the account changed hands. Confirm the customer is the owner.' });
    }
  }

  const blockers = evidence.filter((e) => e.status === 'blocker');
  const unknownAccounts = !accounts;
  const verdict = blockers.length === 0 && !unknownAccounts ? 'ready' : 'not_ready';
  const summary =
    verdict === 'ready'
      ? 'Ready for reset: no account lock was found.'
      : unknownAccounts && blockers.length === 0
        ? 'Not ready: the accounts on the phone could not be checked.'
        : `Not ready: ${blockers.map((b) => `${b.label} (${b.value})`).join('; ')}.`;
  return { verdict, summary, evidence, instructions };
}
