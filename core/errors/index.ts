export { ERROR_CODES, ErrorCode, isErrorCode } from './codes';
export { GridbusError, GridbusErrorOptions, ErrorView, toErrorView } from './gridbus-error';
