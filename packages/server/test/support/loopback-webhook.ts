import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notification } from '../../src/alerting/notification.js';

/** A notification as a webhook receiver got it: the parsed body, its exact bytes (what is signed) and the headers. */
export interface ReceivedNotification {
  body: Notification;
  raw: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface LoopbackWebhook {
  /** `http://127.0.0.1:PORT` and the path asked for. */
  url: string;
  received: ReceivedNotification[];
  close: () => Promise<void>;
}

/** A webhook receiver on loopback that keeps every notification posted to it and answers `ok`. */
export async function startLoopbackWebhook(path = '/hook'): Promise<LoopbackWebhook> {
  const received: ReceivedNotification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ body: JSON.parse(raw) as Notification, raw, headers: req.headers });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
