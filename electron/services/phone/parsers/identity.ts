import { firstProp, usable, type Props } from './getprop';

export interface VendorOs {
  /** Display name: "HyperOS", "MIUI", "One UI", "HarmonyOS", "EMUI", "MagicOS", "realme UI", "ColorOS", "OxygenOS", "OriginOS", "Funtouch OS", "Flyme". */
  name: string;
  version: string | null;
  /** Full build string where the vendor has one (e.g. OS1.0.9.0.UNFMIXM). */
  build: string | null;
  source: string;
}

export interface PhoneIdentity {
  brand: string | null;
  manufacturer: string | null;
  model: string | null;
  marketingName: string | null;
  /** Name the owner gave the phone (`settings get global device_name`). */
  deviceName: string | null;
  codename: string | null;
  product: string | null;
  serial: { value: string; source: string } | null;
  /** Sticker / OEM serial where it differs from the adb serial (Samsung `ril.serialnumber`, Xiaomi PSN). */
  oemSerial: { value: string; source: string } | null;
  android: { release: string | null; sdk: number | null; securityPatch: string | null; buildId: string | null; incremental: string | null; fingerprint: string | null };
  vendorOs: VendorOs | null;
}

const SERIAL_KEYS = ['ro.serialno', 'ro.boot.serialno', 'sys.serialnumber', 'ro.kernel.androidboot.serialno'];
const OEM_SERIAL_KEYS = ['ril.serialnumber', 'ro.ril.oem.psno', 'ro.ril.oem.sno', 'ro.lenovosn2'];

/** The full MIUI version from the build ("V14.0.6.0.TKPMIXM" -> "14.0.6.0"), else from the name ("V125" -> "12.5"). */
function miuiVersion(name: string | null, incremental: string | null): string | null {
  const full = incremental ? /^V(\d+(?:\.\d+)+)/.exec(incremental) : null;
  if (full?.[1]) return full[1];
  const m = name ? /^V(\d{1,2})(\d?)$/.exec(name) : null;
  if (!m) return name;
  return m[2] ? `${m[1]}.${m[2]}` : (m[1] ?? null);
}

/** One UI stores 60101 for 6.1.1. */
export function oneUiVersion(code: string): string | null {
  const n = Number(code);
  if (!Number.isInteger(n) || n <= 0) return null;
  const major = Math.floor(n / 10000);
  const minor = Math.floor(n / 100) % 100;
  const patch = n % 100;
  return patch ? `${major}.${minor}.${patch}` : `${major}.${minor}`;
}

export function detectVendorOs(props: Props): VendorOs | null {
  const p = (k: string): string | null => usable(props[k]);
  // HyperOS keeps the MIUI props, so it is checked first.
  const hyper = p('ro.mi.os.version.name');
  if (hyper) return { name: 'HyperOS', version: hyper.replace(/^OS/, ''), build: p('ro.mi.os.version.incremental') ?? p('ro.build.version.incremental'), source: 'ro.mi.os.version.name' };
  const miui = p('ro.miui.ui.version.name');
  if (miui) return { name: 'MIUI', version: miuiVersion(miui, p('ro.build.version.incremental')), build: p('ro.build.version.incremental'), source: 'ro.miui.ui.version.name' };
  const oneui = p('ro.build.version.oneui');
  if (oneui) return { name: 'One UI', version: oneUiVersion(oneui), build: p('ro.build.display.id'), source: 'ro.build.version.oneui' };
  const harmony = p('hw_sc.build.platform.version');
  if (harmony) return { name: 'HarmonyOS', version: harmony, build: p('ro.build.display.id'), source: 'hw_sc.build.platform.version' };
  const emui = p('ro.build.version.emui');
  if (emui) return { name: 'EMUI', version: emui.replace(/^EmotionUI_?/i, ''), build: p('ro.build.display.id'), source: 'ro.build.version.emui' };
  const magic = firstProp(props, ['msc.config.magic.version', 'ro.build.version.magic']);
  if (magic) return { name: 'MagicOS', version: magic.value.replace(/^MagicUI_|^MagicOS_/i, ''), build: p('ro.build.display.id'), source: magic.source };
  const realme = p('ro.build.version.realmeui');
  if (realme) return { name: 'realme UI', version: realme.replace(/^V/, ''), build: p('ro.build.display.id'), source: 'ro.build.version.realmeui' };
  const oxygen = p('ro.oxygen.version');
  if (oxygen) return { name: 'OxygenOS', version: oxygen, build: p('ro.rom.version') ?? p('ro.build.display.id'), source: 'ro.oxygen.version' };
  const color = firstProp(props, ['ro.build.version.oplusrom.display', 'ro.build.version.oplusrom', 'ro.build.version.opporom']);
  if (color) return { name: 'ColorOS', version: color.value.replace(/^V/, ''), build: p('ro.build.display.id'), source: color.source };
  const vivoBuild = p('ro.vivo.os.build.display.id');
  if (vivoBuild) {
    const origin = /originos/i.test(vivoBuild);
    return { name: origin ? 'OriginOS' : 'Funtouch OS', version: p('ro.vivo.os.version') ?? vivoBuild.replace(/^[^\d]*/, ''), build: vivoBuild, source: 'ro.vivo.os.build.display.id' };
  }
  const flyme = p('ro.flyme.version.id');
  if (flyme) return { name: 'Flyme', version: flyme.replace(/^Flyme\s*/i, ''), build: flyme, source: 'ro.flyme.version.id' };
  return null;
}

/** Serials that are not the phone's (an adb-over-network address). */
function isAddress(serial: string): boolean {
  return /^[\d.]+:\d+$/.test(serial) || /^\[[0-9a-f:]+\]:\d+$/i.test(serial) || serial.startsWith('adb-');
}

export function identityFromProps(props: Props, extras: { deviceName?: string | null; adbSerial?: string | null } = {}): PhoneIdentity {
  const p = (k: string): string | null => usable(props[k]);
  const sdk = Number(p('ro.build.version.sdk'));
  let serial = firstProp(props, SERIAL_KEYS);
  if (!serial && extras.adbSerial && !isAddress(extras.adbSerial)) serial = { value: extras.adbSerial, source: 'adb' };
  const oem = firstProp(props, OEM_SERIAL_KEYS);
  return {
    brand: p('ro.product.brand'),
    manufacturer: p('ro.product.manufacturer'),
    model: p('ro.product.model') ?? p('ro.product.system.model') ?? p('ro.product.vendor.model'),
    marketingName: firstProp(props, ['ro.product.marketname', 'ro.product.vendor.marketname', 'ro.config.marketing_name', 'ro.vendor.oplus.market.name', 'ro.oppo.market.name', 'ro.vivo.market.name'])?.value ?? null,
    deviceName: usable(extras.deviceName ?? null),
    codename: p('ro.product.device'),
    product: p('ro.product.name'),
    serial,
    oemSerial: oem && oem.value !== serial?.value ? oem : null,
    android: {
      release: p('ro.build.version.release'),
      sdk: Number.isInteger(sdk) && sdk > 0 ? sdk : null,
      securityPatch: p('ro.build.version.security_patch'),
      buildId: p('ro.build.display.id') ?? p('ro.build.id'),
      incremental: p('ro.build.version.incremental'),
      fingerprint: p('ro.build.fingerprint'),
    },
    vendorOs: detectVendorOs(props),
  };
}
