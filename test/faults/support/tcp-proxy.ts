import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What a client-data rule does when the client's bytes match:
 * - `reset-before`: RST both sides without forwarding the matching chunk (the server never sees it);
 * - `reset-after-forward`: forward it, then drop the server's first reply bytes and RST both sides
 *   (the statement reached the server, its reply is lost);
 * - `stall-after-forward`: forward it, then hold that link in both directions until `resume()`.
 */
export type ClientDataAction = 'reset-before' | 'reset-after-forward' | 'stall-after-forward';

/** Where the proxy forwards to. */
export interface ProxyOptions {
  /** Target port. */
  targetPort: number;
  /** Target host; `127.0.0.1` by default. */
  targetHost?: string;
}

/** A rule installed by `onClientData()`. */
export interface ClientDataRule {
  /** How many times it has fired. */
  readonly fired: number;
  /** Uninstalls it. */
  remove(): void;
}

/** A TCP proxy on 127.0.0.1 whose links can be stalled and reset on demand. */
export interface TcpProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** How many client connections are open. */
  readonly links: number;
  /** Holds every byte in both directions on current links, and accepts new ones without dialling the target. */
  stall(): void;
  /** Lets held links (from `stall()` or `stall-after-forward`) flow again and dials the target for new ones. */
  resume(): void;
  /** RSTs both sides of every current link; returns how many links it cut. */
  resetAll(): number;
  /**
   * Installs a rule tested on client bytes (latin1, matched across chunk boundaries for the last 1 KiB);
   * rules fire in install order, at most one per chunk; `once` uninstalls it after it fires (default false).
   */
  onClientData(pattern: RegExp, action: ClientDataAction, options?: { once?: boolean }): ClientDataRule;
  /** Uninstalls every rule. */
  clearRules(): void;
  /** Stops listening and destroys every link; safe to call twice. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

// Client bytes kept per link so a statement split over TCP chunks still matches.
const WINDOW = 1024;

interface Rule {
  regex: RegExp;
  action: ClientDataAction;
  once: boolean;
  fired: number;
}

interface Link {
  client: Socket;
  server: Socket | undefined;
  connected: boolean;
  held: boolean;
  loseReply: boolean;
  tail: string;
  open: number;
}

function reset(socket: Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function setFlowing(socket: Socket, flowing: boolean): void {
  if (socket.destroyed) return;
  if (flowing) socket.resume();
  else socket.pause();
}

class Relay implements TcpProxy {
  private readonly all = new Set<Link>();
  private readonly rules: Rule[] = [];
  private stalled = false;
  private closing: Promise<void> | undefined;
  private readonly host: string;
  private readonly targetPort: number;
  private readonly server: Server;
  port = 0;

  constructor(options: ProxyOptions) {
    this.host = options.targetHost ?? '127.0.0.1';
    this.targetPort = options.targetPort;
    // pauseOnConnect: no client byte is read before the link decides where it goes.
    this.server = createServer({ pauseOnConnect: true, noDelay: true }, (client) => this.accept(client));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: 0, host: '127.0.0.1' }, () => {
        this.server.off('error', reject);
        this.server.on('error', () => {});
        this.port = (this.server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  get links(): number {
    let n = 0;
    for (const link of this.all) if (!link.client.destroyed) n++;
    return n;
  }

  stall(): void {
    this.stalled = true;
    for (const link of this.all) this.flow(link);
  }

  resume(): void {
    this.stalled = false;
    for (const link of this.all) {
      link.held = false;
      if (!link.server && !link.client.destroyed) this.dial(link);
      this.flow(link);
    }
  }

  resetAll(): number {
    let n = 0;
    for (const link of this.all) {
      if (!link.client.destroyed) n++;
      reset(link.client);
      reset(link.server);
    }
    return n;
  }

  onClientData(pattern: RegExp, action: ClientDataAction, options: { once?: boolean } = {}): ClientDataRule {
    // A global, non-sticky copy: matching scans the whole window and needs every match, not the first.
    const flags = pattern.flags.replace(/[gy]/g, '');
    const rule: Rule = {
      regex: new RegExp(pattern.source, `${flags}g`),
      action,
      once: !!options.once,
      fired: 0,
    };
    this.rules.push(rule);
    const rules = this.rules;
    return {
      get fired() {
        return rule.fired;
      },
      remove() {
        const i = rules.indexOf(rule);
        if (i >= 0) rules.splice(i, 1);
      },
    };
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const link of this.all) {
        link.client.destroy();
        link.server?.destroy();
      }
    });
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private accept(client: Socket): void {
    if (this.closing) return void client.destroy();
    const link: Link = {
      client,
      server: undefined,
      connected: false,
      held: false,
      loseReply: false,
      tail: '',
      open: 1,
    };
    this.all.add(link);
    client.setNoDelay(true);
    client.on('error', () => {});
    client.on('data', (chunk: Buffer) => this.fromClient(link, chunk));
    client.on('drain', () => this.flow(link));
    client.on('end', () => link.server?.end());
    client.on('close', () => {
      if (!link.connected) link.server?.destroy();
      else link.server?.end();
      this.closed(link);
    });
    if (!this.stalled) this.dial(link);
  }

  private dial(link: Link): void {
    const server = connect({ port: this.targetPort, host: this.host, noDelay: true });
    link.server = server;
    link.open++;
    server.on('error', () => {});
    server.on('connect', () => {
      link.connected = true;
      this.flow(link);
    });
    server.on('data', (chunk: Buffer) => this.fromServer(link, chunk));
    server.on('drain', () => this.flow(link));
    server.on('end', () => link.client.end());
    server.on('close', () => {
      // A target that refused or vanished before connecting: the client sees a reset, as it
      // would connecting to a dead port directly.
      if (!link.connected) reset(link.client);
      else link.client.end();
      this.closed(link);
    });
  }

  private closed(link: Link): void {
    if (--link.open === 0) this.all.delete(link);
  }

  // Backpressure and holds in one place: a side reads only when nothing holds the link and the
  // other side can take more.
  private flow(link: Link): void {
    const hold = this.stalled || link.held;
    const server = link.server;
    setFlowing(link.client, !hold && link.connected && !!server && !server.writableNeedDrain);
    if (server && link.connected) setFlowing(server, !hold && !link.client.writableNeedDrain);
  }

  private fromClient(link: Link, chunk: Buffer): void {
    const server = link.server;
    if (!server) return;
    // Without rules only the window is kept, so a heavy load through the proxy costs little.
    const fresh = this.rules.length ? chunk : chunk.subarray(-WINDOW);
    const text = link.tail + fresh.toString('latin1');
    const rule = this.rules.length ? this.match(text, link.tail.length) : undefined;
    link.tail = text.slice(-WINDOW);
    if (rule) {
      rule.fired++;
      if (rule.once) this.rules.splice(this.rules.indexOf(rule), 1);
      if (rule.action === 'reset-before') {
        reset(link.client);
        reset(server);
        return;
      }
      if (rule.action === 'reset-after-forward') link.loseReply = true;
      else link.held = true;
    }
    server.write(chunk);
    this.flow(link);
  }

  private fromServer(link: Link, chunk: Buffer): void {
    if (link.client.destroyed) return;
    if (link.loseReply) {
      reset(link.client);
      reset(link.server);
      return;
    }
    link.client.write(chunk);
    this.flow(link);
  }

  // The first rule with a match that ends inside the new bytes; a match wholly inside the window
  // was already judged when those bytes arrived.
  private match(text: string, fresh: number): Rule | undefined {
    for (const rule of this.rules) {
      const re = rule.regex;
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m.index + m[0].length > fresh) return rule;
        if (m[0].length === 0) re.lastIndex++;
      }
    }
    return undefined;
  }
}

/** Starts a TCP proxy on an ephemeral 127.0.0.1 port forwarding to `targetHost:targetPort`. */
export async function startProxy(options: ProxyOptions): Promise<TcpProxy> {
  const proxy = new Relay(options);
  await proxy.listen();
  return proxy;
}
