// HTTP clients of the adapter suite: plain requests, a client that leaves mid-request, a reader of streamed
// responses that looks at the database when the first chunk arrives, and bounded concurrency.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server under test. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a request listener (an Express app) on 127.0.0.1, port 0. */
export async function serve(listener: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The answer to a request. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: any;
}

/** POSTs a JSON body (or GETs without one) and reads the JSON answer. */
export async function call(server: TestServer, path: string, body?: unknown): Promise<HttpAnswer> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: parseBody(await res.text()) };
}

/** The JSON in `text`, or `text` itself when it is not JSON (an HTML error page). */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * POSTs a JSON body, waits until `until` resolves (the handler is in the middle of its work), then destroys
 * the socket. Resolves once the socket is closed.
 */
export function leaveMidRequest(server: TestServer, path: string, body: unknown, until: Promise<unknown>) {
  return new Promise<void>((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
    });
    req.on('response', () => reject(new Error('the server answered before the client left')));
    req.on('error', () => {});
    req.on('close', () => resolve());
    req.end(JSON.stringify(body));
    until.then(() => req.destroy(), reject);
  });
}

/**
 * POSTs a JSON body in two pieces, `pauseMs` apart: the rest of the body reaches the server after its hooks
 * have run, so the body parser's callbacks run in the socket's async context, not the request's.
 */
export function postInPieces(
  server: TestServer,
  path: string,
  body: unknown,
  pauseMs = 50,
): Promise<HttpAnswer> {
  const text = JSON.stringify(body);
  const half = Math.floor(text.length / 2);
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
    });
    req.on('response', (res) => {
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        answer += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(answer) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.flushHeaders();
    req.write(text.slice(0, half));
    setTimeout(() => req.end(text.slice(half)), pauseMs);
  });
}

/** A streamed answer: the status, what `atFirstChunk` returned when the first chunk arrived, and the whole body. */
export interface StreamedAnswer<T> {
  readonly status: number;
  readonly atFirstChunk: T | undefined;
  readonly body: string;
}

/** POSTs a JSON body and reads the streamed answer, running `atFirstChunk` as soon as its first chunk arrives. */
export function readStream<T>(
  server: TestServer,
  path: string,
  body: unknown,
  atFirstChunk: () => Promise<T>,
): Promise<StreamedAnswer<T>> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      let first: Promise<T> | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (!first) {
          res.pause();
          first = atFirstChunk();
          first.then(() => res.resume(), reject);
        }
      });
      res.on('end', async () => {
        try {
          resolve({ status: res.statusCode ?? 0, atFirstChunk: await first, body: text });
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Polls `probe` until it returns true, or fails after `ms`. */
export async function eventually(
  probe: () => boolean | Promise<boolean>,
  ms = 5000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
