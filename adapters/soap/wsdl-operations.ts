import * as soap from 'soap';

/**
 * The operation names a WSDL offers, over all its services and ports (node-soap's
 * `client.describe()`: service → port → operation): what an operation definition's
 * `endpoint.operation` may name. Throws when the WSDL cannot be fetched or read.
 */
export async function listWsdlOperations(wsdlUrl: string, timeoutMs = 5000): Promise<string[]> {
  const client = await soap.createClientAsync(wsdlUrl, { wsdl_options: { timeout: timeoutMs }, disableCache: true });
  const names = new Set<string>();
  const services = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
  for (const ports of Object.values(services)) {
    for (const operations of Object.values(ports)) for (const name of Object.keys(operations)) names.add(name);
  }
  return [...names].sort();
}
