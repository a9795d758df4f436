export { MessageLogStore, ExchangeRecord } from './message-log-store';
export { maskExchange } from './mask-exchange';
export { ExchangeSampler, RecordingRates, DEFAULT_RECORDING_RATES, exchangeRecorder } from './exchange-recorder';
