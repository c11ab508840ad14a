/**
 * Attribute escaping for SMS Backup & Restore XML.
 *
 * Choice, documented in docs: characters XML 1.0 does not allow (C0 controls other than tab/LF/CR,
 * U+FFFE, U+FFFF and unpaired surrogates) are written as decimal numeric references (`&#1;`), the way
 * SMS Backup & Restore itself writes them, so the phone app can restore the file and Lifeline's
 * reader (which accepts these references) gets the exact text back. Strict XML tools reject such
 * references; that is the same trade-off the phone app made. Tab, LF and CR are written as
 * references too, because a parser would otherwise normalise them to spaces inside attributes.
 * Everything else, emoji included, is written as plain UTF-8.
 */

// eslint-disable-next-line no-control-regex -- control characters are what must be escaped
const NEEDS_ESCAPE = /[&<>"\u0000-\u001f\ufffe\uffff\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex -- control characters are what must be escaped
const ESCAPE_ALL = /[&<>"\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function replacement(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    default:
      return `&#${c.charCodeAt(0)};`;
  }
}

export function escapeXmlAttribute(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPE_ALL, replacement);
}

/** Attribute names come from the files we read; keep only names XML allows so output stays parseable. */
export function isXmlName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name);
}
