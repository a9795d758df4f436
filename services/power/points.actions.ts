import { Context, ServiceActionsSchema, ServiceEvents } from 'moleculer';
import { EARN_RULES } from '../../core/power/earn-rules';
import { earnPoints, pointsStatement, redeemPoints } from '../../core/power/points-ledger';
import { Meta, PowerContext } from './power-context';

const ITEM_ID = { type: 'string', pattern: /^[a-z0-9][a-z0-9-]{0,39}$/, messages: { stringPattern: 'itemId is 1-40 lower-case letters, digits and dashes' } };
const LIST_LIMIT = 50;

/** The points ledger: balance, catalogue, redemptions, and the operators' view (docs/power-services.md). */
export function pointsActions(p: PowerContext): ServiceActionsSchema {
  const { ds, userOf, audit, inTransaction } = p;
  return {
    /** GET /api/v1/points: the user's balance and newest ledger entries. */
    points: {
      params: { $$strict: true },
      async handler(ctx: Context<Record<string, never>, Meta>) {
        return pointsStatement(ds, userOf(ctx), LIST_LIMIT);
      },
    },

    /** GET /api/v1/points/catalogue: what points can be redeemed for now. */
    catalogue: {
      params: { $$strict: true },
      async handler() {
        const rows = (await ds.query(`SELECT item_id, name, description, cost, stock FROM points_catalogue WHERE active ORDER BY cost, item_id`)) as Array<{ item_id: string; name: string; description: string | null; cost: string; stock: number | null }>;
        return { items: rows.map((r) => ({ itemId: r.item_id, name: r.name, description: r.description, cost: Number(r.cost), inStock: r.stock === null || r.stock > 0 })) };
      },
    },

    /** POST /api/v1/points/redemptions: redeems an item, once per clientRequestId; never below zero. */
    redeem: {
      params: { itemId: ITEM_ID, clientRequestId: { type: 'string', pattern: /^[A-Za-z0-9._:-]{8,64}$/, messages: { stringPattern: 'clientRequestId is 8-64 letters, digits, dot, dash, colon or underscore' } }, $$strict: true },
      async handler(ctx: Context<{ itemId: string; clientRequestId: string }, Meta>) {
        const userId = userOf(ctx);
        const redemption = await inTransaction((tx) => redeemPoints(tx, { userId, itemId: ctx.params.itemId, clientRequestId: ctx.params.clientRequestId }));
        if (redemption.created) audit(ctx, 'power.points.redeemed', `points:${userId}`, { itemId: redemption.itemId, cost: redemption.cost, redemption: redemption.id });
        return redemption;
      },
    },

    /** GET /admin/api/points/:userId: a user's balance and ledger (operators, auditors). */
    adminPoints: {
      params: { userId: { type: 'string', min: 1, max: 128 }, limit: { type: 'number', integer: true, min: 1, max: 1000, optional: true, convert: true }, $$strict: true },
      async handler(ctx: Context<{ userId: string; limit?: number }, Meta>) {
        return { userId: ctx.params.userId, ...(await pointsStatement(ds, ctx.params.userId, ctx.params.limit ?? 200)) };
      },
    },

    /** GET /admin/api/points/catalogue: every item, withdrawn ones and stock included. */
    adminCatalogue: {
      params: { $$strict: true },
      async handler() {
        const rows = (await ds.query(`SELECT item_id, name, description, cost, stock, active, updated_at FROM points_catalogue ORDER BY item_id`)) as Array<{
          item_id: string;
          name: string;
          description: string | null;
          cost: string;
          stock: number | null;
          active: boolean;
          updated_at: Date;
        }>;
        return { items: rows.map((r) => ({ itemId: r.item_id, name: r.name, description: r.description, cost: Number(r.cost), stock: r.stock, active: r.active, updatedAt: new Date(r.updated_at).toISOString() })) };
      },
    },

    /** PUT /admin/api/points/catalogue/:itemId: creates or changes an item (operators; audited). */
    adminSaveCatalogueItem: {
      params: {
        itemId: ITEM_ID,
        name: { type: 'string', min: 1, max: 100, trim: true },
        description: { type: 'string', max: 500, optional: true, nullable: true },
        cost: { type: 'number', integer: true, min: 1, max: 1_000_000_000 },
        stock: { type: 'number', integer: true, min: 0, max: 1_000_000_000, optional: true, nullable: true },
        active: { type: 'boolean', optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<{ itemId: string; name: string; description?: string | null; cost: number; stock?: number | null; active?: boolean }, Meta>) {
        const p = ctx.params;
        await ds.query(
          `INSERT INTO points_catalogue (item_id, name, description, cost, stock, active) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (item_id) DO UPDATE SET name = $2, description = $3, cost = $4, stock = $5, active = $6, updated_at = now()`,
          [p.itemId, p.name, p.description ?? null, p.cost, p.stock ?? null, p.active ?? true],
        );
        audit(ctx, 'power.catalogue.saved', `catalogue:${p.itemId}`, { name: p.name, cost: p.cost, stock: p.stock ?? null, active: p.active ?? true });
        return { itemId: p.itemId, name: p.name, description: p.description ?? null, cost: p.cost, stock: p.stock ?? null, active: p.active ?? true };
      },
    },
  };
}

/** Points earned on other services' events. */
export function pointsEvents(p: PowerContext): ServiceEvents {
  const { inTransaction } = p;
  return {
    /** An account switched to e-bills (services/electricity): points once per user and account. */
    async 'electricity.ebill.subscribed'(ctx: Context<{ userId?: string; accountNo?: string; subscribe?: boolean }>) {
      const { userId, accountNo } = ctx.params;
      if (!userId || !accountNo || ctx.params.subscribe === false) return;
      await inTransaction((tx) => earnPoints(tx, { userId, points: EARN_RULES.ebillSubscribed, reason: 'EBILL_SUBSCRIBED', sourceEvent: `ebill:${userId}:${accountNo}`, actor: 'electricity' }));
    },
  };
}
