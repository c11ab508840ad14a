/**
 * Fake phone profiles: what a given kind of phone answers. Values follow what such phones print; the
 * customer data sizes are parameters so the benchmark can ask for big phones.
 */
import type { PhotoSpec } from './data';

export interface ProfileAccount {
  name: string;
  type: string;
}

export interface PhoneProfile {
  id: ProfileId;
  /** The adb serial the CNXN banner does not carry; `getprop ro.serialno`. */
  serial: string;
  props: Record<string, string>;
  settings: { global: Record<string, string>; secure: Record<string, string>; system: Record<string, string> };
  users: { id: number; name: string; flags: string; accounts: ProfileAccount[] }[];
  /** Authenticator types listed under RegisteredServicesCache (parsers must not count these as accounts). */
  authenticators: string[];
  imeis: string[];
  /** How `service call iphonesubinfo` answers. */
  imeiCall: 'ok' | 'security-exception';
  battery: { level: number; status: number; health: number; temperature: number; voltage: number; chargeCounter: number; usb: boolean; technology: string; extra?: Record<string, string> };
  storage: { dataTotalK: number; dataFreeK: number };
  /** `dumpsys persistent_data_block` (Android 15+); null where the service prints nothing useful. */
  pdb: { frpActive: boolean; credentialHandle: boolean } | null;
  refuses: { sms?: boolean; mms?: boolean; calls?: boolean; contacts?: boolean };
  sizes: ProfileSizes;
  seed: number;
  /** Legacy PTY shells turn "\n" into "\r\n". */
  ptyNewlines: boolean;
}

export interface ProfileSizes {
  contacts: number;
  sms: number;
  mms: number;
  calls: number;
  photos: PhotoSpec;
}

export const profileIds = ['xiaomi-hyperos', 'samsung-oneui', 'clean-ready', 'old-android8'] as const;
export type ProfileId = (typeof profileIds)[number];

export const defaultSizes: ProfileSizes = {
  contacts: 40,
  sms: 60,
  mms: 3,
  calls: 30,
  photos: { count: 12, averageBytes: 48_000 },
};

/** Appends the Luhn check digit to 14 digits. */
export function withLuhn(body14: string): string {
  let sum = 0;
  for (let i = 0; i < body14.length; i += 1) {
    let d = Number(body14[body14.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${body14}${(10 - (sum % 10)) % 10}`;
}

function baseProps(p: Record<string, string>): Record<string, string> {
  return {
    'dalvik.vm.heapsize': '512m',
    'persist.sys.timezone': 'Asia/Jakarta',
    'ro.boot.flash.locked': '1',
    'ro.boot.verifiedbootstate': 'green',
    'ro.build.type': 'user',
    'ro.build.tags': 'release-keys',
    'ro.product.locale': 'en-US',
    'ro.crypto.state': 'encrypted',
    'sys.boot_completed': '1',
    'sys.oem_unlock_allowed': '0',
    'init.svc.adbd': 'running',
    ...p,
  };
}

export function makeProfile(id: ProfileId, sizes: Partial<ProfileSizes> = {}): PhoneProfile {
  const s: ProfileSizes = { ...defaultSizes, ...sizes };
  switch (id) {
    case 'xiaomi-hyperos':
      return {
        id,
        serial: 'a1b2c3d4',
        props: baseProps({
          'ro.product.brand': 'Redmi',
          'ro.product.manufacturer': 'Xiaomi',
          'ro.product.model': '23090RA98G',
          'ro.product.marketname': 'Redmi Note 13 Pro 5G',
          'ro.product.device': 'garnet',
          'ro.product.name': 'garnet_global',
          'ro.serialno': 'a1b2c3d4',
          'ro.ril.oem.psno': '39201/A3BC01234',
          'ro.build.version.release': '14',
          'ro.build.version.sdk': '34',
          'ro.build.version.security_patch': '2024-09-01',
          'ro.build.version.incremental': 'OS1.0.9.0.UNFMIXM',
          'ro.build.display.id': 'UKQ1.231003.002 release-keys',
          'ro.build.fingerprint': 'Redmi/garnet_global/garnet:14/UKQ1.231003.002/OS1.0.9.0.UNFMIXM:user/release-keys',
          'ro.mi.os.version.name': 'OS1.0',
          'ro.mi.os.version.code': '1',
          'ro.mi.os.version.incremental': 'OS1.0.9.0.UNFMIXM',
          'ro.miui.ui.version.name': 'V816',
          'ro.miui.ui.version.code': '816',
          'ro.miui.region': 'ID',
          'ro.frp.pst': '/dev/block/by-name/frp',
          'ro.ril.miui.imei0': '',
        }),
        settings: { global: { device_name: 'Redmi Note 13 Pro 5G', device_provisioned: '1', secure_frp_mode: '0' }, secure: { user_setup_complete: '1', android_id: '6f1e2d3c4b5a6978' }, system: {} },
        users: [{ id: 0, name: 'Owner', flags: 'c13', accounts: [{ name: '6123456789', type: 'com.xiaomi' }, { name: 'dewi.santoso@gmail.com', type: 'com.google' }] }],
        authenticators: ['com.google', 'com.xiaomi', 'com.google.work', 'com.android.exchange'],
        imeis: [withLuhn('86012345678901'), withLuhn('86012345678902')],
        imeiCall: 'ok',
        battery: { level: 64, status: 3, health: 2, temperature: 312, voltage: 3912, chargeCounter: 3210000, usb: true, technology: 'Li-poly' },
        storage: { dataTotalK: 239_000_000, dataFreeK: 101_230_000 },
        pdb: null,
        refuses: {},
        sizes: s,
        seed: 101,
        ptyNewlines: false,
      };
    case 'samsung-oneui':
      return {
        id,
        serial: 'R5CT12ABCDE',
        props: baseProps({
          'ro.product.brand': 'samsung',
          'ro.product.manufacturer': 'samsung',
          'ro.product.model': 'SM-A546E',
          'ro.product.device': 'a54x',
          'ro.product.name': 'a54xnsxx',
          'ro.serialno': 'R5CT12ABCDE',
          'ril.serialnumber': 'R5CT12ABCDE',
          'ro.build.version.release': '14',
          'ro.build.version.sdk': '34',
          'ro.build.version.security_patch': '2024-08-01',
          'ro.build.version.incremental': 'A546EXXS8CXG2',
          'ro.build.display.id': 'UP1A.231005.007.A546EXXS8CXG2',
          'ro.build.fingerprint': 'samsung/a54xnsxx/a54x:14/UP1A.231005.007/A546EXXS8CXG2:user/release-keys',
          'ro.build.version.oneui': '60101',
          'storage.mmc.size': '256000000000',
          'ro.frp.pst': '/dev/block/persistent',
        }),
        settings: { global: { device_name: 'Galaxy A54 5G', device_provisioned: '1', secure_frp_mode: '0' }, secure: { user_setup_complete: '1', android_id: '1a2b3c4d5e6f7081' }, system: {} },
        users: [
          { id: 0, name: 'Owner', flags: 'c13', accounts: [{ name: 'budi.w@samsung-mail.example', type: 'com.osp.app.signin' }, { name: 'budi.wijaya@gmail.com', type: 'com.google' }] },
          // Secure Folder is a separate user on Samsung phones.
          { id: 150, name: 'Secure Folder', flags: '1030', accounts: [] },
        ],
        authenticators: ['com.google', 'com.osp.app.signin', 'com.samsung.android.mobileservice'],
        imeis: [withLuhn('35123456789012'), withLuhn('35123456789013')],
        imeiCall: 'ok',
        battery: { level: 88, status: 2, health: 2, temperature: 295, voltage: 4250, chargeCounter: 4100000, usb: true, technology: 'Li-ion', extra: { mSavedBatteryAsoc: '93' } },
        storage: { dataTotalK: 229_000_000, dataFreeK: 48_500_000 },
        pdb: null,
        refuses: {},
        sizes: s,
        seed: 202,
        ptyNewlines: false,
      };
    case 'clean-ready':
      return {
        id,
        serial: '35091FDH2000AB',
        props: baseProps({
          'ro.product.brand': 'google',
          'ro.product.manufacturer': 'Google',
          'ro.product.model': 'Pixel 8',
          'ro.product.device': 'shiba',
          'ro.product.name': 'shiba',
          'ro.serialno': '35091FDH2000AB',
          'ro.build.version.release': '15',
          'ro.build.version.sdk': '35',
          'ro.build.version.security_patch': '2025-01-05',
          'ro.build.version.incremental': '12621605',
          'ro.build.display.id': 'AP4A.250105.002',
          'ro.build.fingerprint': 'google/shiba/shiba:15/AP4A.250105.002/12621605:user/release-keys',
          'ro.frp.pst': '/dev/block/by-name/frp',
        }),
        settings: { global: { device_name: 'Pixel 8', device_provisioned: '1', secure_frp_mode: '0' }, secure: { user_setup_complete: '1', android_id: '0011223344556677' }, system: {} },
        users: [{ id: 0, name: 'Owner', flags: 'c13', accounts: [] }],
        authenticators: ['com.google', 'com.google.work'],
        imeis: [withLuhn('35840512345678')],
        imeiCall: 'ok',
        battery: { level: 100, status: 5, health: 2, temperature: 270, voltage: 4380, chargeCounter: 4400000, usb: true, technology: 'Li-ion' },
        storage: { dataTotalK: 115_000_000, dataFreeK: 90_000_000 },
        pdb: { frpActive: false, credentialHandle: false },
        refuses: {},
        sizes: { ...s, sms: sizes.sms ?? 10, contacts: sizes.contacts ?? 8 },
        seed: 303,
        ptyNewlines: false,
      };
    case 'old-android8':
      return {
        id,
        serial: 'ZY2235XYZQ',
        props: baseProps({
          'ro.product.brand': 'motorola',
          'ro.product.manufacturer': 'motorola',
          'ro.product.model': 'moto g(6)',
          'ro.product.device': 'ali',
          'ro.product.name': 'ali',
          'ro.serialno': 'ZY2235XYZQ',
          'ro.build.version.release': '8.0.0',
          'ro.build.version.sdk': '26',
          'ro.build.version.security_patch': '2019-02-01',
          'ro.build.version.incremental': '5a4c5',
          'ro.build.display.id': 'OPS27.104-92-10',
          'ro.build.fingerprint': 'motorola/ali/ali:8.0.0/OPS27.104-92-10/5a4c5:user/release-keys',
          'ro.frp.pst': '/dev/block/bootdevice/by-name/frp',
          'ro.boot.verifiedbootstate': 'green',
        }),
        settings: { global: { device_provisioned: '1' }, secure: { user_setup_complete: '1', android_id: '8899aabbccddeeff' }, system: {} },
        users: [{ id: 0, name: 'Owner', flags: '13', accounts: [{ name: 'ines.g@gmail.com', type: 'com.google' }] }],
        authenticators: ['com.google', 'com.motorola.accounts'],
        imeis: [withLuhn('35345678901234')],
        imeiCall: 'security-exception',
        battery: { level: 23, status: 3, health: 2, temperature: 301, voltage: 3650, chargeCounter: 610000, usb: true, technology: 'Li-ion' },
        storage: { dataTotalK: 24_000_000, dataFreeK: 2_100_000 },
        pdb: null,
        refuses: { sms: true, mms: true, calls: true },
        sizes: s,
        seed: 404,
        ptyNewlines: false,
      };
  }
}
