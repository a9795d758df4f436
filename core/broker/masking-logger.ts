import { Loggers } from 'moleculer';
import { maskUrlSecrets } from '../crypto/mask-url';

type Format = (type: string, args: unknown[]) => unknown[];
type FormattedLoggerClass = new (opts: object) => Loggers.Base & { getFormatter(bindings: unknown): Format };

// Moleculer's typings declare only the base logger; the Console logger is there at run time.
const ConsoleLogger = (Loggers as unknown as { Console: FormattedLoggerClass }).Console;

/**
 * Moleculer's Console logger, with every formatted line passed through
 * maskUrlSecrets: the one place that keeps credentials written into URLs
 * (`nats://user:pw@…`, a WSDL URL with a password) out of the log, whoever
 * logs them (bus code, Moleculer, an adapter's error message or stack).
 * Objects and errors are already printed to text by the formatter, so they
 * are masked too.
 */
export class MaskingConsoleLogger extends ConsoleLogger {
  override getFormatter(bindings: unknown): Format {
    const format = super.getFormatter(bindings);
    return (type, args) => format(type, args).map((part) => (typeof part === 'string' ? maskUrlSecrets(part) : part));
  }
}
