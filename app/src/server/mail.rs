//! Outgoing mail over real SMTP (lettre) to the server named by `SMTP_URL`
//! (`smtp://127.0.0.1:2525` for the local catcher, `smtps://user:pass@host` in production).
//! Mails are sent from a background task: a slow or absent mail server never slows a page,
//! and the time a request takes does not tell whether a mail went out.

use crate::domain::contact::mask_email;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tracing::Instrument;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.email.to_string()).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP_URL: {0}")]
    Url(String),
    #[error("MAIL_FROM: {0}")]
    From(String),
    #[error("building the message: {0}")]
    Build(String),
    #[error("sending: {0}")]
    Send(String),
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from.parse::<Mailbox>().map_err(|e| MailError::From(e.to_string()))?;
        Ok(Self { transport, from })
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to = mail.to.parse::<Mailbox>().map_err(|e| MailError::Build(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| MailError::Send(e.to_string()))
    }

    /// Sends in the background, logging the outcome under the current request's span.
    pub fn send_later(&self, mail: Mail, kind: &'static str) {
        let mailer = self.clone();
        let task = async move {
            let to = mask_email(&mail.to);
            match mailer.send(&mail).await {
                Ok(()) => tracing::info!(kind, to = %to, "mail sent"),
                Err(e) => tracing::warn!(kind, to = %to, error = %e, "mail not sent"),
            }
        };
        tokio::spawn(task.instrument(tracing::Span::current()));
    }
}
