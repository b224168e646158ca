export {
  KoshaInstrumentation,
  type KoshaInstrumentationConfig,
  koshaInstrumentation,
} from './kosha-instrumentation.js';
