//! Text messages: the [`SmsSender`] trait, the development adapter that writes them to the log
//! ([`LogSms`]) and the adapter for a province's HTTP SMS gateway ([`HttpSms`]).

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

/// One text message to send.
#[derive(Debug, Clone)]
pub struct Sms {
    pub phone: String,
    pub text: String,
    /// Names the message for the gateway ("" for none): a gateway that was sent a key before
    /// drops the repeat, so a message sent again after a crash mid-send reaches the phone once.
    pub key: String,
}

/// Sends text messages. `send` does what must happen at once (the development adapter keeps
/// the message) and returns the network part as a future that owns what it needs: callers
/// that must not wait (a code on the registration page: the answer must take the same time
/// whether a message goes out or not) spawn it; the reminder sender awaits it.
pub trait SmsSender: Send + Sync {
    fn send(&self, sms: Sms) -> BoxFuture<'static, Result<(), String>>;
    /// The last message sent to a number, when the adapter keeps them (development only;
    /// a real gateway returns `None`).
    fn last_sent_to(&self, _phone: &str) -> Option<String> {
        None
    }
}

/// Development adapter: logs every message (with the code: never use it in production) and
/// keeps the last few for the tests.
#[derive(Default)]
pub struct LogSms {
    sent: std::sync::Mutex<std::collections::VecDeque<(String, String)>>,
}

impl SmsSender for LogSms {
    fn send(&self, sms: Sms) -> BoxFuture<'static, Result<(), String>> {
        tracing::warn!(
            "SMS to {} (development adapter, not sent): {}",
            hocvuso_domain::mask::phone(&sms.phone),
            sms.text
        );
        if let Ok(mut sent) = self.sent.lock() {
            if sent.len() >= 100 {
                sent.pop_front();
            }
            sent.push_back((sms.phone, sms.text));
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn last_sent_to(&self, phone: &str) -> Option<String> {
        let sent = self.sent.lock().ok()?;
        sent.iter()
            .rev()
            .find(|(p, _)| p == phone)
            .map(|(_, t)| t.clone())
    }
}

/// How long the gateway may take to answer one message.
const GATEWAY_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a gateway's answer that is read (the status line is what counts).
const ANSWER_LIMIT: usize = 16 * 1024;

/// A province's SMS gateway reached over HTTP: each message is `POST`ed to `url` as JSON
/// `{"to": "09…", "text": "…", "id": "…"}` with `Authorization: Bearer <key>` and
/// `Idempotency-Key: <id>`; any `2xx` answer means accepted, anything else (or no answer in
/// 10 seconds) is a failure the sender retries. Plain `http://` only: a gateway reached over
/// TLS goes through a local forwarding proxy (docs/OPERATIONS.md) so that no TLS stack is
/// compiled into the server.
pub struct HttpSms {
    target: Arc<Target>,
}

struct Target {
    /// `host:port` to connect to.
    address: String,
    /// The `Host` header.
    host: String,
    /// Path and query.
    path: String,
    key: String,
}

impl HttpSms {
    /// From the gateway's address (`http://host[:port]/path`) and key; a message in words
    /// when the address is not one.
    pub fn new(url: &str, key: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("sms.gateway_url must start with http:// (got {url}); reach an https gateway through a local forwarding proxy")
        })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() || authority.contains(['@', ' ']) {
            return Err(format!("sms.gateway_url has no usable host: {url}"));
        }
        let address = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        if key.chars().any(char::is_control) {
            return Err("sms.gateway_key must be one line".to_owned());
        }
        Ok(Self {
            target: Arc::new(Target {
                address,
                host: authority.to_owned(),
                path: path.to_owned(),
                key: key.to_owned(),
            }),
        })
    }
}

impl SmsSender for HttpSms {
    fn send(&self, sms: Sms) -> BoxFuture<'static, Result<(), String>> {
        let target = self.target.clone();
        Box::pin(async move {
            match tokio::time::timeout(GATEWAY_TIMEOUT, post(&target, &sms)).await {
                Ok(result) => result,
                Err(_) => Err(format!(
                    "cổng SMS không trả lời trong {} giây",
                    GATEWAY_TIMEOUT.as_secs()
                )),
            }
        })
    }
}

/// One `POST` on a fresh connection (`Connection: close`); `Ok` for a `2xx` status.
async fn post(target: &Target, sms: &Sms) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = serde_json::json!({"to": sms.phone, "text": sms.text, "id": sms.key}).to_string();
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        target.path,
        target.host,
        body.len()
    );
    if !target.key.is_empty() {
        request.push_str(&format!("Authorization: Bearer {}\r\n", target.key));
    }
    if !sms.key.is_empty() && !sms.key.chars().any(char::is_control) {
        request.push_str(&format!("Idempotency-Key: {}\r\n", sms.key));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let mut stream = tokio::net::TcpStream::connect(&target.address)
        .await
        .map_err(|e| format!("không kết nối được cổng SMS: {e}"))?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("không gửi được tới cổng SMS: {e}"))?;
    let mut answer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    // The status line is enough; read until it is complete, the answer ends, or the limit.
    while !answer.contains(&b'\n') && answer.len() < ANSWER_LIMIT {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| format!("cổng SMS ngắt kết nối: {e}"))?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    let line = String::from_utf8_lossy(&answer);
    let status = line
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| "cổng SMS trả lời không đúng dạng HTTP".to_owned())?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("cổng SMS trả lời mã {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::HttpSms;

    #[test]
    fn gateway_addresses() {
        let g =
            HttpSms::new("http://sms.local:8081/gui?x=1", "k").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.target.address, "sms.local:8081");
        assert_eq!(g.target.path, "/gui?x=1");
        let g = HttpSms::new("http://10.0.0.5", "").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.target.address, "10.0.0.5:80");
        assert_eq!(g.target.path, "/");
        assert!(HttpSms::new("https://sms.example", "k").is_err());
        assert!(HttpSms::new("http://", "k").is_err());
        assert!(HttpSms::new("http://a/b", "k\r\nX: y").is_err());
    }
}
