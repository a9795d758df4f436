import { createHash } from 'crypto';
import { stringify } from 'yaml';
import { GridbusConfig } from '../../../config';
import { loadLifeNumberSpec } from '../../../core/openapi/life-number-spec';
import { GatewayRequest, GatewayResponse } from '../types';

interface Rendered {
  body: string;
  etag: string;
}

/** The contract rendered once per process: openapi/ does not change under a running gateway. */
function renderer(render: (doc: ReturnType<typeof loadLifeNumberSpec>) => string): () => Rendered {
  let rendered: Rendered | null = null;
  return () => {
    if (!rendered) {
      const body = render(loadLifeNumberSpec());
      rendered = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    return rendered;
  };
}

const yamlDoc = renderer((doc) => stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }));
const jsonDoc = renderer((doc) => `${JSON.stringify(doc, null, 2)}\n`);

function send(req: GatewayRequest, res: GatewayResponse, contentType: string, doc: Rendered): void {
  res.setHeader('ETag', doc.etag);
  // documentation: revalidated on every use, so a new release is seen at once
  res.setHeader('Cache-Control', 'no-cache');
  if (req.headers['if-none-match'] === doc.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Type', contentType);
  res.end(doc.body);
}

/**
 * The life-number API contract (openapi/life-number.yaml with the parts
 * merged, docs/api.md), as YAML and as JSON. Documentation: no token, but the
 * same address rules and per-address rate limit as /api/v1.
 */
export function openApiRoute(config: GridbusConfig) {
  return {
    path: '/openapi',
    mappingPolicy: 'restrict',
    bodyParsers: false,
    policies: {
      group: 'api',
      ipRestriction: { allow: config.gateway.apiAllow, deny: config.gateway.apiDeny },
      rateLimiting: config.gateway.rateLimitUser && { ...config.gateway.rateLimitUser, limitBy: 'ip' as const },
    },
    aliases: {
      'GET life-number.yaml'(req: GatewayRequest, res: GatewayResponse) {
        send(req, res, 'application/yaml; charset=utf-8', yamlDoc());
      },
      'GET life-number.json'(req: GatewayRequest, res: GatewayResponse) {
        send(req, res, 'application/json; charset=utf-8', jsonDoc());
      },
    },
  };
}
