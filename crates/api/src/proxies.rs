//! The client address of a request, read through the proxies we trust.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// `MATINALE_TRUSTED_PROXIES`: the addresses and networks whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses (`10.0.0.7`, `::1`) and networks
    /// (`10.0.0.0/8`); returns the entries it could not read apart, for a warning.
    pub fn parse(list: &str) -> (Self, Vec<String>) {
        let mut nets = Vec::new();
        let mut unreadable = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            match entry.parse::<IpNet>() {
                Ok(net) => nets.push(net.trunc()),
                Err(_) => match entry.parse::<IpAddr>() {
                    Ok(ip) => nets.push(IpNet::from(ip)),
                    Err(_) => unreadable.push(entry.to_owned()),
                },
            }
        }
        (Self(nets), unreadable)
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether no proxy is trusted (`X-Forwarded-For` is then ignored).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The client of a request from `peer` carrying the `X-Forwarded-For` values `forwarded`:
    /// the peer itself unless it is a trusted proxy; else, walking the list from the right
    /// (each proxy appends the address it saw), the first address that is not trusted. When
    /// every hop is trusted, the left-most one; when a value is unreadable, the hop that wrote it.
    pub fn client<'a>(&self, peer: IpAddr, forwarded: impl Iterator<Item = &'a str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else {
                return client;
            };
            client = canonical(ip);
            if !self.contains(client) {
                return client;
            }
        }
        client
    }

    /// The client address of `req` (see [`TrustedProxies::client`]); `None` when actix does
    /// not know the peer (a test request).
    pub fn client_of(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let forwarded = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok());
        Some(self.client(peer, forwarded))
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.7`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn addresses_and_networks_are_read_and_the_rest_reported() {
        let (proxies, bad) = TrustedProxies::parse(" 10.0.0.0/8, 192.0.2.7 ,::1, fd00::/8, proxy.lan,");
        assert_eq!(bad, ["proxy.lan"]);
        assert!(proxies.contains(ip("10.20.30.40")));
        assert!(proxies.contains(ip("192.0.2.7")));
        assert!(!proxies.contains(ip("192.0.2.8")));
        assert!(proxies.contains(ip("::1")));
        assert!(proxies.contains(ip("fd12::5")));
        assert!(proxies.contains(ip("::ffff:10.1.1.1")));
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let (proxies, _) = TrustedProxies::parse("10.0.0.0/8");
        let client = |peer: &str, xff: &[&str]| proxies.client(ip(peer), xff.iter().copied());
        // Behind two of our proxies; the left-most value is whatever the client wrote.
        assert_eq!(
            client("10.0.0.1", &["1.1.1.1, 203.0.113.9, 10.0.0.2"]),
            ip("203.0.113.9")
        );
        // Several header lines count as one list, in order.
        assert_eq!(client("10.0.0.1", &["1.1.1.1", "203.0.113.9"]), ip("203.0.113.9"));
        // A peer that is not a trusted proxy is the client, whatever it claims.
        assert_eq!(client("198.51.100.4", &["203.0.113.9"]), ip("198.51.100.4"));
        // A trusted peer without the header, or only trusted hops: the left-most trusted one.
        assert_eq!(client("10.0.0.1", &[]), ip("10.0.0.1"));
        assert_eq!(client("10.0.0.1", &["10.0.0.3, 10.0.0.2"]), ip("10.0.0.3"));
        // Garbage written by the client stops the walk at the proxy that wrote it down.
        assert_eq!(client("10.0.0.1", &["junk, 10.0.0.2"]), ip("10.0.0.2"));
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let proxies = TrustedProxies::default();
        assert_eq!(
            proxies.client(ip("127.0.0.1"), ["203.0.113.9"].into_iter()),
            ip("127.0.0.1")
        );
    }
}
