import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';

/** One form POST received by the sink, as the merchant's notify_url receives Alipay's notifications. */
export interface ReceivedNotify {
  fields: Record<string, string>;
  contentType: string;
}

/**
 * A small notify_url: records every form posted to it and answers
 * `success` (or what `answer` says), so that tests read what the Alipay
 * simulator really sent over HTTP.
 */
export class NotifySink {
  readonly received: ReceivedNotify[] = [];
  answer = 'success';
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const fields: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) fields[k] = v;
      this.received.push({ fields, contentType: String(req.headers['content-type'] ?? '') });
      res.end(this.answer);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alipay/notify`;
    return this;
  }

  /** The first notification matching, waiting for it up to `timeoutMs`. */
  async waitFor(match: (fields: Record<string, string>) => boolean, timeoutMs = 3000): Promise<Record<string, string>> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => match(r.fields));
      if (hit) return hit.fields;
      if (Date.now() > until) throw new Error(`no matching notification within ${timeoutMs} ms (received ${this.received.length})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  matching(match: (fields: Record<string, string>) => boolean): Record<string, string>[] {
    return this.received.filter((r) => match(r.fields)).map((r) => r.fields);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
