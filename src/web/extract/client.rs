//! Who is at the other end, for rate limits and lockouts: the peer address of the connection
//! (`ConnectInfo`, set by the server), or — only when that peer is a configured trusted proxy —
//! the right-most address in `X-Forwarded-For` that is not itself a trusted proxy. A client
//! cannot choose its key by sending the header to a server that is not behind a proxy.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

use crate::config::Config;

/// The client's address as a rate-limit key: an IPv4 address, or the /64 network of an IPv6
/// address (one household or phone holds a whole /64).
pub fn client_key(parts: &Parts, config: &Config) -> String {
    key_of(client_ip(parts, config))
}

/// The client's address, as above (`0.0.0.0` when the server set no peer address).
pub fn client_ip(parts: &Parts, config: &Config) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(p) if config.trusted_proxies.contains(&p) => forwarded(parts, config).unwrap_or(p),
        Some(p) => p,
        None => IpAddr::from([0, 0, 0, 0]),
    }
}

fn forwarded(parts: &Parts, config: &Config) -> Option<IpAddr> {
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in parts.headers.get_all("x-forwarded-for") {
        for item in value.to_str().ok()?.split(',') {
            hops.push(item.trim().parse().ok()?);
        }
    }
    hops.into_iter()
        .rev()
        .find(|ip| !config.trusted_proxies.contains(ip))
}

fn key_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut req = Request::get("/").body(()).unwrap_or_else(|e| panic!("{e}"));
        if let Some(x) = xff {
            req.headers_mut().insert(
                "x-forwarded-for",
                x.parse().unwrap_or_else(|e| panic!("{e}")),
            );
        }
        let addr: SocketAddr = peer.parse().unwrap_or_else(|e| panic!("{e}"));
        req.extensions_mut().insert(ConnectInfo(addr));
        req.into_parts().0
    }

    #[test]
    fn forwarded_for_only_from_a_trusted_proxy() {
        let direct = Config::default();
        assert_eq!(
            client_key(&parts("203.0.113.7:5000", Some("1.2.3.4")), &direct),
            "203.0.113.7",
            "a client cannot pick its key"
        );
        let proxied = Config {
            trusted_proxies: vec!["127.0.0.1".parse().unwrap_or_else(|e| panic!("{e:?}"))],
            ..Config::default()
        };
        assert_eq!(
            client_key(&parts("127.0.0.1:5000", Some("9.9.9.9, 1.2.3.4")), &proxied),
            "1.2.3.4",
            "the right-most hop the proxy saw"
        );
        assert_eq!(
            client_key(&parts("127.0.0.1:5000", Some("junk")), &proxied),
            "127.0.0.1"
        );
        assert_eq!(
            client_key(&parts("[2001:db8:1:2:3:4:5:6]:5000", None), &direct),
            "2001:db8:1:2::/64"
        );
    }
}
