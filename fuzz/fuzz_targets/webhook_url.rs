//! Any text given as a webhook URL to the address guard: it must never panic, and whatever it
//! accepts must name a globally reachable address or a public-looking name, read the same way
//! by the HTTP stack's own URI parser (so no parser disagreement can smuggle in another host).
//! Run: `cargo fuzz run webhook_url` from the repository root.
#![no_main]

use std::net::IpAddr;

use attune_domain::net::{Host, Url, is_global, outgoing_url};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let strict = outgoing_url(raw, false);
    let lenient = outgoing_url(raw, true);
    let Ok(url) = strict else {
        return;
    };
    assert!(lenient.is_ok(), "allowing internal targets refuses less: {raw:?}");
    assert!(matches!(url.scheme(), "http" | "https"));
    assert!(url.username().is_empty() && url.password().is_none());
    match url.host() {
        Some(Host::Ipv4(v4)) => assert!(is_global(IpAddr::V4(v4)), "{raw:?}"),
        Some(Host::Ipv6(v6)) => assert!(is_global(IpAddr::V6(v6)), "{raw:?}"),
        Some(Host::Domain(d)) => assert!(d.contains('.') && !d.ends_with("localhost")),
        None => panic!("accepted without a host: {raw:?}"),
    }
    // What the guard accepted reads the same when parsed again, by url and by http's Uri (the
    // type the connector receives).
    let again = Url::parse(url.as_str()).expect("a serialised URL parses");
    assert_eq!(again.host_str(), url.host_str());
    let uri: http::Uri = url.as_str().parse().expect("the client can send it");
    let host = uri.host().expect("a host").trim_start_matches('[').trim_end_matches(']');
    assert_eq!(Some(host), url.host_str().map(|h| h.trim_start_matches('[').trim_end_matches(']')));
    if let Ok(ip) = host.parse::<IpAddr>() {
        assert!(is_global(ip), "{raw:?} reaches {ip}");
    }
    assert_eq!(uri.port_u16(), url.port());
});
