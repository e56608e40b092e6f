import { createConnection, createServer, type Server, type Socket } from 'node:net';

const COM_QUERY = 0x03;

/**
 * A TCP proxy in front of MariaDB that reads the SQL of every COM_QUERY the plugin sends
 * (mysql2's text protocol inlines the escaped values, so `LIMIT 25` is visible) and can drop
 * the connection of the next queries that match — a database's "5xx": the server going away
 * mid-run. Bytes are forwarded untouched.
 *
 * @example
 * const proxy = await MysqlProxy.start('127.0.0.1', 3306);
 * // GENIUS_DATABASE_URL=mysql://root@127.0.0.1:${proxy.port}/db
 */
export class MysqlProxy {
  readonly queries: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private drops: { remaining: number; match: RegExp } | undefined;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(targetHost: string, targetPort: number): Promise<MysqlProxy> {
    const proxy: MysqlProxy = new MysqlProxy(
      createServer((client) => proxy.pipe(client, targetHost, targetPort)),
    );
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Drops the connection carrying each of the next `count` queries that match. */
  dropNext(count: number, match: RegExp): void {
    this.drops = { remaining: count, match };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, host: string, port: number): void {
    const upstream = createConnection({ host, port });
    this.sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.on('data', (chunk) => client.write(chunk));
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let dropped = false;
      while (pending.length >= 4) {
        const length = pending.readUIntLE(0, 3);
        if (pending.length < 4 + length) break;
        const sequence = pending[3];
        const payload = pending.subarray(4, 4 + length);
        pending = pending.subarray(4 + length);
        // A command starts a new exchange (sequence 0); the login packet has sequence 1.
        if (sequence === 0 && payload[0] === COM_QUERY) {
          const sql = payload.subarray(1).toString('utf8');
          this.queries.push(sql);
          if (this.drops && this.drops.remaining > 0 && this.drops.match.test(sql)) {
            this.drops.remaining--;
            dropped = true;
          }
        }
      }
      if (dropped) end();
      else upstream.write(chunk);
    });
  }
}
