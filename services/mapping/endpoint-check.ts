import { listWsdlOperations } from '../../adapters/soap/wsdl-operations';
import { maskUrlSecrets } from '../../core/crypto/mask-url';
import { toErrorView } from '../../core/errors';
import { CompiledBundle, MappingFiles, MappingProblem, MappingRegistry } from '../../core/mapping';

/** A problem found by asking a definition's endpoint (same shape as a validation problem). */
export type EndpointProblem = MappingProblem;

/**
 * Asks each WSDL named by a SOAP operation of the bundle which operations it has, and reports
 * every definition whose `endpoint.operation` is not among them (a typo there otherwise
 * validates and publishes, then every call fails with MAPPING_INVALID). A WSDL that cannot be
 * fetched is a problem too: the check was asked for, so "not checked" is not "fine".
 * URLs are shown with their credentials masked.
 */
export async function checkBundleEndpoints(bundle: CompiledBundle, timeoutMs = 5000): Promise<EndpointProblem[]> {
  const byWsdl = new Map<string, Array<{ file: string; operation: string }>>();
  for (const op of bundle.operations.values()) {
    if (op.endpoint.adapter !== 'soap') continue;
    const list = byWsdl.get(op.endpoint.wsdl) ?? [];
    list.push({ file: op.file, operation: op.endpoint.operation });
    byWsdl.set(op.endpoint.wsdl, list);
  }
  const problems: EndpointProblem[] = [];
  await Promise.all(
    [...byWsdl].map(async ([wsdl, uses]) => {
      const where = maskUrlSecrets(wsdl);
      if (/\$\{[A-Za-z0-9_]+\}/.test(wsdl)) {
        for (const u of uses) problems.push({ file: u.file, path: 'endpoint.wsdl', message: `cannot check: ${where} names a variable that is not set here` });
        return;
      }
      let offered: string[];
      try {
        offered = await listWsdlOperations(wsdl, timeoutMs);
      } catch (err) {
        const reason = maskUrlSecrets((err as Error).message ?? String(err));
        for (const u of uses) problems.push({ file: u.file, path: 'endpoint.wsdl', message: `cannot check: the WSDL at ${where} cannot be read (${reason})` });
        return;
      }
      for (const u of uses) {
        if (!offered.includes(u.operation)) {
          problems.push({ file: u.file, path: 'endpoint.operation', message: `operation '${u.operation}' is not in the WSDL at ${where}; it has: ${offered.join(', ') || '(none)'}` });
        }
      }
    }),
  );
  return problems.sort((a, b) => a.file.localeCompare(b.file));
}

/** Compiles a draft as this node would activate it (its variables, its systems), then checks its endpoints. */
export async function checkSoapOperations(registry: MappingRegistry, files: MappingFiles): Promise<EndpointProblem[]> {
  let bundle: CompiledBundle;
  try {
    bundle = registry.compileDraft(files);
  } catch (err) {
    const details = (err as { data?: { problems?: MappingProblem[] } }).data;
    if (details?.problems?.length) return details.problems;
    return [{ file: '', path: '', message: `${toErrorView(err).code}: ${(err as Error).message}` }];
  }
  return checkBundleEndpoints(bundle);
}
