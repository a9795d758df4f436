export { OperationRunner, EndpointInvoker, OperationCallContext, OperationSource, ExchangeEvent, RunnerHooks, DEFAULT_RESILIENCE } from './operation-runner';
