export { compileField, compileObject, FieldMappingError, FieldSpec, MappingContext } from './field-compiler';
export { CompiledOperation, FaultInfo, compileOperation } from './compile-operation';
export { loadOperations, loadOperationText } from './operation-loader';
export { OperationDefinition, Endpoint, SoapEndpoint } from './operation-definition';
export { fenToYuan, yuanToFen, fenToInteger, MoneyFormatError } from './money';
export { compilePath, asList } from './path';
