/**
 * @module server/listen
 * Puts the application on a socket (@hono/node-server) and takes it down cleanly: stop accepting, let requests in
 * flight finish, then the caller closes the store.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function listen(app: Hono<any>, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (e: NodeJS.ErrnoException) => {
      reject(new Error(e.code === 'EADDRINUSE' ? `${host}:${port} is already in use; choose another --port` : e.code === 'EACCES' ? `not allowed to listen on ${host}:${port}` : e.message));
    };
    server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off('error', onError);
      server.on('error', (e) => process.stderr.write(`vigil serve: ${e.message}\n`));
      const shown = info.family === 'IPv6' || host.includes(':') ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}/`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive connections would hold close() open; requests in flight still finish.
            (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      });
    });
    server.once('error', onError);
  });
}
