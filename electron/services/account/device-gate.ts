import { LifelineError } from '../../../contract';
import type { DeviceAccountGate } from '../devices/account-gate';
import type { AccountServices } from './account-services';

const SERVICE_META = { ip: 'local', userAgent: 'Lifeline devices service' };

/** The account side of the devices service: who is signed in, password checks, the recovery hold, alerts. */
export function createDeviceAccountGate(account: AccountServices): DeviceAccountGate {
  return {
    currentAccountId(caller) {
      const session = account.accounts.session(caller.session.get());
      if (!session) throw new LifelineError('not_signed_in', 'Sign in to see your devices.');
      return session.accountId;
    },
    verifyPassword: (accountId, password, caller) => account.accounts.verifyAccountPassword(accountId, password, caller),
    authenticateOwner: (identifier, password, ip) => account.accounts.authenticateOwner(identifier, password, { ip, userAgent: 'phone activation' }),
    isRecoveryHoldActive: (accountId) => account.isRecoveryHoldActive(accountId),
    async notifyOwner(accountId, message) {
      const { kind, ...facts } = message.facts;
      await account.accounts.notifyDeviceAlert(accountId, { alert: kind, ...facts }, SERVICE_META);
    },
  };
}
