export { OperationRunner, EndpointInvoker, OperationCallContext } from './operation-runner';
