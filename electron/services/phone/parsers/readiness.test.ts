import { describe, expect, it } from 'vitest';
import { parseDumpsysAccount } from './accounts';
import { collectFrpSignals } from './frp';
import { identityFromProps } from './identity';
import { evaluateReadiness } from './readiness';

const gms = collectFrpSignals({ props: { 'ro.frp.pst': '/dev/block/frp', 'ro.build.version.sdk': '34', 'ro.boot.flash.locked': '1', 'ro.boot.verifiedbootstate': 'green' }, settings: { userSetupComplete: '1', secureFrpModeGlobal: '0' } });
const accounts = (...list: [string, string][]) => parseDumpsysAccount(`User UserInfo{0:Owner:c13}:\n  Accounts: ${list.length}\n${list.map(([n, t]) => `    Account {name=${n}, type=${t}}`).join('\n')}\n\n`);
const xiaomi = identityFromProps({ 'ro.product.brand': 'Redmi', 'ro.product.manufacturer': 'Xiaomi', 'ro.build.version.sdk': '34' });
const samsung = identityFromProps({ 'ro.product.brand': 'samsung', 'ro.build.version.sdk': '34' });

describe('lock readiness', () => {
  it('is ready with no accounts and FRP not active', () => {
    const r = evaluateReadiness({ identity: xiaomi, accounts: accounts(), frp: gms });
    expect(r.verdict).toBe('ready');
    expect(r.instructions).toEqual([]);
    expect(r.evidence.find((e) => e.id === 'google_accounts')?.status).toBe('ok');
  });

  it('blocks on Mi and Google accounts with the customer steps, masked names, and no password request', () => {
    const r = evaluateReadiness({ identity: xiaomi, accounts: accounts(['6123456789', 'com.xiaomi'], ['dewi@gmail.com', 'com.google']), frp: gms });
    expect(r.verdict).toBe('not_ready');
    expect(r.instructions.map((i) => i.code)).toEqual(['google_remove', 'xiaomi_find_device_off', 'xiaomi_sign_out']);
    expect(r.instructions.find((i) => i.code === 'xiaomi_sign_out')?.text).toContain('Settings > Mi Account > Sign out');
    const all = JSON.stringify(r);
    expect(all).not.toContain('dewi@gmail.com');
    expect(all).not.toMatch(/(tell|give|enter) (us|the shop)[^.]*password/i);
    expect(r.summary).toMatch(/^Not ready/);
  });

  it('blocks on Samsung with "Find My Mobile" and the Samsung sign-out path', () => {
    const r = evaluateReadiness({ identity: samsung, accounts: accounts(['b@x.example', 'com.osp.app.signin'], ['b@gmail.com', 'com.google']), frp: gms });
    expect(r.verdict).toBe('not_ready');
    expect(r.instructions.map((i) => i.code)).toContain('samsung_sign_out');
    expect(r.instructions.find((i) => i.code === 'google_remove')?.text).toContain('Accounts and backup');
  });

  it('treats a Google account on a phone without FRP as a warning, and an active FRP as a blocker', () => {
    const noFrp = collectFrpSignals({ props: { 'ro.frp.pst': '' }, settings: {} });
    expect(evaluateReadiness({ identity: null, accounts: accounts(['a@gmail.com', 'com.google']), frp: noFrp }).verdict).toBe('ready');
    const active = collectFrpSignals({ props: { 'ro.frp.pst': '/dev/frp', 'ro.build.version.sdk': '35' }, settings: {}, persistentDataBlock: 'FRP state: true\n' });
    const r = evaluateReadiness({ identity: null, accounts: accounts(), frp: active });
    expect(r.verdict).toBe('not_ready');
    expect(r.instructions[0]?.code).toBe('frp_active');
  });

  it('is not ready when the accounts cannot be read', () => {
    const r = evaluateReadiness({ identity: null, accounts: null, frp: gms });
    expect(r.verdict).toBe('not_ready');
    expect(r.instructions[0]?.code).toBe('accounts_check_manually');
  });

  it('adds the Lifeline state: lost mode and activation lock block, a recent recovery warns', () => {
    const r = evaluateReadiness({ identity: null, accounts: accounts(), frp: gms, lifeline: { enrolled: true, activationLock: true, lostMode: true, recoveredWithin24h: true } });
    expect(r.verdict).toBe('not_ready');
    expect(r.evidence.filter((e) => e.id.startsWith('lifeline')).map((e) => [e.id, e.status])).toEqual([
      ['lifeline_lost_mode', 'blocker'],
      ['lifeline_activation_lock', 'blocker'],
      ['lifeline_recent_recovery', 'warning'],
    ]);
    expect(evaluateReadiness({ identity: null, accounts: accounts(), frp: gms, lifeline: { enrolled: true, activationLock: false, lostMode: false, recoveredWithin24h: true } }).verdict).toBe('ready');
  });

  it('flags an unlocked bootloader and unfinished setup without blocking', () => {
    const frp = collectFrpSignals({ props: { 'ro.frp.pst': '/dev/frp', 'ro.boot.flash.locked': '0', 'ro.boot.verifiedbootstate': 'orange' }, settings: { userSetupComplete: '0' } });
    const r = evaluateReadiness({ identity: null, accounts: accounts(), frp });
    expect(r.verdict).toBe('ready');
    expect(r.evidence.filter((e) => e.status === 'warning').map((e) => e.id)).toEqual(['setup_complete', 'bootloader']);
  });
});
