export { NotificationService, DeliveryFailedError, WEBHOOK_EVENTS, WEBHOOK_TEST_EVENT, emailSubject, emailText } from './notification-service';
export type { MailSender } from './notification-service';
export { signWebhook, verifyWebhook, generateWebhookSecret } from './signature';
export { buildRunEvent } from './run-event';
export type { RunEvent, RunEventType } from './run-event';
