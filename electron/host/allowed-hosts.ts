import os from 'node:os';
import { isLoopbackHost } from '../config';

/**
 * The Host header values the web host answers to. Anything else is refused with 403, which stops
 * DNS-rebinding pages (evil.example resolving to 127.0.0.1) from talking to the host.
 */
export function allowedHostHeaders(bindHost: string, port: number, publicUrl: string | undefined): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => {
    const bare = name.replace(/^\[|\]$/g, '').toLowerCase();
    const shown = bare.includes(':') ? `[${bare}]` : bare;
    names.add(`${shown}:${port}`);
    if (port === 80) names.add(shown);
  };
  add(bindHost);
  if (isLoopbackHost(bindHost) || bindHost === '0.0.0.0' || bindHost === '::') {
    add('127.0.0.1');
    add('localhost');
    add('::1');
  }
  if (bindHost === '0.0.0.0' || bindHost === '::') {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const iface of list ?? []) add(iface.address);
    }
    add(os.hostname());
  }
  if (publicUrl) {
    const url = new URL(publicUrl);
    names.add(url.host.toLowerCase());
  }
  return names;
}

/** The origins a state-changing request may come from: the host's own pages. */
export function allowedOrigins(hostHeaders: Set<string>, publicUrl: string | undefined): Set<string> {
  const origins = new Set<string>();
  for (const host of hostHeaders) origins.add(`http://${host}`);
  if (publicUrl) origins.add(new URL(publicUrl).origin);
  return origins;
}
