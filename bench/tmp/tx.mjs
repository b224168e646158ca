import { createKosha, entity, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
class U {} entity(U); table('u_tx')(U); id({ autoincrement: true })(U.prototype, 'id');
const kosha = await createKosha({ orm: mikroOrm({ url: 'sqlite::memory:' }), entities: [U] });
const N = 100000;
for (let r = 0; r < 5; r++) {
  let t = performance.now(); for (let i = 0; i < N; i++) await kosha.transaction(async () => 1); const a = (performance.now() - t) * 1000 / N;
  t = performance.now(); for (let i = 0; i < N; i++) await (async () => 1)(); const b = (performance.now() - t) * 1000 / N;
  console.log(a.toFixed(2), b.toFixed(2));
}
await kosha.close();
