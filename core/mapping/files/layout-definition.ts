import { FieldSpec } from '../field-compiler';
import { FileNameSpec } from './file-name';
import { DeriveSpec, ValueSpec } from './value-spec';

export type FileEncoding = 'utf-8' | 'gbk' | 'gb18030';
export type BadRecordPolicy = 'fail' | 'skip-and-report';

/**
 * Which lines are of a record type: by position (`first` / `last` line that is
 * not blank or skipped), by a prefix of the line, or by the text of one
 * delimited column (0-based).
 */
export type RecordSelect = 'first' | 'last' | { prefix: string } | { column: number; equals: string | string[] };

/** One column: a fixed-width slice (`width`) or the next delimited cell. */
export interface ColumnSpec extends ValueSpec {
  name: string;
  width?: number;
}

export interface RecordTypeDefinition {
  select?: RecordSelect;
  fields: ColumnSpec[];
  derive?: Record<string, DeriveSpec>;
}

export interface DetailRecordDefinition extends RecordTypeDefinition {
  /** canonical record from the columns (field specs of core/mapping/field-compiler) */
  map?: Record<string, FieldSpec>;
}

/** A file layout as written in mappings/files/*.yaml. */
export interface FileLayoutDefinition {
  layout: string;
  version: number;
  description?: string;
  format: 'fixed' | 'delimited';
  encoding: FileEncoding;
  fixed?: {
    /** widths count bytes of the encoded line (default) or characters */
    unit?: 'bytes' | 'chars';
    /** a line shorter than the layout: refuse (default) or read missing columns as empty */
    shortLines?: 'refuse' | 'pad';
  };
  delimited?: {
    delimiter: string;
    /** cells may be enclosed in this character (doubled inside); none by default */
    quote?: string;
    /** each line ends with one more delimiter (`a|b|c|`) */
    trailingDelimiter?: boolean;
  };
  fileName?: FileNameSpec;
  /** lines ignored wherever they are (comments, section markers) */
  skip?: Array<{ prefix: string }>;
  onBadRecord?: BadRecordPolicy;
  /** longest line accepted, in characters (default: 4 × the fixed width, or 65536) */
  maxLineLength?: number;
  records: {
    header?: RecordTypeDefinition;
    detail: DetailRecordDefinition;
    trailer?: RecordTypeDefinition;
  };
  totals?: {
    /** `header.<field>` or `trailer.<field>`: the number of detail records */
    count?: string;
    /** `<detail field>: header.<field>`: the sum of a detail column */
    sums?: Record<string, string>;
  };
}
