//! Rate limits: a token bucket per access token, and per client address for requests without a
//! valid token, each allowing so many requests a minute with bursts up to that many. A request
//! over the limit gets 429 with `Retry-After` (seconds), which `huggingface_hub` waits out before
//! it retries, and the `RateLimit` headers it reads for its message.
//!
//! Authenticated requests count against their token only, so a whole organisation behind one
//! proxy address is not throttled as one client. Xet CAS requests and signed upload URLs carry
//! no access token and count against the address. IPv6 addresses count by their /64, which one
//! client usually holds whole. The defaults let a `snapshot_download` of a 1,000-file repo (a
//! few thousand requests in seconds) through untouched; the limits are per server process.
//!
//! The buckets live in one map bounded to [`MAX_CLIENTS`] entries: a full bucket is the same as
//! none, so those are swept out when the map fills. If it is still full (that many clients
//! active within a minute), newcomers are served without a bucket rather than refused: the bound
//! protects memory, and refusing everyone new would make the limiter the outage.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use commonhold_hub::{Hub, XET_CAS_PREFIX};

use crate::auth::Caller;
use crate::error::ApiError;

/// Most clients tracked at once.
pub const MAX_CLIENTS: usize = 100_000;
/// How often a full map may be swept (a sweep walks every entry).
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// Who a request counts against.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
enum Client {
    /// An access token, by the first half of its hash.
    Token([u8; 16]),
    V4(u32),
    /// An IPv6 /64.
    V6(u64),
    /// No address known (requests that did not come through a socket, as in tests).
    Unknown,
}

impl Client {
    fn of_address(addr: Option<IpAddr>) -> Client {
        match addr.map(|a| a.to_canonical()) {
            Some(IpAddr::V4(a)) => Client::V4(u32::from(a)),
            Some(IpAddr::V6(a)) => Client::V6((u128::from(a) >> 64) as u64),
            None => Client::Unknown,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Client::Token(_) => "token",
            _ => "address",
        }
    }
}

/// Requests a minute, with bursts of as many.
#[derive(Clone, Copy, Debug)]
struct Rate {
    per_minute: f64,
}

impl Rate {
    /// `None` for 0: no limit.
    fn per_minute(n: u32) -> Option<Rate> {
        (n > 0).then_some(Rate {
            per_minute: f64::from(n),
        })
    }

    fn per_second(self) -> f64 {
        self.per_minute / 60.0
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// The bucket refilled up to `now`.
    fn refilled(self, rate: Rate, now: Instant) -> Bucket {
        let gained = now.saturating_duration_since(self.at).as_secs_f64() * rate.per_second();
        Bucket {
            tokens: (self.tokens + gained).min(rate.per_minute),
            at: now,
        }
    }
}

struct Buckets {
    map: HashMap<Client, Bucket>,
    last_sweep: Option<Instant>,
}

/// The limits of one server process.
pub struct RateLimiter {
    per_token: Option<Rate>,
    per_address: Option<Rate>,
    buckets: Mutex<Buckets>,
}

impl RateLimiter {
    /// Limits in requests per minute; 0 turns one off.
    pub fn new(per_token: u32, per_address: u32) -> RateLimiter {
        RateLimiter {
            per_token: Rate::per_minute(per_token),
            per_address: Rate::per_minute(per_address),
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                last_sweep: None,
            }),
        }
    }

    fn rate(&self, client: Client) -> Option<Rate> {
        match client {
            Client::Token(_) => self.per_token,
            _ => self.per_address,
        }
    }

    /// Takes one request from `client`'s bucket, or says how long until one is there.
    fn take(&self, client: Client, now: Instant) -> Result<(), Duration> {
        let Some(rate) = self.rate(client) else {
            return Ok(());
        };
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if b.map.len() >= MAX_CLIENTS && !b.map.contains_key(&client) {
            if b.last_sweep
                .is_none_or(|t| now.duration_since(t) >= SWEEP_EVERY)
            {
                b.last_sweep = Some(now);
                b.map.retain(|c, bucket| {
                    self.rate(*c)
                        .is_some_and(|r| bucket.refilled(r, now).tokens < r.per_minute)
                });
            }
            if b.map.len() >= MAX_CLIENTS {
                return Ok(());
            }
        }
        let fresh = Bucket {
            tokens: rate.per_minute,
            at: now,
        };
        let bucket = b.map.entry(client).or_insert(fresh);
        *bucket = bucket.refilled(rate, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / rate.per_second(),
            ))
        }
    }

    /// The 429 answer for `client`, to retry after `wait`.
    fn refusal(&self, client: Client, wait: Duration) -> Response {
        let per_minute = self.rate(client).map_or(0.0, |r| r.per_minute);
        let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let kind = client.kind();
        let who = match client {
            Client::Token(_) => "for one token",
            _ => "from one address without a token",
        };
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many requests: this hub allows {per_minute} requests a minute {who}; \
                 retry in {secs} s"
            ),
        )
        .with_header("retry-after", secs.to_string())
        .with_header("ratelimit", format!("\"{kind}\";r=0;t={secs}"))
        .with_header(
            "ratelimit-policy",
            format!("\"{kind}\";q={per_minute};w=60"),
        )
        .into_response()
    }
}

/// What the middleware needs: the hub (to know a token) and the buckets.
#[derive(Clone)]
pub struct Limits {
    pub hub: Hub,
    pub limiter: Arc<RateLimiter>,
}

/// Counts every request against its token or address, answering 429 when over the limit. A
/// token found valid here is handed on, so the handler does not look it up again.
pub async fn limit(State(limits): State<Limits>, mut req: Request, next: Next) -> Response {
    let address = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let mut client = Client::of_address(address);
    // CAS requests carry Xet tokens, not access tokens: no lookup for those.
    if !req.uri().path().starts_with(XET_CAS_PREFIX)
        && let Some(token) = crate::auth::bearer(req.headers().get(header::AUTHORIZATION))
        && let Ok(Some(principal)) = limits.hub.authenticate(token).await
    {
        let hash = commonhold_hub::hash_token(token);
        let mut half = [0u8; 16];
        half.copy_from_slice(&hash[..16]);
        client = Client::Token(half);
        req.extensions_mut().insert(Caller(Some(principal)));
    }
    if let Err(wait) = limits.limiter.take(client, Instant::now()) {
        return limits.limiter.refusal(client, wait);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_burst_refill_and_say_when() {
        let l = RateLimiter::new(60, 0);
        let t0 = Instant::now();
        let me = Client::Token([1; 16]);
        for _ in 0..60 {
            assert!(l.take(me, t0).is_ok());
        }
        let wait = l.take(me, t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Others are not affected; addresses are not limited here.
        assert!(l.take(Client::Token([2; 16]), t0).is_ok());
        for _ in 0..1000 {
            assert!(l.take(Client::V4(1), t0).is_ok());
        }
        // One a second comes back.
        let t1 = t0 + Duration::from_secs(1);
        assert!(l.take(me, t1).is_ok());
        assert!(l.take(me, t1).is_err());
    }

    #[test]
    fn addresses_count_by_v4_address_and_v6_slash_64() {
        let a = |s: &str| Client::of_address(Some(s.parse().unwrap()));
        assert_eq!(a("10.0.0.1"), a("::ffff:10.0.0.1"));
        assert_ne!(a("10.0.0.1"), a("10.0.0.2"));
        assert_eq!(a("2001:db8::1"), a("2001:db8::ffff:1"));
        assert_ne!(a("2001:db8::1"), a("2001:db8:0:1::1"));
    }

    #[test]
    fn the_map_stays_bounded() {
        let l = RateLimiter::new(0, 10);
        let t0 = Instant::now();
        for i in 0..MAX_CLIENTS as u32 {
            assert!(l.take(Client::V4(i), t0).is_ok());
        }
        // Full of active clients: a newcomer is served untracked.
        assert!(l.take(Client::V4(u32::MAX), t0).is_ok());
        assert_eq!(l.buckets.lock().unwrap().map.len(), MAX_CLIENTS);
        // A minute later every bucket is full again, so a sweep makes room.
        let later = t0 + Duration::from_secs(61);
        assert!(l.take(Client::V4(u32::MAX), later).is_ok());
        assert_eq!(l.buckets.lock().unwrap().map.len(), 1);
    }
}
