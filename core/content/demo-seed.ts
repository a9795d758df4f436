import { DataSource } from 'typeorm';
import { ContentInput, ContentStore } from './content-store';
import { OutletInput, OutletStore } from './outlet-store';

const ARTICLES: ContentInput[] = [
  { category: 'NEWS', title: '国网杭州供电公司推出“一次都不跑”线上办电服务', summary: '新装、增容、过户等业务均可在生活号办理。', body: '即日起，居民客户通过支付宝生活号即可办理新装、增容、过户、更名等常用业务，无需前往营业厅。', tags: ['办电', '线上服务'] },
  { category: 'FAQ', title: '停电了怎么办？', summary: '先查看是否为计划停电，再检查家中开关。', body: '1. 在“停电公告”中查询所在区域是否有计划停电或故障停电；\n2. 检查家中漏电保护开关是否跳闸；\n3. 仍无法恢复，请拨打 95598 报修。', bodyFormat: 'markdown', tags: ['停电', '报修'] },
  { category: 'FAQ', title: '如何查询电费账单？', summary: '绑定户号后在“我的用电”中查看。', body: '绑定户号后，在“我的用电”中可查看每月账单、电量电费明细和缴费记录。', tags: ['电费', '账单'] },
  { category: 'KNOWLEDGE', title: '峰谷电价是什么？', summary: '不同时段用电价格不同，错峰用电更省钱。', body: '峰谷分时电价将一天分为高峰和低谷时段，低谷时段电价更低。将洗衣、热水器等用电安排在低谷时段可以节省电费。', tags: ['电价', '节能'] },
  { category: 'GUIDE', title: '新手指南：三步绑定您的电力户号', summary: '实名认证、选择户号、完成绑定。', body: '第一步：完成支付宝实名认证；第二步：在“户号绑定”中选择名下户号；第三步：确认绑定，即可缴费和查询。', tags: ['绑定', '新手'] },
  { category: 'POLICY', title: '居民阶梯电价政策说明', summary: '年用电量分三档，按档计价。', body: '居民生活用电实行年阶梯电价，按年累计用电量分为三档，各档电价逐级递增。', tags: ['电价', '政策'] },
  { category: 'APP_LINK', title: '网上国网 App', summary: '国家电网官方客户端。', body: '下载“网上国网”App，办理更多用电业务。', linkUrl: 'https://www.sgcc.com.cn/', tags: ['App'] },
];

const WEEKDAYS = (opens: string, closes: string, days = [1, 2, 3, 4, 5]) => days.map((weekday) => ({ weekday, opens, closes }));

const OUTLETS: OutletInput[] = [
  { name: '国网杭州供电公司上城营业厅', address: '杭州市上城区解放路 59 号', phone: '0571-95598', lat: 30.2556, lng: 120.1746, hours: WEEKDAYS('08:30', '17:00', [1, 2, 3, 4, 5, 6]), services: ['缴费', '新装', '过户', '发票'] },
  { name: '国网杭州供电公司西湖营业厅', address: '杭州市西湖区文三路 398 号', phone: '0571-95598', lat: 30.2785, lng: 120.1295, hours: WEEKDAYS('09:00', '17:00'), services: ['缴费', '增容', '发票'] },
  { name: '国网杭州供电公司滨江营业厅', address: '杭州市滨江区江南大道 3850 号', phone: '0571-95598', lat: 30.2084, lng: 120.2120, hours: [...WEEKDAYS('08:30', '12:00'), ...WEEKDAYS('13:30', '17:30')], services: ['缴费', '新装'] },
];

/**
 * The embedded default's demo content, written once: when no article and no
 * outlet exists yet (a database an editor has filled is never touched).
 * Returns whether it wrote anything.
 */
export async function seedDemoContent(ds: DataSource): Promise<boolean> {
  const [row] = await ds.query('SELECT (SELECT count(*) FROM content_item) + (SELECT count(*) FROM outlet) + (SELECT count(*) FROM outage_bulletin) AS n');
  if (Number(row.n) > 0) return false;
  const articles = new ContentStore(ds);
  for (const a of ARTICLES) await articles.create(a, 'demo-seed', true);
  const outlets = new OutletStore(ds);
  for (const o of OUTLETS) await outlets.create(o, 'demo-seed');
  // a planned outage tomorrow 08:00-17:00 Beijing time
  await ds.query(
    `INSERT INTO outage_bulletin (bulletin_id, area_code, area_name, starts_at, ends_at, kind, reason, scope, issued_at, source_file)
     VALUES ('DEMO-0001', '330102', '上城区', (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + interval '1 day 8 hours') AT TIME ZONE 'Asia/Shanghai',
       (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + interval '1 day 17 hours') AT TIME ZONE 'Asia/Shanghai',
       'PLANNED', '线路检修', '解放路沿线（建国路至中河路）', now(), 'demo-seed')
     ON CONFLICT (bulletin_id) DO NOTHING`,
  );
  return true;
}
