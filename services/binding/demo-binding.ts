import { DataSource } from 'typeorm';
import { LookupHasher, PiiCipher } from '../../core/crypto';
import { BindingStore, HolderIdentity } from './binding-store';
import { PiiKeys } from './pii-keys';

/**
 * The embedded default's demo: binds the demo user to one household of the
 * marketing simulator, once (a user who unbound it stays unbound). The
 * composition root calls it only when the simulator answers for marketing.
 * True when the binding was made now.
 */
export async function seedDemoBinding(ds: DataSource, keys: PiiKeys, userId: string, accountNo: string, holder: HolderIdentity): Promise<boolean> {
  const store = new BindingStore(ds, new PiiCipher(keys.encKey), new LookupHasher(keys.hashKey));
  if (await store.hasHistory(userId)) return false;
  return (await store.bind(userId, accountNo, holder)).created;
}
