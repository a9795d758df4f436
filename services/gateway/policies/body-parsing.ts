import ApiGateway from 'moleculer-web';
import { GatewayRequest, GatewayResponse } from '../types';

export type ParserKind = 'json' | 'urlencoded';
export type BodyParsersOption = boolean | { json?: boolean | Record<string, unknown>; urlencoded?: boolean | Record<string, unknown> };
type Connect = (req: GatewayRequest, res: GatewayResponse, next: (err?: unknown) => void) => void;

/** body-parser, as moleculer-web exports it (the parsers its `bodyParsers` option would build). */
const bodyParsers = (ApiGateway as unknown as { bodyParser: Record<ParserKind, (options: Record<string, unknown>) => Connect> }).bodyParser;
export const MEDIA_TYPES: Record<ParserKind, string> = { json: 'application/json', urlencoded: 'application/x-www-form-urlencoded' };

/** The parsers a route's `bodyParsers` asks for, as moleculer-web reads it (none given = JSON). */
export function wantedParsers(option: BodyParsersOption | undefined): Array<[ParserKind, Record<string, unknown>]> {
  if (option === false) return [];
  if (option === undefined || option === true) return [['json', {}]];
  return (['json', 'urlencoded'] as const)
    .filter((kind) => option[kind] !== undefined && option[kind] !== false)
    .map((kind) => [kind, typeof option[kind] === 'object' ? (option[kind] as Record<string, unknown>) : {}]);
}

/** The request says it carries a body (what body-parser's type-is checks). */
export function hasBody(req: GatewayRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The route's parsers with `limit`, run one after the other as connect would; null when it parses nothing. */
export function createBodyParser(parsers: Array<[ParserKind, Record<string, unknown>]>, limit: string | null): Connect | null {
  if (!parsers.length) return null;
  const chain = parsers.map(([kind, options]) => bodyParsers[kind]({ ...options, limit: limit ?? options.limit }));
  return (req, res, done) => {
    const step = (i: number, err?: unknown): void => (err || i === chain.length ? done(err) : chain[i](req, res, (e) => step(i + 1, e)));
    step(0);
  };
}
