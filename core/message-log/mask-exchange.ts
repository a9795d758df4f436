import { maskDeep, maskTextWith, piiReplacements } from '../crypto';
import { ExchangeEvent } from '../operations';
import { ExchangeRecord } from './message-log-store';

/**
 * Masks personal data in an exchange before it leaves the node: objects by
 * key, raw XML by replacing the values found under personal-data keys of the
 * parsed bodies (the XML has the same values in the same spelling).
 */
export function maskExchange(e: ExchangeEvent, nodeId: string): ExchangeRecord {
  const replacements = piiReplacements([e.canonicalRequest, e.backofficeRequest, e.backofficeResponse, e.canonicalResponse]);
  return {
    at: new Date().toISOString(),
    operation: e.operation,
    mappingVersion: e.mappingVersion,
    requestId: e.requestId ?? null,
    nodeId,
    outcome: e.outcome,
    durationMs: e.durationMs,
    canonicalRequest: maskDeep(e.canonicalRequest),
    backofficeRequest: maskDeep(e.backofficeRequest),
    backofficeResponse: maskDeep(e.backofficeResponse),
    canonicalResponse: maskDeep(e.canonicalResponse),
    rawRequest: e.rawRequest ? maskTextWith(e.rawRequest, replacements) : null,
    rawResponse: e.rawResponse ? maskTextWith(e.rawResponse, replacements) : null,
  };
}
