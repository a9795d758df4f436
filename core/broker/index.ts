export { createBroker } from './create-broker';
export { requestLogMiddleware } from './request-log-middleware';
export { strictParamsMiddleware, isRoutable } from './strict-params';
