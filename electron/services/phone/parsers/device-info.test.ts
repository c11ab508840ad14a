import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDumpsysAccount, maskAccountName } from './accounts';
import { parseDumpsysBattery } from './battery';
import { collectFrpSignals, parsePersistentDataBlock } from './frp';
import { parseGetprop } from './getprop';
import { detectVendorOs, identityFromProps, oneUiVersion } from './identity';
import { imeisFromProps, isValidImei, luhnValid, parseDumpsysIphonesubinfo, parseServiceCallImei } from './imei';
import { parseDf, parseDiskstats, storageFromDf } from './storage';

const fixture = (name: string): string => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('getprop', () => {
  it('reads [key]: [value] lines, multi-line values, and skips noise', () => {
    const props = parseGetprop(fixture('getprop-xiaomi-hyperos.txt'));
    expect(props['ro.product.model']).toBe('23090RA98G');
    expect(props['persist.sys.multiline']).toBe('first line\nsecond line');
    expect(Object.keys(props).some((k) => k.includes('WARNING'))).toBe(false);
    expect(parseGetprop('[a]: [1]\r\n[b]: []\r\n')).toEqual({ a: '1', b: '' });
  });
});

describe('identity', () => {
  it('reads a HyperOS phone: HyperOS wins over the MIUI props, serial falls back past "unknown"', () => {
    const id = identityFromProps(parseGetprop(fixture('getprop-xiaomi-hyperos.txt')), { deviceName: 'Dewi’s phone', adbSerial: '127.0.0.1:5555' });
    expect(id.brand).toBe('Redmi');
    expect(id.manufacturer).toBe('Xiaomi');
    expect(id.marketingName).toBe('Redmi Note 13 Pro 5G');
    expect(id.deviceName).toBe('Dewi’s phone');
    expect(id.serial).toEqual({ value: 'a1b2c3d4', source: 'ro.boot.serialno' });
    expect(id.oemSerial).toEqual({ value: '39201/A3BC01234', source: 'ro.ril.oem.psno' });
    expect(id.android).toMatchObject({ release: '14', sdk: 34, securityPatch: '2024-09-01' });
    expect(id.vendorOs).toEqual({ name: 'HyperOS', version: '1.0', build: 'OS1.0.9.0.UNFMIXM', source: 'ro.mi.os.version.name' });
  });

  it('reads MIUI from the build, skips all-zero serials, and never takes an IP:port adb serial', () => {
    const id = identityFromProps(parseGetprop(fixture('getprop-miui-old.txt')), { adbSerial: '192.168.1.5:5555' });
    expect(id.vendorOs?.name).toBe('MIUI');
    expect(id.vendorOs?.version).toBe('12.5.2.0');
    expect(id.serial).toEqual({ value: '9f8e7d6c', source: 'sys.serialnumber' });
    expect(identityFromProps({ 'ro.product.model': 'X' }, { adbSerial: '192.168.1.5:5555' }).serial).toBeNull();
    expect(identityFromProps({}, { adbSerial: 'R5CT12' }).serial).toEqual({ value: 'R5CT12', source: 'adb' });
  });

  it('names the other vendor systems', () => {
    expect(oneUiVersion('60101')).toBe('6.1.1');
    expect(oneUiVersion('50000')).toBe('5.0');
    expect(detectVendorOs({ 'ro.build.version.oneui': '50101' })).toMatchObject({ name: 'One UI', version: '5.1.1' });
    expect(detectVendorOs({ 'ro.build.version.emui': 'EmotionUI_13.0.0' })).toMatchObject({ name: 'EMUI', version: '13.0.0' });
    expect(detectVendorOs({ 'ro.build.version.emui': 'EmotionUI_12.0.0', 'hw_sc.build.platform.version': '3.0.0' })).toMatchObject({ name: 'HarmonyOS', version: '3.0.0' });
    expect(detectVendorOs({ 'ro.build.version.oplusrom': 'V13.1' })).toMatchObject({ name: 'ColorOS', version: '13.1' });
    expect(detectVendorOs({ 'ro.build.version.oplusrom': 'V13.1', 'ro.build.version.realmeui': 'V4.0' })).toMatchObject({ name: 'realme UI', version: '4.0' });
    expect(detectVendorOs({ 'ro.vivo.os.build.display.id': 'OriginOS 4' })).toMatchObject({ name: 'OriginOS' });
    expect(detectVendorOs({ 'ro.vivo.os.build.display.id': 'Funtouch OS_13', 'ro.vivo.os.version': '13.0' })).toMatchObject({ name: 'Funtouch OS', version: '13.0' });
    expect(detectVendorOs({ 'ro.build.version.release': '15' })).toBeNull();
  });
});

describe('IMEI', () => {
  it('checks Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(isValidImei('351234567890124')).toBe(true);
    expect(isValidImei('351234567890125')).toBe(false);
    expect(isValidImei('000000000000000')).toBe(false);
    expect(isValidImei('35123456789012')).toBe(false);
  });

  it('decodes a multi-line Parcel dump by its words', () => {
    expect(parseServiceCallImei(fixture('service-call-imei-ok.txt'))).toEqual({ status: 'ok', imei: '351234567890124' });
  });

  it('recognises an error Parcel and reports its message', () => {
    const r = parseServiceCallImei(fixture('service-call-imei-denied.txt'));
    expect(r.status).toBe('refused');
    if (r.status === 'refused') expect(r.reason).toMatch(/^Requires READ_PHONE_STATE/);
  });

  it('handles null strings, single-line dumps, bad digits and missing services', () => {
    expect(parseServiceCallImei("Result: Parcel(00000000 ffffffff   '........')").status).toBe('none');
    expect(parseServiceCallImei("Result: Parcel(00000000 00000002 00320031 00000000 '......1.2.......')")).toMatchObject({ status: 'invalid' });
    expect(parseServiceCallImei('service: Service iphonesubinfo does not exist').status).toBe('none');
    expect(parseServiceCallImei('garbage').status).toBe('invalid');
    expect(parseDumpsysIphonesubinfo('Phone Subscriber Info:\n  Device ID = 351234567890124\n')).toEqual({ status: 'ok', imei: '351234567890124' });
    expect(imeisFromProps(parseGetprop(fixture('getprop-xiaomi-hyperos.txt')))).toEqual(['860123456789014']);
  });
});

describe('battery and storage', () => {
  it('parses dumpsys battery with Samsung extras', () => {
    const b = parseDumpsysBattery(fixture('dumpsys-battery-samsung.txt'));
    expect(b).toMatchObject({ percent: 88, status: 'charging', health: 'good', temperatureC: 29.5, voltageMv: 4250, chargeCounterUah: 4100000, technology: 'Li-ion', healthPercent: 93 });
    expect(b?.plugged).toEqual({ ac: false, usb: true, wireless: false });
    expect(parseDumpsysBattery("Can't find service: battery")).toBeNull();
  });

  it('parses diskstats and df (-k and -h)', () => {
    expect(parseDiskstats('Latency: 1ms\nData-Free: 51234564K / 113456780K total = 45% free\n')).toEqual({ freeBytes: 51234564 * 1024, totalBytes: 113456780 * 1024, source: 'diskstats' });
    expect(parseDiskstats('nothing')).toBeNull();
    const k = 'Filesystem      1K-blocks      Used Available Use% Mounted on\n/dev/block/dm-46 113456780 62222216 51234564  55% /data\n';
    expect(storageFromDf(k)).toEqual({ totalBytes: 113456780 * 1024, freeBytes: 51234564 * 1024, source: 'df' });
    const h = 'Filesystem       Size  Used Avail Use% Mounted on\n/dev/fuse        110G   59G   49G  55% /storage/emulated\n';
    expect(parseDf(h)[0]).toMatchObject({ totalBytes: 110 * 1024 ** 3, mountedOn: '/storage/emulated' });
  });
});

describe('dumpsys account', () => {
  it('reads the Accounts: blocks of every user and ignores the authenticator and visibility lists', () => {
    const r = parseDumpsysAccount(fixture('dumpsys-account-samsung.txt'));
    expect(r?.users.map((u) => [u.userId, u.userName, u.accounts.length])).toEqual([[0, 'Owner', 3], [150, 'Secure Folder', 1]]);
    expect(r?.accounts.map((a) => [a.type, a.vendor])).toEqual([
      ['com.osp.app.signin', 'samsung'],
      ['com.google', 'google'],
      ['com.whatsapp', null],
      ['com.google', 'google'],
    ]);
    // A name containing ", type=" keeps its full text.
    expect(r?.accounts[2]?.name).toBe('Budi, type=Wijaya');
    expect(r?.accounts.some((a) => a.type === 'com.xiaomi' || a.name === 'someone.else@gmail.com')).toBe(false);
    expect(r?.warnings).toEqual([]);
  });

  it('returns null when there is no Accounts block, and reads a phone without accounts', () => {
    expect(parseDumpsysAccount("Can't find service: account")).toBeNull();
    expect(parseDumpsysAccount('User UserInfo{0:Owner:c13}:\n  Accounts: 0\n\n  Active Sessions: 0\n')?.accounts).toEqual([]);
    expect(parseDumpsysAccount('Accounts: 1\n  Account {name=a@b.c, type=com.google}\n')?.accounts[0]).toMatchObject({ userId: 0, vendor: 'google' });
  });

  it('masks names', () => {
    expect(maskAccountName('budi.wijaya@gmail.com')).toBe('b••••••••••@gmail.com');
    expect(maskAccountName('6123456789')).toBe('•••••••789');
  });
});

describe('FRP signals', () => {
  it('collects partition, OEM unlock, boot state and setup state', () => {
    const s = collectFrpSignals({
      props: { 'ro.frp.pst': '/dev/block/by-name/frp', 'sys.oem_unlock_allowed': '0', 'ro.boot.flash.locked': '1', 'ro.boot.verifiedbootstate': 'green', 'ro.build.version.sdk': '35' },
      settings: { userSetupComplete: '1', deviceProvisioned: '1', secureFrpModeGlobal: '0', secureFrpModeSecure: null },
      persistentDataBlock: 'FRP state\n=========\nFRP state: false\nHas FRP credential handle: true\n',
    });
    expect(s).toMatchObject({ frpCapable: true, oemUnlockAllowed: false, bootloaderLocked: true, verifiedBootState: 'green', userSetupComplete: true, secureFrpMode: false, sdk: 35 });
    expect(s.pdb).toEqual({ frpActive: false, hasCredentialHandle: true, truncatedBySecurity: false });
    expect(collectFrpSignals({ props: { 'ro.frp.pst': '' }, settings: {} }).frpCapable).toBe(false);
  });

  it('reads a persistent_data_block dump cut short by a SecurityException', () => {
    expect(parsePersistentDataBlock('FRP state: true\njava.lang.SecurityException: requires ACCESS_PDB_STATE\n')).toEqual({ frpActive: true, hasCredentialHandle: null, truncatedBySecurity: true });
    expect(parsePersistentDataBlock("Can't find service: persistent_data_block")).toBeNull();
  });
});
