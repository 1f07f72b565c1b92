import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  /** Origin the server answers on, e.g. `http://localhost:4000`. */
  readonly origin: string;
  readonly port: number;
  setHandler(handler: Handler): void;
  close(): Promise<void>;
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Give in-flight requests a moment, then cut what is left so ports are freed.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }),
  };
}
