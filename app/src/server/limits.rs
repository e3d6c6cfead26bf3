//! Rate limits on sign-in, sign-up, password reset and verification mails, per client
//! address and per account (governor's GCRA, keyed, in memory: each server counts its own
//! requests). The client address is the peer's, or, when the peer is a configured proxy,
//! the nearest address in `X-Forwarded-For` that is not a proxy.

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::HeaderMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignUp,
    Reset,
    VerifyMail,
    /// A staff sign-in or second-factor attempt (besides the account's own lockout).
    StaffSignIn,
}

impl Action {
    /// (burst, one more every …) per client address, then per account.
    fn quotas(self) -> ((u32, u64), Option<(u32, u64)>) {
        match self {
            // Generous per address: a school's whole lab may sit behind one address.
            Action::SignIn => ((60, 2), Some((10, 180))),
            Action::SignUp => ((30, 20), None),
            Action::Reset => ((20, 30), Some((3, 600))),
            Action::VerifyMail => ((20, 30), Some((3, 600))),
            // Few staff per office; an account is also locked after `staff::MAX_FAILURES`.
            Action::StaffSignIn => ((20, 6), Some((10, 60))),
        }
    }
}

struct Pair {
    address: DefaultKeyedRateLimiter<String>,
    account: Option<DefaultKeyedRateLimiter<String>>,
}

fn quota((burst, every_secs): (u32, u64), factor: u32) -> Quota {
    let burst = NonZeroU32::new(burst.saturating_mul(factor)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(every_secs) / factor)
        .unwrap_or_else(|| Quota::per_second(burst))
        .allow_burst(burst)
}

pub struct RateLimits {
    /// `None`: limits are off (benchmarks only).
    pairs: Option<[Pair; 5]>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits").field("on", &self.pairs.is_some()).finish()
    }
}

impl RateLimits {
    /// `factor` scales every quota (1 = the defaults above); 0 turns limits off.
    pub fn new(factor: u32) -> Self {
        if factor == 0 {
            return Self { pairs: None };
        }
        let pair = |a: Action| {
            let (address, account) = a.quotas();
            Pair {
                address: RateLimiter::keyed(quota(address, factor)),
                account: account.map(|q| RateLimiter::keyed(quota(q, factor))),
            }
        };
        Self {
            pairs: Some([
                pair(Action::SignIn),
                pair(Action::SignUp),
                pair(Action::Reset),
                pair(Action::VerifyMail),
                pair(Action::StaffSignIn),
            ]),
        }
    }

    /// Counts one attempt. `Err(wait)`: over the limit, try again after `wait`.
    pub fn check(&self, action: Action, address: IpAddr, account: Option<&str>) -> Result<(), Duration> {
        let Some(pairs) = &self.pairs else { return Ok(()) };
        let pair = &pairs[action as usize];
        let now = DefaultClock::default().now();
        pair.address.check_key(&address_key(address)).map_err(|n| n.wait_time_from(now))?;
        if let (Some(limiter), Some(account)) = (&pair.account, account) {
            limiter.check_key(&account.to_owned()).map_err(|n| n.wait_time_from(now))?;
        }
        Ok(())
    }

    /// Forgets keys whose limit has fully recovered (run now and then to bound memory).
    pub fn tidy(&self) {
        for pair in self.pairs.iter().flatten() {
            pair.address.retain_recent();
            if let Some(a) = &pair.account {
                a.retain_recent();
            }
        }
    }
}

/// One IPv6 user usually holds a whole /64; count it as one address.
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0).to_string() + "/64"
            }
        },
    }
}

/// Proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`: addresses or CIDR
/// ranges, comma-separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (ip, bits) = match item.split_once('/') {
                Some((ip, bits)) => (ip, Some(bits)),
                None => (item, None),
            };
            let ip: IpAddr = ip.parse().map_err(|_| format!("`{item}` is not an address or CIDR range"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or(format!("`{item}`: bad prefix length"))?,
                None => max,
            };
            out.push((ip, bits));
        }
        Ok(Self(out))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| in_range(ip, *net, *bits))
    }

    /// The client's address for a request that arrived from `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        // Right to left: each hop was added by the proxy after it; the first one that is not
        // ours is the client as far as anyone we trust can tell.
        hops.iter().rev().find(|ip| !self.contains(**ip)).or(hops.first()).copied().unwrap_or(peer)
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, 5.6.7.8, 10.1.1.1"));
        assert_eq!(proxies.client(ip("203.0.113.9"), &h), ip("203.0.113.9"), "not a proxy: header ignored");
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("5.6.7.8"), "nearest untrusted hop");
        h.insert("x-forwarded-for", HeaderValue::from_static("10.2.2.2"));
        assert_eq!(proxies.client(ip("10.0.0.1"), &h), ip("10.2.2.2"), "all hops ours: the first");
        assert_eq!(proxies.client(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy").is_err());
        assert!(TrustedProxies::parse("::1, fd00::/8").unwrap().contains(ip("fd12::1")));
    }

    #[test]
    fn limits_count_per_address_and_account() {
        let limits = RateLimits::new(1);
        let a = ip("198.51.100.1");
        for _ in 0..3 {
            assert!(limits.check(Action::Reset, a, Some("x@example.com")).is_ok());
        }
        let wait = limits.check(Action::Reset, a, Some("x@example.com")).unwrap_err();
        assert!(wait > Duration::from_secs(500) && wait <= Duration::from_secs(600), "{wait:?}");
        assert!(limits.check(Action::Reset, a, Some("y@example.com")).is_ok(), "another account");
        assert!(RateLimits::new(0).check(Action::Reset, a, Some("x@example.com")).is_ok(), "off");
    }

    #[test]
    fn ipv6_counts_per_64() {
        assert_eq!(address_key(ip("2001:db8:1:2:aaaa::1")), address_key(ip("2001:db8:1:2:bbbb::2")));
        assert_ne!(address_key(ip("2001:db8:1:2::1")), address_key(ip("2001:db8:1:3::1")));
        assert_eq!(address_key(ip("::ffff:1.2.3.4")), "1.2.3.4");
    }
}
