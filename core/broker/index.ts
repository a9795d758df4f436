export { createBroker } from './create-broker';
export { requestLogMiddleware } from './request-log-middleware';
