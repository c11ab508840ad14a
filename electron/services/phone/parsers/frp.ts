/** Factory-reset-protection signals, gathered from props, settings and (Android 15+) persistent_data_block. */
import { usable, type Props } from './getprop';

export interface PdbState {
  frpActive: boolean | null;
  hasCredentialHandle: boolean | null;
  /** The dump stopped with a SecurityException after the lines the shell may see. */
  truncatedBySecurity: boolean;
}

export interface FrpSignals {
  /** `ro.frp.pst`: the persistent data block partition; empty means no Google FRP on this build. */
  frpPartition: string | null;
  frpCapable: boolean;
  oemUnlockAllowed: boolean | null;
  bootloaderLocked: boolean | null;
  verifiedBootState: string | null;
  userSetupComplete: boolean | null;
  deviceProvisioned: boolean | null;
  /** `secure_frp_mode`: FRP currently active (mirrors the Android 15 state on newer builds). */
  secureFrpMode: boolean | null;
  pdb: PdbState | null;
  sdk: number | null;
}

function flag(v: string | null | undefined): boolean | null {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  if (t === '1' || t === 'true') return true;
  if (t === '0' || t === 'false') return false;
  return null;
}

export function parsePersistentDataBlock(text: string): PdbState | null {
  if (/Can't find service|does not exist/i.test(text)) return null;
  const state = /FRP state:\s*(true|false)/i.exec(text);
  const handle = /Has FRP credential handle:\s*(true|false)/i.exec(text);
  if (!state && !handle && !/SecurityException/.test(text)) return null;
  return {
    frpActive: state ? state[1]?.toLowerCase() === 'true' : null,
    hasCredentialHandle: handle ? handle[1]?.toLowerCase() === 'true' : null,
    truncatedBySecurity: /SecurityException|Permission Denial/.test(text),
  };
}

export interface FrpInputs {
  props: Props;
  /** Raw answers of `settings get ...`; "null" means unset. */
  settings: { userSetupComplete?: string | null; deviceProvisioned?: string | null; secureFrpModeGlobal?: string | null; secureFrpModeSecure?: string | null };
  persistentDataBlock?: string | null;
}

export function collectFrpSignals(input: FrpInputs): FrpSignals {
  const { props, settings } = input;
  const partition = usable(props['ro.frp.pst']);
  const verified = usable(props['ro.boot.verifiedbootstate']);
  const sdk = Number(props['ro.build.version.sdk']);
  const frpModes = [flag(settings.secureFrpModeGlobal), flag(settings.secureFrpModeSecure)].filter((v): v is boolean => v !== null);
  return {
    frpPartition: partition,
    frpCapable: partition !== null,
    oemUnlockAllowed: flag(props['sys.oem_unlock_allowed']),
    bootloaderLocked: flag(props['ro.boot.flash.locked']),
    verifiedBootState: verified,
    userSetupComplete: flag(settings.userSetupComplete),
    deviceProvisioned: flag(settings.deviceProvisioned),
    secureFrpMode: frpModes.length ? frpModes.includes(true) : null,
    pdb: input.persistentDataBlock ? parsePersistentDataBlock(input.persistentDataBlock) : null,
    sdk: Number.isInteger(sdk) && sdk > 0 ? sdk : null,
  };
}
