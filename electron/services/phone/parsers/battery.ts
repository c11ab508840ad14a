/** `dumpsys battery` ("Current Battery Service state:" then `  key: value` lines). */
export interface BatteryInfo {
  percent: number | null;
  level: number | null;
  scale: number | null;
  status: 'unknown' | 'charging' | 'discharging' | 'not_charging' | 'full' | null;
  health: 'unknown' | 'good' | 'overheat' | 'dead' | 'over_voltage' | 'failure' | 'cold' | null;
  temperatureC: number | null;
  voltageMv: number | null;
  chargeCounterUah: number | null;
  technology: string | null;
  plugged: { ac: boolean; usb: boolean; wireless: boolean };
  /** Samsung's `mSavedBatteryAsoc` (battery health in %), when present. */
  healthPercent: number | null;
  /** Every key as printed, for the receipt. */
  raw: Record<string, string>;
}

const STATUS: Record<string, BatteryInfo['status']> = { '1': 'unknown', '2': 'charging', '3': 'discharging', '4': 'not_charging', '5': 'full' };
const HEALTH: Record<string, BatteryInfo['health']> = { '1': 'unknown', '2': 'good', '3': 'overheat', '4': 'dead', '5': 'over_voltage', '6': 'failure', '7': 'cold' };

export function parseDumpsysBattery(text: string): BatteryInfo | null {
  const raw: Record<string, string> = {};
  let seen = false;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (/Battery Service state/i.test(line)) seen = true;
    const m = /^\s+([A-Za-z][\w ]*?):\s?(.*)$/.exec(line);
    if (m?.[1] && raw[m[1]] === undefined) raw[m[1]] = (m[2] ?? '').trim();
  }
  if (!seen && raw.level === undefined) return null;
  const num = (k: string): number | null => {
    const v = raw[k];
    if (v === undefined || v === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };
  const level = num('level');
  const scale = num('scale');
  const temp = num('temperature');
  const asoc = num('mSavedBatteryAsoc');
  return {
    level,
    scale,
    percent: level !== null ? Math.round((level * 100) / (scale && scale > 0 ? scale : 100)) : null,
    status: raw.status !== undefined ? (STATUS[raw.status] ?? 'unknown') : null,
    health: raw.health !== undefined ? (HEALTH[raw.health] ?? 'unknown') : null,
    temperatureC: temp !== null ? temp / 10 : null,
    voltageMv: num('voltage'),
    chargeCounterUah: num('Charge counter'),
    technology: raw.technology || null,
    plugged: { ac: raw['AC powered'] === 'true', usb: raw['USB powered'] === 'true', wireless: raw['Wireless powered'] === 'true' },
    healthPercent: asoc !== null && asoc > 0 && asoc <= 100 ? asoc : null,
    raw,
  };
}
