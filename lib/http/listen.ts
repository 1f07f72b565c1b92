import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  /** Origin the server answers on, e.g. `http://localhost:4000`. */
  readonly origin: string;
  readonly port: number;
  setHandler(handler: Handler): void;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then closes. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts listening before the handler exists, so a part that must know its own URL
 * (the OIDC issuer, a server on port 0 in tests) can be built after the port is known.
 * Requests that arrive before `setHandler` get 503.
 */
export async function listen(port: number, host = 'localhost'): Promise<RunningServer> {
  let handler: Handler | undefined;
  const server: Server = createServer((req, res) => {
    if (!handler) {
      res.writeHead(503).end();
      return;
    }
    Promise.resolve(handler(req, res)).catch(() => {
      // Handlers answer their own errors; this only stops a bug from crashing the process.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}');
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${actualPort}`,
    port: actualPort,
    setHandler: (h) => {
      handler = h;
    },
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        // No new connections; requests in flight finish (up to graceMs), then what is left is cut so ports are freed.
        server.close(() => resolve());
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        idle.unref();
        setTimeout(() => {
          clearInterval(idle);
          server.closeAllConnections();
        }, graceMs).unref();
        server.once('close', () => clearInterval(idle));
      }),
  };
}
