export { OperationRunner, EndpointInvoker, OperationCallContext, OperationSource, ExchangeEvent } from './operation-runner';
