//! Outgoing e-mail over SMTP (lettre), plain text in UTF-8.

use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Sends e-mail through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `smtp://host:port` (no TLS, for a local relay), `smtp://…?tls=required`
    /// (STARTTLS) or `smtps://…` (TLS), with credentials in the URL when the server needs them.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context("ATTUNE_SMTP_URL must look like smtp://host:25 or smtps://user:pass@host:465")?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .with_context(|| format!("mail_from `{from}` is not an e-mail address"))?;
        Ok(Self { transport, from })
    }

    /// Sends one plain-text message. The body travels base64-encoded, so any script arrives
    /// intact; the subject is encoded by RFC 2047.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> anyhow::Result<()> {
        let to: Mailbox = to
            .parse()
            .with_context(|| format!("`{to}` is not an e-mail address"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(body.to_owned()),
            )
            .context("building an e-mail")?;
        self.transport
            .send(message)
            .await
            .context("sending an e-mail")?;
        Ok(())
    }
}
