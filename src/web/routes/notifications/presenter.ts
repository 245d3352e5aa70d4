// The Notifications page's view model: each optional notice with its switch, the mails that
// always go out, the threshold as typed, the contacts.
import type { NotificationSettings } from '../../../services/notification-settings.ts';
import { ALWAYS_SENT, OPTIONAL_NOTICES } from '../../../services/notification-settings.ts';
import { toPlain } from '../../../domain/money.ts';

export interface NotificationsPage {
  notices: Array<{ type: string; label: string; on: boolean }>;
  alwaysSent: Array<{ label: string }>;
  contacts: Array<{ id: number; email: string; addedOn: string }>;
  thresholdText: string;
}

export function presentNotifications(settings: NotificationSettings, decimals: number, ticked?: string[]): NotificationsPage {
  const disabled = settings.preferences.disabledEvents;
  return {
    notices: OPTIONAL_NOTICES.map((notice) => ({ type: notice.type, label: notice.label, on: ticked ? ticked.includes(notice.type) : !disabled.includes(notice.type) })),
    alwaysSent: ALWAYS_SENT.map((mail) => ({ label: mail.label })),
    contacts: settings.contacts.map((contact) => ({ id: contact.id, email: contact.email, addedOn: contact.createdAt.toISOString().slice(0, 10) })),
    thresholdText: settings.preferences.lowBalanceThreshold === null ? '' : toPlain(settings.preferences.lowBalanceThreshold, decimals),
  };
}
