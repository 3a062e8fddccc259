//! Email: the [`MailSender`] trait, the development adapter that writes messages to the log
//! ([`LogMail`]) and the adapter for an SMTP relay ([`SmtpMail`], with `lettre`).

use std::time::Duration;

use futures_util::future::BoxFuture;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// One email to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Names the message (`Message-ID`, without the angle brackets): the same on every try, so
    /// that a message sent again after a crash mid-send can be told for the same one.
    pub id: String,
    /// The `Date` header (the app's clock, not the system's).
    pub date: chrono::DateTime<chrono::Utc>,
}

/// Sends emails; `send` returns the network part as a future that owns what it needs (as
/// [`super::sms::SmsSender`]).
pub trait MailSender: Send + Sync {
    fn send(&self, mail: Mail) -> BoxFuture<'static, Result<(), String>>;
}

/// Whether `text` is an address an email can be sent to (`name@domain`, at most
/// [`hocvuso_db::repo::reminders::MAX_EMAIL`] characters), by the same rules the sender uses.
pub fn valid_address(text: &str) -> bool {
    text.len() <= hocvuso_db::repo::reminders::MAX_EMAIL
        && text.contains('@')
        && text.parse::<lettre::Address>().is_ok()
}

/// Development adapter: logs every message (the address masked) instead of sending it.
#[derive(Default)]
pub struct LogMail;

impl MailSender for LogMail {
    fn send(&self, mail: Mail) -> BoxFuture<'static, Result<(), String>> {
        let shown = match mail.to.split_once('@') {
            Some((user, domain)) => format!("{}…@{domain}", user.chars().next().unwrap_or('?')),
            None => "?".to_owned(),
        };
        tracing::warn!(
            "email to {shown} (development adapter, not sent): {}",
            mail.subject
        );
        Box::pin(std::future::ready(Ok(())))
    }
}

/// How long one message may take with the relay (connect, hand over, quit).
const RELAY_TIMEOUT: Duration = Duration::from_secs(20);

/// An SMTP relay reached without TLS (`[email] smtp_host`, `smtp_port`; a login when
/// `username` is set): a mail server of the province's own network, or one on the same machine
/// that forwards mail onward over TLS (docs/OPERATIONS.md). Each message opens its own
/// connection; any refusal by the relay (or no answer in 20 seconds) is a failure the sender
/// retries.
pub struct SmtpMail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain of `Message-ID`s (the sender's address's).
    domain: String,
}

impl SmtpMail {
    /// From the relay's host and port, the sender's address (`from`, `Name <a@b>` or `a@b`)
    /// and an optional login; a message in words when one of them is not usable.
    pub fn new(
        host: &str,
        port: u16,
        from: &str,
        login: Option<(&str, &str)>,
    ) -> Result<Self, String> {
        if host.trim().is_empty() || host.contains(['/', ' ', '@']) {
            return Err(format!("email.smtp_host is not a host name: {host}"));
        }
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("email.from is not an email address ({from}): {e}"))?;
        let domain = from.email.domain().to_owned();
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.trim())
            .port(port)
            .timeout(Some(RELAY_TIMEOUT));
        if let Some((user, password)) = login {
            builder = builder.credentials(Credentials::new(user.to_owned(), password.to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            domain,
        })
    }
}

impl MailSender for SmtpMail {
    fn send(&self, mail: Mail) -> BoxFuture<'static, Result<(), String>> {
        let transport = self.transport.clone();
        let built = mail
            .to
            .parse::<Mailbox>()
            .map_err(|e| format!("địa chỉ thư không dùng được: {e}"))
            .and_then(|to| {
                Message::builder()
                    .from(self.from.clone())
                    .to(to)
                    .subject(mail.subject)
                    .message_id(Some(format!("<{}@{}>", mail.id, self.domain)))
                    .date(std::time::SystemTime::from(mail.date))
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text)
                    .map_err(|e| format!("không tạo được thư: {e}"))
            });
        Box::pin(async move {
            let message = built?;
            match tokio::time::timeout(RELAY_TIMEOUT, transport.send(message)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(format!("máy chủ thư từ chối hoặc lỗi: {e}")),
                Err(_) => Err(format!(
                    "máy chủ thư không trả lời trong {} giây",
                    RELAY_TIMEOUT.as_secs()
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{valid_address, SmtpMail};

    #[test]
    fn addresses() {
        assert!(valid_address("lan.nguyen@lamdong.gov.vn"));
        assert!(valid_address("a@b.vn"));
        assert!(!valid_address("không phải thư"));
        assert!(!valid_address("a@"));
        assert!(!valid_address("@b.vn"));
        assert!(!valid_address(&format!("{}@b.vn", "a".repeat(260))));
        assert!(SmtpMail::new("127.0.0.1", 25, "Học vụ số <hocvuso@lamdong.gov.vn>", None).is_ok());
        assert!(SmtpMail::new("127.0.0.1", 25, "không phải thư", None).is_err());
        assert!(SmtpMail::new("", 25, "a@b.vn", None).is_err());
    }
}
