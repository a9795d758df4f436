export { parseFile } from './parse-file';
export {
  FileRecordParser, ParseOptions, FileEvent, RecordEvent, SkippedEvent, FileSummary, TotalsCheck, splitQuoted,
} from './record-parser';
export { loadFileLayoutText, loadFileLayouts, loadCodeTables } from './layout-loader';
export { CompiledFileLayout, CompiledRecordType, compileFileLayout } from './compile-layout';
export {
  FileLayoutDefinition, FileEncoding, BadRecordPolicy, RecordSelect, ColumnSpec, RecordTypeDefinition, DetailRecordDefinition,
} from './layout-definition';
export { CompiledFileName, FileNameParts, FileNameSpec, FileNamePartSpec, compileFileName } from './file-name';
export { FileProblem, FileErrorDetails, fileError } from './errors';
export { ValueSpec, DeriveSpec, DateSpec, compileValue, compileDerive, parseIntegerText } from './value-spec';
