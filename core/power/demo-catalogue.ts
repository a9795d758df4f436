import { DataSource } from 'typeorm';

/**
 * The embedded default's starter points catalogue, written once when the
 * catalogue is empty (an operator edits it through PUT
 * /admin/api/points/catalogue/{itemId}). Not a migration's rows: a restore
 * creates the schema by migrations and then loads the backed-up rows. True
 * when written now.
 */
export async function seedDemoCatalogue(ds: DataSource): Promise<boolean> {
  const rows = (await ds.query(`SELECT 1 FROM points_catalogue LIMIT 1`)) as unknown[];
  if (rows.length) return false;
  await ds.query(`
    INSERT INTO points_catalogue (item_id, name, description, cost, stock) VALUES
      ('bill-credit-5', '5 元电费抵扣券', 'A 5 yuan credit on the next electricity bill', 500, NULL),
      ('led-bulb', 'LED 节能灯泡', 'An energy-saving LED bulb, collected at a business outlet', 300, 100),
      ('socket-timer', '定时插座', 'A timer socket, collected at a business outlet', 1200, 20)
    ON CONFLICT (item_id) DO NOTHING`);
  return true;
}
