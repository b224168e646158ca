import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import type { KoshaEvent } from '@kosha/core';
import {
  type Attributes,
  type Context,
  type Counter,
  context,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { dbSystemOf, endAttributes, spanName, startAttributes } from './span-attributes.js';

const NAME = '@kosha/otel';
const VERSION = '0.1.0';
const CHANNELS = ['kosha:request', 'kosha:transaction', 'kosha:cache'] as const;

/** Options of {@link koshaInstrumentation}. */
export interface KoshaInstrumentationConfig {
  /** Subscribe at once (OpenTelemetry's convention; `registerInstrumentations` enables it too). Default true. */
  enabled?: boolean;
  /** Make spans for cache calls (default true); the cache metric is recorded either way. */
  cacheSpans?: boolean;
}

type Handlers = {
  start(event: KoshaEvent): void;
  end(): void;
  asyncStart(): void;
  asyncEnd(event: KoshaEvent): void;
  error(event: KoshaEvent): void;
};

/**
 * An OpenTelemetry instrumentation (the `Instrumentation` shape that `registerInstrumentations` and the
 * Node SDK take) that turns Kosha's `node:diagnostics_channel` events into spans — the request scope
 * under the HTTP server's span, its transactions under it, cache calls under the transaction or request
 * they ran in — and into two metrics: `kosha.cache.lookups` (a counter, by cache and hit) and
 * `kosha.transaction.duration` (a histogram, seconds). Kosha's core has no OpenTelemetry dependency: with
 * this not enabled, nothing is published at all.
 */
export class KoshaInstrumentation {
  readonly instrumentationName = NAME;
  readonly instrumentationVersion = VERSION;
  #config: KoshaInstrumentationConfig;
  #tracerProvider: TracerProvider | undefined;
  #meterProvider: MeterProvider | undefined;
  #tracer: Tracer | undefined;
  #lookups: Counter | undefined;
  #durations: Histogram | undefined;
  #subscribed: { channel: TracingChannel<KoshaEvent, KoshaEvent>; handlers: Handlers }[] = [];
  /** The span of each event in progress, found again by its end and by its children (`event.parent`). */
  readonly #spans = new WeakMap<KoshaEvent, Span>();

  constructor(config: KoshaInstrumentationConfig = {}) {
    this.#config = { ...config };
    if (config.enabled !== false) this.enable();
  }

  setTracerProvider(provider: TracerProvider): void {
    this.#tracerProvider = provider;
    this.#tracer = undefined;
  }

  setMeterProvider(provider: MeterProvider): void {
    this.#meterProvider = provider;
    this.#lookups = undefined;
    this.#durations = undefined;
  }

  setConfig(config: KoshaInstrumentationConfig): void {
    this.#config = { ...config, enabled: this.#config.enabled };
  }

  getConfig(): KoshaInstrumentationConfig {
    return this.#config;
  }

  /** Subscribes to `kosha:request`, `kosha:transaction` and `kosha:cache`. Idempotent. */
  enable(): void {
    this.#config.enabled = true;
    if (this.#subscribed.length) return;
    for (const name of CHANNELS) {
      const channel = tracingChannel<KoshaEvent>(name);
      const handlers: Handlers = {
        start: (event) => this.#start(event),
        end: () => {},
        asyncStart: () => {},
        asyncEnd: (event) => this.#end(event),
        error: () => {},
      };
      channel.subscribe(handlers);
      this.#subscribed.push({ channel, handlers });
    }
  }

  /** Unsubscribes: Kosha stops building events once nothing else listens. */
  disable(): void {
    this.#config.enabled = false;
    for (const { channel, handlers } of this.#subscribed) channel.unsubscribe(handlers);
    this.#subscribed = [];
  }

  get #activeTracer(): Tracer {
    this.#tracer ??= (this.#tracerProvider ?? trace.getTracerProvider()).getTracer(NAME, VERSION);
    return this.#tracer;
  }

  #parentContext(event: KoshaEvent): Context {
    let parent = event.parent;
    while (parent) {
      const span = this.#spans.get(parent);
      if (span) return trace.setSpan(context.active(), span);
      parent = parent.parent;
    }
    return context.active();
  }

  #start(event: KoshaEvent): void {
    if (event.kind === 'cache' && this.#config.cacheSpans === false) return;
    const span = this.#activeTracer.startSpan(
      spanName(event),
      { attributes: startAttributes(event) },
      this.#parentContext(event),
    );
    this.#spans.set(event, span);
  }

  #end(event: KoshaEvent): void {
    this.#record(event);
    const span = this.#spans.get(event);
    if (!span) return;
    this.#spans.delete(event);
    span.setAttributes(endAttributes(event));
    if (event.error !== undefined) {
      const error = event.error;
      if (error instanceof Error) span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    span.end();
  }

  #record(event: KoshaEvent): void {
    const meter = (this.#meterProvider ?? metrics.getMeterProvider()).getMeter(NAME, VERSION);
    if (event.kind === 'cache' && event.operation === 'get') {
      this.#lookups ??= meter.createCounter('kosha.cache.lookups', {
        description: 'Cache reads of @cacheable, by cache and by whether they found an entry',
      });
      const attributes: Attributes = {
        'kosha.cache.name': event.cache,
        'kosha.cache.hit': event.hit === true,
      };
      this.#lookups.add(1, attributes);
    } else if (event.kind === 'transaction' && event.duration !== undefined) {
      this.#durations ??= meter.createHistogram('kosha.transaction.duration', {
        description: 'Duration of Kosha transaction scopes',
        unit: 's',
      });
      this.#durations.record(event.duration / 1000, {
        'db.system.name': dbSystemOf(event.dialect),
        'kosha.transaction.outcome': event.outcome ?? 'rollback',
      });
    }
  }
}

/**
 * The Kosha instrumentation, for `registerInstrumentations({ instrumentations: [koshaInstrumentation()] })`
 * or the Node SDK's `instrumentations`.
 *
 * ```ts
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * import { koshaInstrumentation } from '@kosha/otel';
 *
 * new NodeSDK({ instrumentations: [koshaInstrumentation()] }).start();
 * ```
 */
export function koshaInstrumentation(config?: KoshaInstrumentationConfig): KoshaInstrumentation {
  return new KoshaInstrumentation(config);
}
