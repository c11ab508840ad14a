import type { z } from 'zod';
import { shopMethods, type ShopMethodName } from '../../contract/shop';
import type { CallContext } from '../dispatcher';
import type { ShopService } from '../services/shop/shop-service';

type ShopMethods = typeof shopMethods;

/** The same shape as `Pick<Handlers, ShopMethodName>`, typed from the shop contract directly. */
export type ShopHandlers = {
  [M in ShopMethodName]: (input: z.output<ShopMethods[M]['input']>, ctx: CallContext) => z.output<ShopMethods[M]['output']> | Promise<z.output<ShopMethods[M]['output']>>;
};

export function createShopHandlers(deps: { shop: ShopService }): ShopHandlers {
  const { shop } = deps;
  return {
    'shop.status': () => shop.status(),
    'shop.storeUnlock': ({ passphrase, create }) => shop.unlock(passphrase, create),
    'shop.settingsUpdate': (patch) => shop.updateSettings(Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))),
    'shop.ticketsList': ({ query, limit }) => ({ tickets: shop.list(query, limit) }),
    'shop.ticketCreate': (input) => shop.createTicket(input),
    'shop.ticketGet': ({ ticketId }) => shop.ticket(ticketId),
    'shop.phones': () => shop.phones(),
    'shop.connect': ({ ticketId, operator, serial }) => shop.connect(ticketId, operator, serial),
    'shop.identify': ({ ticketId, operator }) => shop.identify(ticketId, operator),
    'shop.checkReadiness': ({ ticketId, operator }) => shop.checkReadiness(ticketId, operator),
    'shop.backup': ({ ticketId, operator }) => shop.backup(ticketId, operator),
    'shop.cancel': () => ({ cancelled: shop.cancel() }),
    'shop.receipt': ({ ticketId, format }) => shop.receipt(ticketId, format),
    'shop.markReady': ({ ticketId, operator, overrideReason }) => shop.markReady(ticketId, operator, overrideReason),
    'shop.restore': ({ ticketId, operator, kinds }) => shop.restore(ticketId, operator, kinds),
    'shop.close': ({ ticketId, operator }) => shop.close(ticketId, operator),
    'shop.deleteBackup': ({ ticketId, operator, reason }) => shop.deleteBackup(ticketId, operator, reason),
    'shop.retentionRun': async () => ({ deleted: await shop.runRetention() }),
    'shop.audit': ({ ticketId, limit }) => ({ entries: shop.auditLog(ticketId, limit) }),
  };
}
