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
  private statementZone: string | undefined;

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

  /**
   * Makes the server run every later query with `@@time_zone` set to `zone` (an offset such as
   * `-05:00`: MariaDB needs no zone tables for one), through MariaDB's own
   * `SET STATEMENT time_zone = … FOR …` — the server then answers as one whose clock is in that
   * zone (`@@time_zone`, NOW()). Global settings of the shared server are left alone.
   */
  serverTimeZone(zone: string): void {
    if (!/^[+-]\d{2}:\d{2}$/.test(zone)) throw new RangeError(`not an offset: ${zone}`);
    this.statementZone = zone;
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
      const out: Buffer[] = [];
      while (pending.length >= 4) {
        const length = pending.readUIntLE(0, 3);
        if (pending.length < 4 + length) break;
        const sequence = pending[3] ?? 0;
        let packet: Buffer = pending.subarray(0, 4 + length);
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
          if (this.statementZone)
            packet = queryPacket(`SET STATEMENT time_zone = '${this.statementZone}' FOR ${sql}`);
        }
        out.push(packet);
      }
      // Whole packets are forwarded as they complete; a partial one waits for its rest.
      if (dropped) end();
      else if (out.length > 0) upstream.write(Buffer.concat(out));
    });
  }
}

/** A COM_QUERY packet (sequence 0) carrying `sql`. */
function queryPacket(sql: string): Buffer {
  const body = Buffer.from(sql, 'utf8');
  const packet = Buffer.alloc(5 + body.length);
  packet.writeUIntLE(1 + body.length, 0, 3);
  packet[3] = 0;
  packet[4] = COM_QUERY;
  body.copy(packet, 5);
  return packet;
}
