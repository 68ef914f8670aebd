import type { MailSender } from '@tailor/core';
import nodemailer from 'nodemailer';

/** SMTP via nodemailer; `SMTP_URL` like smtp://user:pass@host:587 (smtps:// for implicit TLS). */
export function createMailer(smtpUrl: string | undefined, from: string): MailSender | undefined {
  if (!smtpUrl) return undefined;
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
  };
}
