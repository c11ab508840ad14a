import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field';
import { Icon } from '../../components/icons';
import { Button, EmptyState, HelpCard, Panel } from '../../components/panel';
import { useShop } from '../../app/stores';
import { NewTicket } from './new-ticket';
import { ErrorNotice, useDateTime } from './parts';
import { ShopSettingsCard } from './shop-settings';
import { TicketDetail } from './ticket-detail';
import './shop.css';

export function ShopPanel() {
  const { t } = useTranslation();
  const screen = useShop((s) => s.screen);
  const shopOpened = useShop((s) => s.shopOpened);
  useEffect(() => {
    void shopOpened();
  }, [shopOpened]);

  return (
    <Panel title={t('shop.title')}>
      <OperatorBar />
      {screen === 'newTicket' ? <NewTicket /> : screen === 'ticket' ? <TicketDetail /> : <TicketList />}
    </Panel>
  );
}

function OperatorBar() {
  const { t } = useTranslation();
  const operator = useShop((s) => s.operator);
  const operatorChanged = useShop((s) => s.operatorChanged);
  return (
    <div className="sh-operator">
      <TextField label={t('shop.operator')} hint={t('shop.operatorHint')} value={operator} onValueChange={operatorChanged} autoComplete="name" />
    </div>
  );
}

function StoreLock() {
  const { t } = useTranslation();
  const status = useShop((s) => s.status);
  const unlock = useShop((s) => s.unlock);
  const unlockSubmitted = useShop((s) => s.unlockSubmitted);
  const [passphrase, setPassphrase] = useState('');
  if (!status || status.store.unlocked) return null;
  const create = !status.store.exists;
  return (
    <form
      className="card sh-lock"
      aria-label={t('shop.lock.title')}
      onSubmit={(e) => {
        e.preventDefault();
        void unlockSubmitted(passphrase).then(() => setPassphrase(''));
      }}
    >
      <h2>
        <Icon name="lock" size={18} />
        {t('shop.lock.title')}
      </h2>
      <p>{create ? t('shop.lock.createText') : t('shop.lock.unlockText')}</p>
      <TextField label={t('shop.lock.passphrase')} type="password" autoComplete={create ? 'new-password' : 'current-password'} value={passphrase} onValueChange={setPassphrase} />
      <ErrorNotice error={unlock.error} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={unlock.busy || passphrase.length === 0}>
          {create ? t('shop.lock.create') : t('shop.lock.unlock')}
        </button>
      </div>
    </form>
  );
}

const STEP_KEYS = { connect: 'shop.steps.connect', identity: 'shop.steps.identity', readiness: 'shop.steps.readiness', backup: 'shop.steps.backup', ready: 'shop.steps.ready', restore: 'shop.steps.restore', closed: 'shop.steps.closed' } as const;

function TicketList() {
  const { t } = useTranslation();
  const tickets = useShop((s) => s.tickets);
  const query = useShop((s) => s.query);
  const loadError = useShop((s) => s.loadError);
  const queryChanged = useShop((s) => s.queryChanged);
  const newTicketChosen = useShop((s) => s.newTicketChosen);
  const ticketChosen = useShop((s) => s.ticketChosen);
  const dateTime = useDateTime();
  return (
    <>
      <StoreLock />
      <ErrorNotice error={loadError} />
      {tickets.length === 0 && !query ? (
        <>
          <EmptyState icon="shop" message={t('shop.empty')}>
            <Button variant="primary" onClick={newTicketChosen}>
              {t('shop.newTicket')}
            </Button>
          </EmptyState>
          <HelpCard title={t('shop.helpTitle')}>{t('shop.helpText')}</HelpCard>
        </>
      ) : (
        <>
          <div className="actions sh-list-actions">
            <Button variant="primary" onClick={newTicketChosen}>
              {t('shop.newTicket')}
            </Button>
            <TextField label={t('shop.search')} type="search" value={query} onValueChange={(q) => void queryChanged(q)} />
          </div>
          {tickets.length === 0 ? <p className="muted">{t('shop.noMatch')}</p> : null}
          <ul className="sh-tickets" aria-label={t('shop.ticketsLabel')}>
            {tickets.map((tk) => (
              <li key={tk.id}>
                <button type="button" className="sh-ticket" onClick={() => void ticketChosen(tk.id)} aria-label={t('shop.openTicket', { number: tk.number, name: tk.customerName })}>
                  <strong>{tk.number}</strong>
                  <span>{tk.customerName}</span>
                  <span className="muted">{tk.device}</span>
                  <span className="sh-pill">{t(STEP_KEYS[tk.step])}</span>
                  <span className="muted">{dateTime(tk.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <ShopSettingsCard />
    </>
  );
}
