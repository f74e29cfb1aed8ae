//! The client's address, for rate limits. `X-Forwarded-For` or `Forwarded` is honoured only
//! when the connection comes from a configured proxy; then the client is the right-most
//! address in it that is not itself a trusted proxy (everything left of that was written by
//! the client and proves nothing).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::AppState;

/// Which header the trusted proxies write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, …` (nginx, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client;proto=https, for=proxy1`.
    Forwarded,
}

/// The proxies whose forwarded-address header is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
    header: ProxyHeader,
}

impl TrustedProxies {
    /// Parses addresses and CIDR ranges (`10.0.0.0/8`, `::1`, `192.0.2.7`) and the header name
    /// (`x-forwarded-for` or `forwarded`).
    pub fn parse(entries: &[String], header: &str) -> Result<Self, String> {
        let nets = entries
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .map(|e| {
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map(|n| n.trunc())
                    .map_err(|_| {
                        format!("trusted proxy `{e}` is neither an IP address nor a CIDR range")
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let header = match header.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" | "" => ProxyHeader::XForwardedFor,
            "forwarded" => ProxyHeader::Forwarded,
            other => {
                return Err(format!(
                    "trusted proxy header `{other}` is neither `x-forwarded-for` nor `forwarded`"
                ));
            }
        };
        Ok(Self { nets, header })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client of a request that arrived from `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops = match self.header {
            ProxyHeader::XForwardedFor => x_forwarded_for(headers),
            ProxyHeader::Forwarded => forwarded(headers),
        };
        for hop in hops.into_iter().rev() {
            match hop {
                Some(ip) => {
                    client = ip.to_canonical();
                    if !self.trusts(client) {
                        return client;
                    }
                }
                // A hop the trusted proxy could not name (`unknown`, obfuscated, garbage):
                // the proxy that reported it is the best we know.
                None => return client,
            }
        }
        client
    }
}

/// One address as proxies write it: `192.0.2.1`, `192.0.2.1:443`, `2001:db8::1`,
/// `[2001:db8::1]:443`, optionally quoted.
fn address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            raw.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.parse().ok())
        })
}

/// Every hop of every `X-Forwarded-For` line, left to right.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("?").split(','))
        .map(address)
        .collect()
}

/// The `for=` of every element of every `Forwarded` line, left to right.
fn forwarded(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("for=?").split(','))
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, v)| address(v))
        })
        .collect()
}

/// The client's address (`0.0.0.0` when the server runs without connection info).
pub(crate) struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client_of(parts, state)))
    }
}

/// The client of a request, as [`ClientIp`] extracts it.
pub(crate) fn client_of(parts: &Parts, state: &AppState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    state.config.trusted_proxies.client(peer, &parts.headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(entries: &[&str], header: &str) -> TrustedProxies {
        let entries: Vec<String> = entries.iter().map(|s| (*s).to_owned()).collect();
        TrustedProxies::parse(&entries, header).unwrap()
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let p = proxies(&["10.0.0.0/8"], "x-forwarded-for");
        let h = headers("x-forwarded-for", &["198.51.100.7"]);
        assert_eq!(p.client(ip("203.0.113.5"), &h), ip("203.0.113.5"));
        assert_eq!(
            TrustedProxies::default().client(ip("127.0.0.1"), &h),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let p = proxies(&["10.0.0.0/8", "192.0.2.7"], "x-forwarded-for");
        let peer = ip("10.0.0.2");
        let cases = [
            (vec!["198.51.100.7"], "198.51.100.7"),
            // The client wrote the first address itself.
            (vec!["1.2.3.4, 198.51.100.7"], "198.51.100.7"),
            (
                vec!["1.2.3.4, 198.51.100.7, 192.0.2.7, 10.9.9.9"],
                "198.51.100.7",
            ),
            // Several header lines are one list.
            (vec!["1.2.3.4", "198.51.100.7, 10.1.1.1"], "198.51.100.7"),
            // Ports and brackets.
            (vec!["198.51.100.7:5555"], "198.51.100.7"),
            (vec!["[2001:db8::7]:443"], "2001:db8::7"),
            // Every hop trusted: the left-most.
            (vec!["10.3.3.3, 10.2.2.2"], "10.3.3.3"),
            // Garbage the proxy passed on: the proxy that reported it.
            (vec!["198.51.100.7, unknown, 10.2.2.2"], "10.2.2.2"),
            (vec!["nonsense"], "10.0.0.2"),
            (vec![], "10.0.0.2"),
        ];
        for (values, expected) in cases {
            let h = headers("x-forwarded-for", &values);
            assert_eq!(p.client(peer, &h), ip(expected), "{values:?}");
        }
    }

    #[test]
    fn the_forwarded_header_is_read_when_configured() {
        let p = proxies(&["::1", "10.0.0.0/8"], "forwarded");
        let h = headers(
            "forwarded",
            &[
                "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https, For=10.0.0.9;by=10.0.0.1",
            ],
        );
        assert_eq!(p.client(ip("::1"), &h), ip("2001:db8:cafe::17"));
        // X-Forwarded-For is then the client's word.
        let xff = headers("x-forwarded-for", &["198.51.100.7"]);
        assert_eq!(p.client(ip("::1"), &xff), ip("::1"));
        let hidden = headers("forwarded", &["for=_hidden, for=10.0.0.5"]);
        assert_eq!(p.client(ip("10.0.0.1"), &hidden), ip("10.0.0.5"));
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_ranges() {
        let p = proxies(&["127.0.0.1"], "");
        let h = headers("x-forwarded-for", &["198.51.100.7"]);
        assert_eq!(p.client(ip("::ffff:127.0.0.1"), &h), ip("198.51.100.7"));
    }

    #[test]
    fn bad_configuration_is_refused_clearly() {
        let e = TrustedProxies::parse(&["10.0.0.0/33".into()], "").unwrap_err();
        assert!(e.contains("10.0.0.0/33"), "{e}");
        let e = TrustedProxies::parse(&[], "x-real-ip").unwrap_err();
        assert!(e.contains("x-real-ip"), "{e}");
    }
}
