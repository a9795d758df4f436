export { OperationRunner, EndpointInvoker, OperationCallContext, OperationSource, ExchangeEvent, RunnerHooks, DEFAULT_RESILIENCE } from './operation-runner';
export { callDeadline, ANSWER_RESERVE_MAX_MS, TimedContext } from './call-deadline';
