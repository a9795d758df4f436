export { MessageLogStore, ExchangeRecord } from './message-log-store';
export { maskExchange } from './mask-exchange';
