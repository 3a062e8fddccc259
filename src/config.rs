//! Typed configuration, layered: defaults → `hocvuso.toml` → `HOCVUSO_SECTION__KEY` environment
//! variables (and `DATABASE_URL`) → command-line flags. Unknown `HOCVUSO_*` variables are
//! reported, so a typo does not silently do nothing.

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/hocvuso.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Reader connections (SQLite) or pool size (PostgreSQL).
    pub database_readers: u32,
    pub listen: SocketAddr,
    /// Name of the issuing body on certificates.
    pub issuer: String,
    /// The province's `did:key` (shown on /chung-nhan/kiem-tra-tep): the issuer that
    /// `hocvuso verify` trusts when no `--issuer` is given.
    pub issuer_did: Option<String>,
    /// The address people reach this site at (e.g. `https://hocvuso.lamdong.gov.vn`), printed
    /// in QR codes, signed credentials and the handbook PDF. Never taken from a request's `Host`
    /// header. When unset, `http://` and the listen address (development on loopback only:
    /// `serve` refuses a non-loopback address without it). An `https://` address makes cookies
    /// `Secure` and turns on HSTS.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (the client address for rate
    /// limits); from anyone else the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `GET /metrics` answers a request carrying `Authorization: Bearer <token>`
    /// (`[metrics] token`, or `HOCVUSO_METRICS__TOKEN`) …
    pub metrics_token: Option<String>,
    /// … or one from these client addresses (`[metrics] allow`). With neither, `/metrics`
    /// is not there (404).
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// The SMS gateway (`[sms] gateway_url`, `http://…`) and its key (`[sms] gateway_key`);
    /// without a gateway, messages go to the log (development).
    pub sms_gateway: Option<(String, String)>,
    /// Reminder messages each server process sends per second at most (`[sms] per_second`).
    pub sms_per_second: u32,
    /// No reminder by text message between 21:00 and 07:00 (`[sms] quiet_hours`, on unless
    /// set to `false` — for tests and benchmarks that run at night).
    pub sms_quiet_hours: bool,
    /// The SMTP relay reminders by email go through (`[email]`); without one, emails go to
    /// the log (development).
    pub email_relay: Option<EmailRelay>,
    /// Reminder emails each server process sends per second at most (`[email] per_second`).
    pub email_per_second: u32,
}

/// An SMTP relay: `[email] smtp_host`, `smtp_port` (25), `from` (the sender's address, e.g.
/// `Học vụ số Lâm Đồng <hocvuso@lamdong.gov.vn>`), and `username`/`password` when the relay
/// asks for a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRelay {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub login: Option<(String, String)>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            database_readers: 8,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            issuer: "Sở Khoa học và Công nghệ tỉnh Lâm Đồng".to_owned(),
            issuer_did: None,
            public_url: None,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            metrics_allow: Vec::new(),
            sms_gateway: None,
            sms_per_second: 20,
            sms_quiet_hours: true,
            email_relay: None,
            email_per_second: 20,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: FileServer,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    certificate: FileCertificate,
    #[serde(default)]
    metrics: FileMetrics,
    #[serde(default)]
    sms: FileSms,
    #[serde(default)]
    email: FileEmail,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEmail {
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    from: Option<String>,
    username: Option<String>,
    password: Option<String>,
    per_second: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSms {
    gateway_url: Option<String>,
    gateway_key: Option<String>,
    per_second: Option<u32>,
    quiet_hours: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMetrics {
    token: Option<String>,
    allow: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServer {
    listen: Option<String>,
    secure_cookies: Option<bool>,
    public_url: Option<String>,
    trusted_proxies: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    url: Option<String>,
    readers: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCertificate {
    issuer: Option<String>,
    issuer_did: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {message}")]
    File { path: String, message: String },
    #[error("{name}: {message}")]
    Value { name: String, message: String },
}

/// Values given on the command line (highest precedence).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

const KNOWN_ENV: &[&str] = &[
    "HOCVUSO_CONFIG",
    "HOCVUSO_SERVER__LISTEN",
    "HOCVUSO_SERVER__PUBLIC_URL",
    "HOCVUSO_SERVER__TRUSTED_PROXIES",
    "HOCVUSO_DATABASE__URL",
    "HOCVUSO_DATABASE__READERS",
    "HOCVUSO_CERTIFICATE__ISSUER",
    "HOCVUSO_CERTIFICATE__ISSUER_DID",
    "HOCVUSO_METRICS__TOKEN",
    "HOCVUSO_METRICS__ALLOW",
    "HOCVUSO_SMS__GATEWAY_URL",
    "HOCVUSO_SMS__GATEWAY_KEY",
    "HOCVUSO_SMS__PER_SECOND",
    "HOCVUSO_SMS__QUIET_HOURS",
    "HOCVUSO_EMAIL__SMTP_HOST",
    "HOCVUSO_EMAIL__SMTP_PORT",
    "HOCVUSO_EMAIL__FROM",
    "HOCVUSO_EMAIL__USERNAME",
    "HOCVUSO_EMAIL__PASSWORD",
    "HOCVUSO_EMAIL__PER_SECOND",
    "HOCVUSO_LOG",
    "HOCVUSO_LOG_FORMAT",
    // Read by `hocvuso user create-admin` / `create-author` (clap), not by the config.
    "HOCVUSO_ADMIN_PASSWORD",
    "HOCVUSO_AUTHOR_PASSWORD",
];

impl Config {
    /// Loads the layers. `env` is passed in (not read from the process) so tests can supply it.
    pub fn load(
        config_file: Option<&Path>,
        env: &[(String, String)],
        overrides: &Overrides,
    ) -> Result<(Self, Vec<String>), ConfigError> {
        let mut cfg = Config::default();
        let mut warnings = Vec::new();
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());

        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| get("HOCVUSO_CONFIG").map(Into::into))
            .or_else(|| {
                let p = Path::new("hocvuso.toml");
                p.exists().then(|| p.to_path_buf())
            });
        let mut listen = None;
        let (mut sms_url, mut sms_key): (Option<String>, Option<String>) = (None, None);
        let mut email = FileEmail::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            let f: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            listen = f.server.listen;
            if f.server.secure_cookies.is_some() {
                warnings.push(
                    "server.secure_cookies is no longer read: cookies are Secure when \
                     server.public_url starts with https://"
                        .to_owned(),
                );
            }
            if let Some(v) = f.server.public_url {
                cfg.public_url = Some(parse_public_url(&v)?);
            }
            if let Some(v) = f.server.trusted_proxies {
                cfg.trusted_proxies = parse_proxies(v.iter().map(String::as_str))?;
            }
            if let Some(v) = f.database.url {
                cfg.database_url = v;
            }
            if let Some(v) = f.database.readers {
                cfg.database_readers = v;
            }
            if let Some(v) = f.certificate.issuer {
                cfg.issuer = v;
            }
            if let Some(v) = f.certificate.issuer_did {
                cfg.issuer_did = Some(v);
            }
            if let Some(v) = f.metrics.token {
                cfg.metrics_token = Some(parse_metrics_token(&v)?);
            }
            if let Some(v) = f.metrics.allow {
                cfg.metrics_allow = parse_addresses("metrics.allow", v.iter().map(String::as_str))?;
            }
            sms_url = f.sms.gateway_url;
            sms_key = f.sms.gateway_key;
            if let Some(v) = f.sms.per_second {
                cfg.sms_per_second = v;
            }
            if let Some(v) = f.sms.quiet_hours {
                cfg.sms_quiet_hours = v;
            }
            email = f.email;
        }
        if let Some(v) = get("HOCVUSO_SMS__GATEWAY_URL") {
            sms_url = Some(v);
        }
        if let Some(v) = get("HOCVUSO_SMS__GATEWAY_KEY") {
            sms_key = Some(v);
        }
        if let Some(v) = get("HOCVUSO_SMS__PER_SECOND") {
            cfg.sms_per_second = v.trim().parse().map_err(|_| ConfigError::Value {
                name: "HOCVUSO_SMS__PER_SECOND".into(),
                message: format!("not a whole number: {v}"),
            })?;
        }
        if let Some(v) = get("HOCVUSO_SMS__QUIET_HOURS") {
            cfg.sms_quiet_hours = match v.trim() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(ConfigError::Value {
                        name: "HOCVUSO_SMS__QUIET_HOURS".into(),
                        message: format!("true or false, not {v}"),
                    })
                }
            };
        }
        if !(1..=1_000).contains(&cfg.sms_per_second) {
            return Err(ConfigError::Value {
                name: "sms.per_second".into(),
                message: format!("must be 1 to 1000, not {}", cfg.sms_per_second),
            });
        }
        if let Some(url) = sms_url.filter(|u| !u.trim().is_empty()) {
            let key = sms_key.unwrap_or_default();
            crate::services::shared::sms::HttpSms::new(url.trim(), &key).map_err(|message| {
                ConfigError::Value {
                    name: "sms.gateway_url".into(),
                    message,
                }
            })?;
            cfg.sms_gateway = Some((url.trim().to_owned(), key));
        }
        email_from_env(&mut email, &get)?;
        if let Some(v) = email.per_second {
            cfg.email_per_second = v;
        }
        if !(1..=1_000).contains(&cfg.email_per_second) {
            return Err(ConfigError::Value {
                name: "email.per_second".into(),
                message: format!("must be 1 to 1000, not {}", cfg.email_per_second),
            });
        }
        cfg.email_relay = email_relay(email)?;
        if let Some(v) = get("HOCVUSO_METRICS__TOKEN") {
            cfg.metrics_token = Some(parse_metrics_token(&v)?);
        }
        if let Some(v) = get("HOCVUSO_METRICS__ALLOW") {
            cfg.metrics_allow = parse_addresses(
                "HOCVUSO_METRICS__ALLOW",
                v.split(',').filter(|p| !p.trim().is_empty()),
            )?;
        }

        if let Some(v) = get("HOCVUSO_SERVER__TRUSTED_PROXIES") {
            cfg.trusted_proxies = parse_proxies(v.split(',').filter(|p| !p.trim().is_empty()))?;
        }
        if let Some(v) = get("HOCVUSO_SERVER__PUBLIC_URL") {
            cfg.public_url = Some(parse_public_url(&v)?);
        }
        if let Some(v) = get("DATABASE_URL") {
            cfg.database_url = v;
        }
        if let Some(v) = get("HOCVUSO_DATABASE__URL") {
            cfg.database_url = v;
        }
        if let Some(v) = get("HOCVUSO_DATABASE__READERS") {
            cfg.database_readers = v.parse().map_err(|_| ConfigError::Value {
                name: "HOCVUSO_DATABASE__READERS".into(),
                message: format!("not a whole number: {v}"),
            })?;
        }
        if let Some(v) = get("HOCVUSO_SERVER__LISTEN") {
            listen = Some(v);
        }
        if let Some(v) = get("HOCVUSO_CERTIFICATE__ISSUER") {
            cfg.issuer = v;
        }
        if let Some(v) = get("HOCVUSO_CERTIFICATE__ISSUER_DID") {
            cfg.issuer_did = Some(v);
        }
        for (name, _) in env {
            if name.starts_with("HOCVUSO_") && !KNOWN_ENV.contains(&name.as_str()) {
                warnings.push(format!("unknown environment variable {name} is ignored"));
            }
        }

        if let Some(v) = &overrides.database_url {
            cfg.database_url = v.clone();
        }
        if let Some(v) = &overrides.listen {
            listen = Some(v.clone());
        }
        if let Some(l) = listen {
            cfg.listen = l.parse().map_err(|_| ConfigError::Value {
                name: "listen".into(),
                message: format!("not an address like {DEFAULT_LISTEN}: {l}"),
            })?;
        }
        Ok((cfg, warnings))
    }
}

/// The `HOCVUSO_EMAIL__*` variables over the file's `[email]`.
fn email_from_env(
    email: &mut FileEmail,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let text = |name: &str, slot: &mut Option<String>| {
        if let Some(v) = get(name) {
            *slot = Some(v);
        }
    };
    text("HOCVUSO_EMAIL__SMTP_HOST", &mut email.smtp_host);
    text("HOCVUSO_EMAIL__FROM", &mut email.from);
    text("HOCVUSO_EMAIL__USERNAME", &mut email.username);
    text("HOCVUSO_EMAIL__PASSWORD", &mut email.password);
    let number = |name: &str| -> Result<Option<u32>, ConfigError> {
        get(name)
            .map(|v| {
                v.trim().parse::<u32>().map_err(|_| ConfigError::Value {
                    name: name.into(),
                    message: format!("not a whole number: {v}"),
                })
            })
            .transpose()
    };
    if let Some(v) = number("HOCVUSO_EMAIL__SMTP_PORT")? {
        email.smtp_port = Some(u16::try_from(v).map_err(|_| ConfigError::Value {
            name: "HOCVUSO_EMAIL__SMTP_PORT".into(),
            message: format!("not a port: {v}"),
        })?);
    }
    if let Some(v) = number("HOCVUSO_EMAIL__PER_SECOND")? {
        email.per_second = Some(v);
    }
    Ok(())
}

/// The relay, checked: a host needs a sender's address; a login needs both parts.
fn email_relay(email: FileEmail) -> Result<Option<EmailRelay>, ConfigError> {
    let Some(host) = email.smtp_host.filter(|h| !h.trim().is_empty()) else {
        return Ok(None);
    };
    let bad = |name: &str, message: String| ConfigError::Value {
        name: name.into(),
        message,
    };
    let from = email
        .from
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| bad("email.from", "needed with email.smtp_host".to_owned()))?;
    let login = match (email.username, email.password) {
        (Some(u), Some(p)) if !u.is_empty() => Some((u, p)),
        (None, None) => None,
        (Some(u), None) if u.is_empty() => None,
        _ => {
            return Err(bad(
                "email.username",
                "email.username and email.password go together".to_owned(),
            ))
        }
    };
    let relay = EmailRelay {
        host: host.trim().to_owned(),
        port: email.smtp_port.unwrap_or(25),
        from: from.trim().to_owned(),
        login,
    };
    crate::services::shared::mail::SmtpMail::new(
        &relay.host,
        relay.port,
        &relay.from,
        relay.login.as_ref().map(|(u, p)| (u.as_str(), p.as_str())),
    )
    .map_err(|message| bad("email", message))?;
    Ok(Some(relay))
}

impl Config {
    /// The site's address as people type it: the configured public URL, or for development
    /// `http://` and the listen address.
    pub fn site_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.clone(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Cookies carry `Secure` and responses HSTS when the public address is HTTPS.
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// `serve` refuses to listen beyond loopback without a configured public address, so
    /// that QR codes and credentials never carry an address an attacker chose.
    pub fn check_for_serving(&self) -> Result<(), ConfigError> {
        if self.public_url.is_none() && !self.listen.ip().is_loopback() {
            return Err(ConfigError::Value {
                name: "server.public_url".into(),
                message: format!(
                    "required when listening on {} (not loopback): set it to the address \
                     people use, e.g. https://hocvuso.lamdong.gov.vn \
                     (HOCVUSO_SERVER__PUBLIC_URL)",
                    self.listen
                ),
            });
        }
        Ok(())
    }
}

/// A metrics token long enough not to be guessed (at least 32 characters, no spaces).
fn parse_metrics_token(v: &str) -> Result<String, ConfigError> {
    let v = v.trim();
    if v.chars().count() < 32 || v.chars().any(char::is_whitespace) {
        return Err(ConfigError::Value {
            name: "metrics.token".into(),
            message: "at least 32 characters without spaces (e.g. `openssl rand -hex 32`)".into(),
        });
    }
    Ok(v.to_owned())
}

/// `http(s)://host[:port]` with no path, query, user or spaces; the trailing `/` dropped.
fn parse_public_url(v: &str) -> Result<String, ConfigError> {
    let v = v.trim().trim_end_matches('/');
    let bad = || ConfigError::Value {
        name: "server.public_url".into(),
        message: format!("not an address like https://hocvuso.lamdong.gov.vn: {v}"),
    };
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host_ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    if host_ok {
        Ok(v.to_owned())
    } else {
        Err(bad())
    }
}

/// Addresses of trusted reverse proxies (`127.0.0.1`, `::1`, `10.0.0.5`).
fn parse_proxies<'a>(
    items: impl Iterator<Item = &'a str>,
) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    parse_addresses("trusted_proxies", items)
}

fn parse_addresses<'a>(
    name: &str,
    items: impl Iterator<Item = &'a str>,
) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    items
        .map(|p| {
            p.trim().parse().map_err(|_| ConfigError::Value {
                name: name.into(),
                message: format!("not an IP address: {p}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn layers_in_order() {
        let (c, w) =
            Config::load(None, &env(&[]), &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert!(w.is_empty());

        let e = env(&[
            ("DATABASE_URL", "postgres://a@b/c"),
            ("HOCVUSO_SERVER__LISTEN", "0.0.0.0:9000"),
            ("HOCVUSO_SERVR__LISTEN", "typo"),
            ("HOCVUSO_ADMIN_PASSWORD", "read by the user command"),
            ("HOCVUSO_SERVER__PUBLIC_URL", "https://hocvuso.example.vn/"),
        ]);
        let (c, w) =
            Config::load(None, &e, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.database_url, "postgres://a@b/c");
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.public_url.as_deref(), Some("https://hocvuso.example.vn"));
        assert_eq!(
            w,
            vec!["unknown environment variable HOCVUSO_SERVR__LISTEN is ignored"]
        );

        let o = Overrides {
            database_url: Some("sqlite://x.db".into()),
            listen: Some("127.0.0.1:1".into()),
        };
        let (c, _) = Config::load(None, &e, &o).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.database_url, "sqlite://x.db");
        assert_eq!(c.listen.port(), 1);

        let bad = Overrides {
            listen: Some("nowhere".into()),
            ..Overrides::default()
        };
        assert!(Config::load(None, &e, &bad).is_err());
    }

    #[test]
    fn public_address_comes_from_configuration() {
        let load = |pairs: &[(&str, &str)]| Config::load(None, &env(pairs), &Overrides::default());
        let (c, _) = load(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.site_url(), "http://127.0.0.1:8080");
        assert!(!c.https());
        assert!(c.check_for_serving().is_ok());

        let (c, _) =
            load(&[("HOCVUSO_SERVER__LISTEN", "0.0.0.0:80")]).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            c.check_for_serving().is_err(),
            "no public URL beyond loopback"
        );

        let (c, _) = load(&[
            ("HOCVUSO_SERVER__LISTEN", "0.0.0.0:80"),
            ("HOCVUSO_SERVER__PUBLIC_URL", "https://hocvuso.example.vn/"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(c.check_for_serving().is_ok());
        assert!(c.https());
        assert_eq!(c.site_url(), "https://hocvuso.example.vn");

        for bad in [
            "hocvuso.example.vn",
            "https://",
            "https://a.vn/path?x",
            "https://user@a.vn",
            "javascript:alert(1)",
            "https://a b.vn",
        ] {
            assert!(
                load(&[("HOCVUSO_SERVER__PUBLIC_URL", bad)]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_sms_gateway_and_the_shipped_example() {
        let load = |pairs: &[(&str, &str)]| Config::load(None, &env(pairs), &Overrides::default());
        let (c, _) = load(&[
            ("HOCVUSO_SMS__GATEWAY_URL", "http://127.0.0.1:8081/sms"),
            ("HOCVUSO_SMS__GATEWAY_KEY", "k"),
            ("HOCVUSO_SMS__PER_SECOND", "50"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.sms_gateway,
            Some(("http://127.0.0.1:8081/sms".to_owned(), "k".to_owned()))
        );
        assert_eq!(c.sms_per_second, 50);
        assert!(load(&[("HOCVUSO_SMS__GATEWAY_URL", "https://sms.example.vn")]).is_err());
        assert!(load(&[("HOCVUSO_SMS__PER_SECOND", "0")]).is_err());
        assert!(c.sms_quiet_hours, "quiet hours unless turned off");
        let (c, _) =
            load(&[("HOCVUSO_SMS__QUIET_HOURS", "false")]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.sms_quiet_hours);
        assert!(load(&[("HOCVUSO_SMS__QUIET_HOURS", "không")]).is_err());
        assert!(load(&[("HOCVUSO_SMS__PER_SECOND", "nhiều")]).is_err());
        // The SMTP relay: a host needs a sender; a login both parts.
        let (c, _) = load(&[
            ("HOCVUSO_EMAIL__SMTP_HOST", "127.0.0.1"),
            ("HOCVUSO_EMAIL__SMTP_PORT", "2525"),
            ("HOCVUSO_EMAIL__FROM", "Học vụ số <hocvuso@lamdong.gov.vn>"),
            ("HOCVUSO_EMAIL__PER_SECOND", "5"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.email_relay.as_ref().map(|r| (r.host.as_str(), r.port)),
            Some(("127.0.0.1", 2525))
        );
        assert_eq!(c.email_per_second, 5);
        assert!(load(&[("HOCVUSO_EMAIL__SMTP_HOST", "127.0.0.1")]).is_err());
        assert!(load(&[
            ("HOCVUSO_EMAIL__SMTP_HOST", "127.0.0.1"),
            ("HOCVUSO_EMAIL__FROM", "không phải thư"),
        ])
        .is_err());
        assert!(load(&[
            ("HOCVUSO_EMAIL__SMTP_HOST", "127.0.0.1"),
            ("HOCVUSO_EMAIL__FROM", "a@b.vn"),
            ("HOCVUSO_EMAIL__USERNAME", "u"),
        ])
        .is_err());
        assert!(load(&[("HOCVUSO_EMAIL__SMTP_PORT", "cổng")]).is_err());
        assert!(load(&[("HOCVUSO_EMAIL__PER_SECOND", "0")]).is_err());
        assert_eq!(load(&[]).map(|(c, _)| c.email_relay).ok(), Some(None));
        // The example shipped in deploy/ is a configuration this program accepts.
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/hocvuso.toml.example");
        let (c, _) = Config::load(Some(&example), &[], &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", example.display()));
        assert_eq!(c.sms_per_second, 20);
    }

    #[test]
    fn reads_the_file() {
        let dir = std::env::temp_dir().join(format!("hocvuso-cfg-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("hocvuso.toml");
        let written = std::fs::write(
            &path,
            "[server]\nlisten = \"127.0.0.1:7000\"\n[database]\nurl = \"sqlite://f.db\"\n",
        );
        assert!(written.is_ok());
        let (c, _) =
            Config::load(Some(&path), &[], &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.listen.port(), 7000);
        assert_eq!(c.database_url, "sqlite://f.db");
        let _ = std::fs::write(&path, "[server]\nlistn = 1\n");
        assert!(Config::load(Some(&path), &[], &Overrides::default()).is_err());
    }
}
