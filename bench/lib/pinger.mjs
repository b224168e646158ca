// Another Redis client in a process of its own: a PING every millisecond, like a busy application
// client, until the parent says stop; then it reports the latencies. argv: <redis url>.
import { Redis } from 'ioredis';

const client = new Redis(process.argv[2]);
const latencies = [];
let stop = false;
process.on('message', () => {
  stop = true;
});
await client.ping();
process.send('ready');
while (!stop) {
  const t = process.hrtime.bigint();
  await client.ping();
  latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  await new Promise((r) => setTimeout(r, 1));
}
latencies.sort((a, b) => a - b);
process.send({
  count: latencies.length,
  max: latencies.at(-1),
  p99: latencies[Math.floor(latencies.length * 0.99)],
});
client.disconnect();
process.disconnect();
