export type Language = 'en' | 'id';

export type MessageSpec =
  | { kind: 'recovery_code'; code: string }
  | { kind: 'verify_code'; code: string }
  | { kind: 'password_changed'; viaRecovery: boolean }
  | { kind: 'email_changed'; newMasked: string }
  | { kind: 'phone_changed'; newMasked: string }
  | { kind: 'account_list'; accountIds: readonly string[] }
  /** An alert about one of the owner's phones. */
  | {
      kind: 'device_alert';
      alert: 'lost_device_reported' | 'sim_changed' | 'erase_done' | 'activation_held';
      device: string;
      place?: string | undefined;
      operator?: string | undefined;
      at?: number | undefined;
    };

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
}

/** "123456" -> "123 456": easier to read aloud and to copy by eye. */
export function formatCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

function formatAccountId(id: string): string {
  return `${id.slice(0, 3)} ${id.slice(3, 6)} ${id.slice(6)}`;
}

/**
 * Plain, short messages in English and Indonesian. A link appears only when LIFELINE_PUBLIC_URL is set, and is
 * built from it alone: nothing from a request (Host header, Origin) can reach a message.
 */
export function renderMessage(spec: MessageSpec, language: Language, publicUrl: string | undefined): RenderedMessage {
  const link = (path: string) => (publicUrl ? `${publicUrl}${path}` : undefined);
  const en = language === 'en';
  switch (spec.kind) {
    case 'recovery_code': {
      const code = formatCode(spec.code);
      return en
        ? {
            subject: `Lifeline recovery code: ${code}`,
            text: `Your Lifeline recovery code is ${code}. It works for 10 minutes. Nobody from Lifeline will ask you for it. If you did not ask for it, ignore this message: your password stays the same.`,
          }
        : {
            subject: `Kode pemulihan Lifeline: ${code}`,
            text: `Kode pemulihan Lifeline Anda adalah ${code}. Berlaku 10 menit. Tidak ada orang dari Lifeline yang akan memintanya. Jika Anda tidak memintanya, abaikan pesan ini: kata sandi Anda tetap sama.`,
          };
    }
    case 'verify_code': {
      const code = formatCode(spec.code);
      return en
        ? { subject: `Lifeline verification code: ${code}`, text: `Your Lifeline verification code is ${code}. It works for 10 minutes. If you did not create a Lifeline account, ignore this message.` }
        : { subject: `Kode verifikasi Lifeline: ${code}`, text: `Kode verifikasi Lifeline Anda adalah ${code}. Berlaku 10 menit. Jika Anda tidak membuat akun Lifeline, abaikan pesan ini.` };
    }
    case 'password_changed': {
      const recover = link('/#/recover');
      const hold = spec.viaRecovery
        ? en
          ? ' Phones linked to your account stay locked to it and cannot be unlocked with the new password for 24 hours.'
          : ' Ponsel yang terhubung ke akun Anda tetap terkunci ke akun ini dan tidak dapat dibuka dengan kata sandi baru selama 24 jam.'
        : '';
      const notYou = en
        ? ` If this was not you, recover your account now${recover ? `: ${recover}` : ' in the Lifeline app'}.`
        : ` Jika ini bukan Anda, pulihkan akun Anda sekarang${recover ? `: ${recover}` : ' di aplikasi Lifeline'}.`;
      return en
        ? { subject: 'Your Lifeline password was changed', text: `Your Lifeline password was changed and every session was signed out.${hold}${notYou}` }
        : { subject: 'Kata sandi Lifeline Anda diubah', text: `Kata sandi Lifeline Anda telah diubah dan semua sesi telah keluar.${hold}${notYou}` };
    }
    case 'email_changed':
      return en
        ? { subject: 'Your Lifeline email was changed', text: `The email of your Lifeline account was changed to ${spec.newMasked}. If this was not you, recover your account now.` }
        : { subject: 'Email Lifeline Anda diubah', text: `Email akun Lifeline Anda diubah menjadi ${spec.newMasked}. Jika ini bukan Anda, pulihkan akun Anda sekarang.` };
    case 'phone_changed':
      return en
        ? { subject: 'Your Lifeline phone number was changed', text: `The phone number of your Lifeline account was changed to ${spec.newMasked}. If this was not you, recover your account now.` }
        : { subject: 'Nomor ponsel Lifeline Anda diubah', text: `Nomor ponsel akun Lifeline Anda diubah menjadi ${spec.newMasked}. Jika ini bukan Anda, pulihkan akun Anda sekarang.` };
    case 'device_alert':
      return deviceAlert(spec, en, link('/'));
    case 'account_list': {
      const ids = spec.accountIds.map(formatAccountId).join(', ');
      return en
        ? { subject: 'Your Lifeline account IDs', text: `Lifeline accounts using this address: ${ids}. Sign in or recover a password with one of these account IDs. If you did not ask, ignore this message.` }
        : { subject: 'ID akun Lifeline Anda', text: `Akun Lifeline yang memakai alamat ini: ${ids}. Masuk atau pulihkan kata sandi dengan salah satu ID akun ini. Jika Anda tidak memintanya, abaikan pesan ini.` };
    }
  }
}

function deviceAlert(spec: Extract<MessageSpec, { kind: 'device_alert' }>, en: boolean, appLink: string | undefined): RenderedMessage {
  const name = spec.device.slice(0, 60);
  const open = en ? `Open Lifeline${appLink ? ` (${appLink})` : ''} to see it on the map.` : `Buka Lifeline${appLink ? ` (${appLink})` : ''} untuk melihatnya di peta.`;
  const when = spec.at === undefined ? '' : ` ${new Date(spec.at).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  switch (spec.alert) {
    case 'lost_device_reported':
      return en
        ? { subject: `${name} reported in`, text: `Your lost phone "${name}" reported in${spec.place ? ` ${spec.place}` : ''}${when ? ` at${when}` : ''}. ${open}` }
        : { subject: `${name} melapor`, text: `Ponsel Anda yang hilang, "${name}", melapor${spec.place ? ` ${spec.place.replace(/^near /, 'dekat ')}` : ''}${when ? ` pada${when}` : ''}. ${open}` };
    case 'sim_changed':
      return en
        ? { subject: `SIM changed in ${name}`, text: `The SIM card in "${name}" was changed${spec.operator ? ` (now ${spec.operator})` : ''}. If you did not do this, put the phone in lost mode in Lifeline.` }
        : { subject: `SIM diganti di ${name}`, text: `Kartu SIM di "${name}" diganti${spec.operator ? ` (sekarang ${spec.operator})` : ''}. Jika bukan Anda, aktifkan mode hilang di Lifeline.` };
    case 'erase_done':
      return en
        ? { subject: `${name} was erased`, text: `"${name}" was erased. It stays locked to your account: it can only be set up again with your account and password.` }
        : { subject: `${name} telah dihapus`, text: `"${name}" telah dihapus. Ponsel tetap terkunci ke akun Anda: hanya dapat diatur ulang dengan akun dan kata sandi Anda.` };
    case 'activation_held':
      return en
        ? { subject: `${name}: activation held`, text: `Someone tried to set up "${name}" with your account less than 24 hours after its password was recovered. It stays locked for now. If this was not you, secure your account.` }
        : { subject: `${name}: aktivasi ditahan`, text: `Seseorang mencoba mengatur "${name}" dengan akun Anda kurang dari 24 jam setelah kata sandinya dipulihkan. Ponsel tetap terkunci untuk sekarang. Jika bukan Anda, amankan akun Anda.` };
  }
}
