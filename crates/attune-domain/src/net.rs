//! Where outgoing requests may go: webhook URLs must not reach the server's own network
//! (loopback, private, link-local, unique-local, CGNAT, unspecified, multicast addresses)
//! unless the operator allows it, so an admin's webhook cannot be used to probe internal
//! services (SSRF).

use std::net::IpAddr;

/// Whether an address belongs to a network a webhook must not reach by default.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link local fe80::/10
        }
    }
}

/// The host of an `http://` or `https://` URL (without port or brackets), or `None` when the
/// URL is not one.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether a URL's host is written as an internal address or names this machine.
pub fn url_is_internal(url: &str) -> bool {
    match url_host(url) {
        Some(h) => {
            h == "localhost"
                || h.ends_with(".localhost")
                || h.parse::<IpAddr>().is_ok_and(is_internal)
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_and_hosts_are_recognised() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/x",
            "https://10.1.2.3/",
            "http://192.168.0.10",
            "http://172.16.5.4/a",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:9000/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://user:pw@127.0.0.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "ftp://example.com/",
        ] {
            assert!(url_is_internal(url), "{url}");
        }
        for url in [
            "https://hooks.example.com/attune",
            "http://93.184.216.34/x",
            "https://[2606:4700::1111]/",
            "https://user@hooks.example.com:8443/p?q=1",
        ] {
            assert!(!url_is_internal(url), "{url}");
        }
        assert_eq!(
            url_host("https://a.B.com:8443/x").as_deref(),
            Some("a.b.com")
        );
    }
}
