//! Rate limits on sign-in, sign-up, password reset and verification mails, per client
//! address and per account, counted in the database (`rate_limit`, migration 13): every
//! server shares the counts, and a restart forgets nothing. Each bucket is a GCRA (the
//! "generic cell rate algorithm"): a burst allowed at once, then one more every period; its
//! whole state is one time, moved by one atomic statement per attempt, so two servers
//! counting the same bucket at once never both take its last place.
//!
//! The client address is the peer's, or, when the peer is a configured proxy, the nearest
//! address in `X-Forwarded-For` that is not a proxy. Per-address quotas are generous because
//! a school's whole lab sits behind one address (a class of 60 signs up, verifies and signs
//! in within minutes); the per-account quotas are the tight ones. A click on a mailed link
//! is not limited at all: its token is 256 random bits, and guessing one is hopeless.

use chrono::{DateTime, Utc};
use http::HeaderMap;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignUp,
    Reset,
    /// Asking for another verification mail.
    VerifyMail,
    /// A staff sign-in or second-factor attempt (besides the account's own lockout).
    StaffSignIn,
}

/// A burst allowed at once, then one more every `every_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quota {
    burst: u32,
    every_ms: u64,
}

const fn q(burst: u32, every_ms: u64) -> Quota {
    Quota { burst, every_ms }
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Action::SignIn => "sign-in",
            Action::SignUp => "sign-up",
            Action::Reset => "reset",
            Action::VerifyMail => "verify-mail",
            Action::StaffSignIn => "staff-sign-in",
        }
    }

    /// Per client address, then per account.
    fn quotas(self) -> (Quota, Option<Quota>) {
        match self {
            // A lab of 60 signs in at once and again after a mistake; a flood from one
            // address still gets at most 7,200 tries an hour, each also counted per account.
            Action::SignIn => (q(200, 500), Some(q(10, 180_000))),
            // A class of 60 signs up at once; then one every 3 s (1,200 an hour).
            Action::SignUp => (q(80, 3_000), None),
            Action::Reset => (q(60, 10_000), Some(q(3, 600_000))),
            Action::VerifyMail => (q(60, 10_000), Some(q(3, 600_000))),
            // Few staff per office; an account is also locked after `staff::MAX_FAILURES`.
            Action::StaffSignIn => (q(20, 6_000), Some(q(10, 60_000))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Scales every quota (1 = the defaults above); 0: limits are off (benchmarks only).
    factor: u32,
}

/// Takes one place in `bucket` if there is one: the bucket's time moves on by one period,
/// provided it stays within the burst of now. No row back: the bucket is full.
const TAKE: &str = "INSERT INTO rate_limit (bucket, tat_ms) VALUES ($1, $2 + $3) \
    ON CONFLICT (bucket) DO UPDATE SET tat_ms = \
        (CASE WHEN rate_limit.tat_ms > $2 THEN rate_limit.tat_ms ELSE $2 END) + $3 \
    WHERE (CASE WHEN rate_limit.tat_ms > $2 THEN rate_limit.tat_ms ELSE $2 END) + $3 - $4 <= $2 \
    RETURNING tat_ms";

/// `$1`-style placeholders as each database spells them (SQLite: `?1`).
fn sql(backend: DbBackend, text: &str) -> String {
    match backend {
        DbBackend::Sqlite => text.replace('$', "?"),
        _ => text.to_owned(),
    }
}

impl RateLimits {
    pub fn new(factor: u32) -> Self {
        Self { factor }
    }

    /// Counts one attempt. `Ok(Err(wait))`: over the limit, try again after `wait`.
    pub async fn check(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
        action: Action,
        address: IpAddr,
        account: Option<&str>,
    ) -> Result<Result<(), Duration>, DbErr> {
        if self.factor == 0 {
            return Ok(Ok(()));
        }
        let (per_address, per_account) = action.quotas();
        if let Err(wait) = self.take(db, now, &bucket(action, "address", &address_key(address)), per_address).await? {
            return Ok(Err(wait));
        }
        if let (Some(quota), Some(account)) = (per_account, account) {
            return self.take(db, now, &bucket(action, "account", account), quota).await;
        }
        Ok(Ok(()))
    }

    async fn take(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
        bucket: &str,
        quota: Quota,
    ) -> Result<Result<(), Duration>, DbErr> {
        let backend = db.get_database_backend();
        let period = i64::try_from((quota.every_ms / u64::from(self.factor)).max(1)).unwrap_or(i64::MAX);
        let burst = i64::from(quota.burst.saturating_mul(self.factor).max(1));
        let window = period.saturating_mul(burst);
        let now_ms = now.timestamp_millis();
        let values = [bucket.into(), now_ms.into(), period.into(), window.into()];
        let taken = db.query_one_raw(Statement::from_sql_and_values(backend, sql(backend, TAKE), values)).await?;
        if taken.is_some() {
            return Ok(Ok(()));
        }
        let read = Statement::from_sql_and_values(
            backend,
            sql(backend, "SELECT tat_ms FROM rate_limit WHERE bucket = $1"),
            [bucket.into()],
        );
        let tat: i64 = match db.query_one_raw(read).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => now_ms,
        };
        // The next place frees when the bucket's time falls back within the burst.
        let wait_ms = tat.max(now_ms).saturating_add(period).saturating_sub(window).saturating_sub(now_ms).max(1);
        Ok(Err(Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1))))
    }
}

/// Forgets buckets that are full again (their time has passed): the same as no row. Safe
/// on several servers at once.
pub async fn tidy(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let delete = Statement::from_sql_and_values(
        backend,
        sql(backend, "DELETE FROM rate_limit WHERE tat_ms < $1"),
        [now.timestamp_millis().into()],
    );
    Ok(db.execute_raw(delete).await?.rows_affected())
}

/// The stored name of a bucket: a digest of the action, the kind and the key, so the table
/// holds no address or e-mail.
fn bucket(action: Action, kind: &str, key: &str) -> String {
    let digest = Sha256::new().chain_update(action.code()).chain_update([0]).chain_update(kind).chain_update([0]);
    hex::encode(&digest.chain_update(key).finalize()[..16])
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
    fn buckets_name_no_address_or_account() {
        let b = bucket(Action::Reset, "account", "x@example.com");
        assert_eq!(b.len(), 32);
        assert!(!b.contains('@'));
        assert_ne!(b, bucket(Action::SignIn, "account", "x@example.com"), "each action its own bucket");
        assert_ne!(b, bucket(Action::Reset, "address", "x@example.com"), "each kind its own bucket");
    }

    #[test]
    fn placeholders_as_each_database_spells_them() {
        assert_eq!(sql(DbBackend::Sqlite, "a = $1 AND b = $2"), "a = ?1 AND b = ?2");
        assert_eq!(sql(DbBackend::Postgres, "a = $1"), "a = $1");
    }

    #[test]
    fn ipv6_counts_per_64() {
        assert_eq!(address_key(ip("2001:db8:1:2:aaaa::1")), address_key(ip("2001:db8:1:2:bbbb::2")));
        assert_ne!(address_key(ip("2001:db8:1:2::1")), address_key(ip("2001:db8:1:3::1")));
        assert_eq!(address_key(ip("::ffff:1.2.3.4")), "1.2.3.4");
    }
}
