import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field';
import { useShop } from '../../app/stores';
import { Checkbox, ErrorNotice, TextArea } from './parts';

export function NewTicket() {
  const { t } = useTranslation();
  const form = useShop((s) => s.form);
  const formError = useShop((s) => s.formError);
  const formChanged = useShop((s) => s.formChanged);
  const ticketSubmitted = useShop((s) => s.ticketSubmitted);
  const backChosen = useShop((s) => s.backChosen);
  return (
    <form
      className="card sh-form"
      aria-label={t('shop.newTicket')}
      onSubmit={(e) => {
        e.preventDefault();
        void ticketSubmitted();
      }}
    >
      <h2>{t('shop.newTicket')}</h2>
      <TextField label={t('shop.form.customerName')} value={form.customerName} onValueChange={(v) => formChanged({ customerName: v })} />
      <TextField label={t('shop.form.contact')} value={form.contact} onValueChange={(v) => formChanged({ contact: v })} />
      <TextField label={t('shop.form.device')} value={form.device} onValueChange={(v) => formChanged({ device: v })} />
      <TextArea label={t('shop.form.problem')} value={form.problem} onValueChange={(v) => formChanged({ problem: v })} />
      <Checkbox label={t('shop.form.consentBackup')} checked={form.consentBackup} onChange={(v) => formChanged({ consentBackup: v })} />
      <Checkbox label={t('shop.form.consentRetention')} checked={form.consentRetention} onChange={(v) => formChanged({ consentRetention: v })} />
      <p className="muted">{t('shop.form.noPasswords')}</p>
      <ErrorNotice error={formError} />
      <div className="actions">
        <button type="submit" className="button button-primary">
          {t('shop.form.create')}
        </button>
        <button type="button" className="button" onClick={backChosen}>
          {t('common.back')}
        </button>
      </div>
    </form>
  );
}
