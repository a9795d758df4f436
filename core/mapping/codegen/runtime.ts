/**
 * What generated mappers call at run time (`H.*`): the same conversions and
 * error wording as the field compiler, so both engines fail alike.
 */
import { DateFormatError } from '../date-format';
import { FieldMappingError, assignPath, convertType } from '../field-compiler';
import { MoneyFormatError, fenToInteger, fenToYuan, yuanToFen } from '../money';
import { asList } from '../path';
import { TWO, isoZone } from './date-source';

function yuan(value: unknown, field: string): number {
  try {
    return yuanToFen(value);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new FieldMappingError(field, err.message);
    throw err;
  }
}

function fen(value: unknown, field: string): number {
  try {
    return fenToInteger(value);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new FieldMappingError(field, err.message);
    throw err;
  }
}

function dateError(err: unknown, field: string): unknown {
  return err instanceof DateFormatError ? new FieldMappingError(field, err.message) : err;
}

/** An error of item `index` of an `each` list, re-placed at `items[index].field`. */
function itemError(err: unknown, field: string, index: number): unknown {
  return err instanceof FieldMappingError ? new FieldMappingError(`${field}[${index}].${err.field.slice(field.length + 1)}`, err.reason) : err;
}

function fieldError(field: string, reason: string): FieldMappingError {
  return new FieldMappingError(field, reason);
}

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const build = () => ({ asList, assignPath, convertType, dateError, daysInMonth, fen, fenToYuan, fieldError, isoZone, itemError, two: TWO, yuan });
export type Runtime = ReturnType<typeof build>;
let runtime: Runtime | undefined;

/** Built on first use: field-compiler and this module import each other. */
export function getRuntime(): Runtime {
  return (runtime ??= build());
}
