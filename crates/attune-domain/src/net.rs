//! Where outgoing requests may go. A webhook URL is parsed once, with the WHATWG URL parser
//! the HTTP client itself uses (`url::Url`), and must name a globally reachable address per the
//! IANA special-purpose address registries, unless the operator allows internal targets: an
//! admin's webhook must not be a way to probe the server's own network (SSRF).
//!
//! Three checks stand between a webhook and an internal service, so no single parser or
//! resolver disagreement can open the door:
//! 1. at creation and at delivery, [`outgoing_url`] parses the URL (IPv4 literals in decimal,
//!    hex, octal or short form are normalised by the parser, so they are checked as the
//!    addresses they are) and refuses non-global literals and local names without DNS;
//! 2. the client's resolver refuses a name with any non-global address;
//! 3. the client's connector refuses a connection whose peer address is not global.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use url::{Host, Url};

/// Longest webhook URL accepted.
pub const MAX_URL_LEN: usize = 2000;

/// IPv4 networks that are not globally reachable (IANA IPv4 special-purpose registry, plus
/// multicast and the reserved 240/4, which are not unicast destinations).
const V4_NOT_GLOBAL: &[(u32, u32)] = &[
    (0x0000_0000, 8),  // 0.0.0.0/8 "this network"
    (0x0a00_0000, 8),  // 10.0.0.0/8 private
    (0x6440_0000, 10), // 100.64.0.0/10 shared address space (CGNAT)
    (0x7f00_0000, 8),  // 127.0.0.0/8 loopback
    (0xa9fe_0000, 16), // 169.254.0.0/16 link local
    (0xac10_0000, 12), // 172.16.0.0/12 private
    (0xc000_0000, 24), // 192.0.0.0/24 IETF protocol assignments (but see V4_GLOBAL_EXCEPTIONS)
    (0xc000_0200, 24), // 192.0.2.0/24 documentation (TEST-NET-1)
    (0xc058_6300, 24), // 192.88.99.0/24 deprecated 6to4 relay anycast
    (0xc0a8_0000, 16), // 192.168.0.0/16 private
    (0xc612_0000, 15), // 198.18.0.0/15 benchmarking
    (0xc633_6400, 24), // 198.51.100.0/24 documentation (TEST-NET-2)
    (0xcb00_7100, 24), // 203.0.113.0/24 documentation (TEST-NET-3)
    (0xe000_0000, 4),  // 224.0.0.0/4 multicast
    (0xf000_0000, 4),  // 240.0.0.0/4 reserved, and 255.255.255.255 limited broadcast
];

/// Single addresses inside a non-global block that the registry marks globally reachable
/// (192.0.0.9 PCP anycast, 192.0.0.10 TURN anycast).
const V4_GLOBAL_EXCEPTIONS: &[u32] = &[0xc000_0009, 0xc000_000a];

/// IPv6 networks inside global unicast 2000::/3 that are not globally reachable.
const V6_NOT_GLOBAL: &[(u128, u32)] = &[
    (0x2001_0000 << 96, 23), // 2001::/23 IETF protocol assignments (incl. Teredo 2001::/32)
    (0x2001_0db8 << 96, 32), // 2001:db8::/32 documentation
    (0x3fff_0000 << 96, 20), // 3fff::/20 documentation
];

fn in_v4(addr: u32, (net, len): (u32, u32)) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    addr & mask == net & mask
}

fn in_v6(addr: u128, (net, len): (u128, u32)) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    addr & mask == net & mask
}

fn v4_is_global(ip: Ipv4Addr) -> bool {
    let n = u32::from(ip);
    V4_GLOBAL_EXCEPTIONS.contains(&n) || !V4_NOT_GLOBAL.iter().any(|b| in_v4(n, *b))
}

/// The IPv4 address an IPv6 address carries, for the forms that carry one: IPv4-compatible
/// `::/96` (deprecated), IPv4-mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96` and 6to4
/// `2002::/16`. Such an address is as reachable as the IPv4 address inside it.
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let n = u128::from(ip);
    let low32 = Ipv4Addr::from((n & 0xffff_ffff) as u32);
    if in_v6(n, (0, 96)) || in_v6(n, (0xffff_0000_0000, 96)) || in_v6(n, (0x0064_ff9b << 96, 96)) {
        return Some(low32);
    }
    if in_v6(n, (0x2002 << 112, 16)) {
        return Some(Ipv4Addr::from(((n >> 80) & 0xffff_ffff) as u32));
    }
    None
}

fn v6_is_global(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return v4_is_global(v4);
    }
    let n = u128::from(ip);
    // Only 2000::/3 is global unicast today: loopback, unspecified, unique local fc00::/7,
    // link local fe80::/10, site local fec0::/10, multicast ff00::/8, discard 100::/64,
    // local-use NAT64 64:ff9b:1::/48 and SRv6 5f00::/16 all lie outside it.
    in_v6(n, (0x2000 << 112, 3)) && !V6_NOT_GLOBAL.iter().any(|b| in_v6(n, *b))
}

/// Whether an address is globally reachable (IANA special-purpose registries).
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_is_global(v4),
        IpAddr::V6(v6) => v6_is_global(v6),
    }
}

/// Whether an address belongs to a network a webhook must not reach by default: anything that
/// is not globally reachable.
pub fn is_internal(ip: IpAddr) -> bool {
    !is_global(ip)
}

/// Why an outgoing URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRefusal {
    /// Not a URL the parser accepts, too long, or with spaces or control characters.
    Malformed(String),
    /// A scheme other than `http` or `https`.
    Scheme,
    /// A user name or password in the URL.
    Credentials,
    /// An address or name inside this server's network.
    Internal(String),
}

impl fmt::Display for UrlRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "must be an http:// or https:// URL ({why})"),
            Self::Scheme => f.write_str("must be an http:// or https:// URL"),
            Self::Credentials => f.write_str(
                "must not contain a user name or password; authenticate the receiver with the \
                 signature header instead",
            ),
            Self::Internal(host) => write!(
                f,
                "points inside this server's network ({host} is not a globally reachable \
                 address); set ATTUNE_WEBHOOK_ALLOW_INTERNAL=true to allow it"
            ),
        }
    }
}

impl std::error::Error for UrlRefusal {}

/// Whether a (parsed, lower-case, punycoded) host is a plain DNS name: labels of letters,
/// digits, `-` and `_`, none empty, with at most one final dot.
fn is_dns_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Host names that always mean this machine or its local network, whatever DNS says.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    !name.contains('.')
        || [
            "localhost",
            "local",
            "localdomain",
            "internal",
            "intranet",
            "lan",
            "home.arpa",
            "in-addr.arpa",
            "ip6.arpa",
        ]
        .iter()
        .any(|suffix| {
            name == *suffix
                || name
                    .strip_suffix(suffix)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
}

/// Parses an outgoing (webhook) URL exactly as the HTTP client will and checks it without
/// DNS: `http` or `https`, no credentials, and, unless `allow_internal`, a host that is a
/// globally reachable address or a public-looking name. The returned [`Url`] is the one to
/// send the request to, so the host checked is the host connected to.
pub fn outgoing_url(raw: &str, allow_internal: bool) -> Result<Url, UrlRefusal> {
    if raw.len() > MAX_URL_LEN {
        return Err(UrlRefusal::Malformed(format!(
            "longer than {MAX_URL_LEN} bytes"
        )));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlRefusal::Malformed(
            "contains spaces or control characters".into(),
        ));
    }
    let url = Url::parse(raw).map_err(|e| UrlRefusal::Malformed(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlRefusal::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    let internal = match url.host() {
        None => return Err(UrlRefusal::Malformed("no host".into())),
        Some(url::Host::Ipv4(v4)) => !v4_is_global(v4),
        Some(url::Host::Ipv6(v6)) => !v6_is_global(v6),
        Some(url::Host::Domain(d)) => {
            // WHATWG lets `;`, `}` or `+` into a host that no resolver or HTTP stack takes.
            if !is_dns_name(d) {
                return Err(UrlRefusal::Malformed(
                    "the host name may hold only letters, digits, '-', '_' and '.' between \
                     non-empty labels"
                        .into(),
                ));
            }
            is_local_name(d)
        }
    };
    if internal && !allow_internal {
        let host = url.host_str().unwrap_or_default().to_owned();
        return Err(UrlRefusal::Internal(host));
    }
    Ok(url)
}

/// Whether a URL is refused for pointing inside this server's network (or for not being an
/// outgoing URL at all).
pub fn url_is_internal(url: &str) -> bool {
    outgoing_url(url, false).is_err()
}

#[cfg(test)]
mod tests;
