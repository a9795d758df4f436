export { PiiCipher } from './pii-cipher';
export { PiiDecryptError, PII_DECRYPT_FAILED } from './errors';
export { LookupHasher, normaliseForLookup } from './lookup-hash';
export type { LookupKind } from './lookup-hash';
export {
  DEFAULT_MASK_RULES, maskIdNumber, maskMobile, maskName, maskAccountNo, maskAddress, maskDeep,
} from './mask';
export type { Masker, MaskRules } from './mask';
export { piiReplacements, maskTextWith } from './mask-text';
export { createSecretFileOnce } from './secret-file';
