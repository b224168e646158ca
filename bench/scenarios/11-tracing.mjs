// Scenario 11: what Kosha's diagnostics channels cost. `repo.getById` with nothing subscribed (the
// default: core checks `hasSubscribers` and builds no event) against the same call while something
// subscribes — 11: a subscriber that does nothing, so the figure is the events' own cost; 11b:
// @kosha/otel with the OpenTelemetry SDK (a tracer provider, the AsyncLocalStorage context manager, spans
// to an exporter that drops them). Each setting holds only while its task runs (tinybench beforeAll/afterAll).
// Scenario 1 measures the default path against MikroORM (target ≤ 1.05), the channels' checks included.
import { tracingChannel } from 'node:diagnostics_channel';
import { closeKosha, compare, defineUser, fmtUs, openKosha, row, seedUsers } from '../lib/harness.mjs';

const CHANNELS = ['kosha:transaction', 'kosha:cache', 'kosha:request'];

export default {
  id: 'tracing',
  title: 'diagnostics channels: nothing subscribed, a no-op subscriber, OpenTelemetry',
  async run(ctx) {
    const { DbRepo } = await import('@kosha/core');
    const { koshaInstrumentation } = await import('@kosha/otel');
    const { context, trace } = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const User = await defineUser(`bench_tracing_${ctx.suffix}`);
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
    }
    const kosha = await openKosha(ctx, [User]);
    try {
      const repo = new UserRepo();
      const ids = await seedUsers(repo, 1000);
      let i = 0;
      const get = async () => {
        if (!(await repo.getById(ids[i++ % ids.length]))) throw new Error('missing row');
      };
      const noop = { start() {}, end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
      const names = new Set(); // what the spans were called; the spans themselves are dropped
      const dropped = {
        export: (spans, done) => {
          for (const s of spans) names.add(s.name);
          done({ code: 0 });
        },
        shutdown: async () => {},
      };
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropped)] });
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      trace.setGlobalTracerProvider(provider);
      const otel = koshaInstrumentation({ enabled: false });
      otel.setTracerProvider(provider);
      const m = await compare(
        {
          quiet: get,
          subscribed: {
            fn: get,
            beforeAll: () => {
              for (const n of CHANNELS) tracingChannel(n).subscribe(noop);
            },
            afterAll: () => {
              for (const n of CHANNELS) tracingChannel(n).unsubscribe(noop);
            },
          },
          otel: { fn: get, beforeAll: () => otel.enable(), afterAll: () => otel.disable() },
        },
        ctx,
      );
      return [
        row({
          scenario: '11. getById while a do-nothing subscriber listens to Kosha’s channels',
          kosha: fmtUs(m.us('subscribed')),
          baseline: `${fmtUs(m.us('quiet'))} nothing subscribed`,
          ratio: m.ratio('subscribed', 'quiet'),
          notes: `${ctx.dialect}, ${m.rounds} rounds; what building and publishing the events costs (${fmtUs(m.us('subscribed') - m.us('quiet'))} per call); with nothing subscribed core only checks hasSubscribers (scenario 1)`,
        }),
        row({
          scenario: '11b. getById traced by @kosha/otel (OpenTelemetry SDK, spans dropped)',
          kosha: fmtUs(m.us('otel')),
          baseline: `${fmtUs(m.us('quiet'))} nothing subscribed`,
          ratio: m.ratio('otel', 'quiet'),
          notes: `${ctx.dialect}; one span per call (getById's own read-only transaction): ${[...names].join(', ') || 'none'}`,
        }),
      ];
    } finally {
      await closeKosha(kosha);
    }
  },
};
