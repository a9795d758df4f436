import { FieldSpec } from '../field-compiler';
import { DeriveSpec } from '../files/value-spec';

/** How a change-data-capture envelope is unwrapped and which changes are kept. */
export interface EnvelopeSpec {
  /** dotted path of the changed row, e.g. `record_data` */
  recordPath: string;
  /** dotted path of the operation, e.g. `op_type` (I | U | D) */
  operationPath?: string;
  /** dotted path of the table name, e.g. `table_name` */
  tablePath?: string;
  select?: {
    /** table name(s); case-insensitive, and `SCHEMA.TABLE` matches `TABLE` */
    table?: string | string[];
    /** operations kept, e.g. [I, U]; others are skipped */
    operations?: string[];
  };
}

/** A Kafka message shape as written in mappings/topics/*.yaml. */
export interface TopicShapeDefinition {
  shape: string;
  version: number;
  description?: string;
  topic: string;
  format: 'flat' | 'envelope';
  /** message value encoding (default utf-8) */
  encoding?: 'utf-8' | 'gbk' | 'gb18030';
  envelope?: EnvelopeSpec;
  /** values computed from the record before `map` (dates, lists, types) */
  derive?: Record<string, DeriveSpec>;
  map: Record<string, FieldSpec>;
}
