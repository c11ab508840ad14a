/**
 * `getprop` with no arguments prints `[key]: [value]` lines; a value may span lines. Anything else
 * (warnings, blank lines) is skipped.
 */
export type Props = Readonly<Record<string, string>>;

export function parseGetprop(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const m = /^\[([^\]\s]+)\]: \[(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] ?? '';
    let rest = m[2] ?? '';
    // A value that contains a newline continues on the following lines until one ends with "]".
    while (!rest.endsWith(']') && i + 1 < lines.length) {
      i += 1;
      rest += `\n${lines[i] ?? ''}`;
    }
    props[key] = rest.endsWith(']') ? rest.slice(0, -1) : rest;
  }
  return props;
}

/** Treats "", "unknown" and all-zero values as missing, as tools reading these props do. */
export function usable(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const v = value.trim();
  if (v === '' || /^unknown$/i.test(v) || /^0+$/.test(v) || v === 'null') return null;
  return v;
}

export function firstProp(props: Props, keys: readonly string[]): { value: string; source: string } | null {
  for (const key of keys) {
    const v = usable(props[key]);
    if (v !== null) return { value: v, source: key };
  }
  return null;
}
