export { AlipayAdapter, AlipayAdapterOptions, AlipayCallParams, AlipayExchange, AlipayResponse, alipayTimestamp, requireSuccess } from './alipay-adapter';
export { DevAppKeys, loadOrCreateDevAppKeys, publicKeyBase64 } from './keys';
export * from './signature';
