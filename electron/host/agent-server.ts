import http from 'node:http';
import type { DevicesService } from '../services/devices/devices-service';
import { AGENT_API_PREFIX, createAgentApi } from './agent-api';

export interface AgentServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The desktop app has no web host, but phones still need somewhere to report: this listener serves only the
 * device-agent API (`/agent/v1/`) on the configured address. Everything else is 404; nothing of the app's own API
 * or pages is reachable through it.
 */
export async function startAgentServer(
  devices: DevicesService,
  options: { host: string; port: number; log?: (line: string) => void },
): Promise<AgentServer> {
  const log = options.log ?? (() => undefined);
  const api = createAgentApi(devices, { log });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith(AGENT_API_PREFIX)) {
      res.writeHead(404, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(JSON.stringify({ ok: false, error: { code: 'not_found', message: 'Only the device-agent API (/agent/v1/) is served here.' } }));
      return;
    }
    void api(req, res);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostPart}:${port}/`;
  devices.setHostUrl(url);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        devices.setHostUrl(undefined);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
