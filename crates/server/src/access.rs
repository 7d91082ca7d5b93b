//! Who may call what, and how often.
//!
//! Keys (`POLICYQA_API_KEYS=ask:KEY,admin:KEY`) carry a role: `ask` may search, ask, chat,
//! read passages (what the widget does) and use the MCP tools at `/mcp`; `admin` may also add and remove documents and read
//! `/metrics`. Requests send `Authorization: Bearer KEY`. Keys are compared in constant time
//! against every configured key, and never logged or echoed. Without keys every route is
//! open, which is why the binary then listens on loopback only.
//!
//! The rate limit (`POLICYQA_RATE_LIMIT`, requests per minute) applies to the `/v1/` routes and `/mcp`,
//! per key when keys are configured and per client IP otherwise: a burst of that many, then
//! refilled evenly over the minute; past it 429 with `Retry-After`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use subtle::ConstantTimeEq;

use crate::{ApiError, AppState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Search, ask, chat, passages, the MCP tools.
    Ask,
    /// Everything, documents and metrics included.
    Admin,
}

#[derive(Clone, Default)]
pub struct Access {
    keys: Vec<(Role, Vec<u8>)>,
}

/// Never shows a key.
impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Access {{ {} key(s) }}", self.keys.len())
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AccessError {
    #[error("POLICYQA_API_KEYS entry {0}: expected role:key with role ask or admin")]
    Entry(usize),
    #[error("POLICYQA_API_KEYS entry {0}: a key needs at least 16 characters")]
    Short(usize),
}

impl Access {
    /// No keys: every route open.
    pub fn open() -> Self {
        Access::default()
    }

    /// `ask:KEY,admin:KEY,...`; entries are named by position in errors, never by key.
    pub fn parse(spec: &str) -> Result<Self, AccessError> {
        let mut keys = Vec::new();
        for (i, entry) in spec.split(',').map(str::trim).filter(|e| !e.is_empty()).enumerate() {
            let (role, key) = entry.split_once(':').ok_or(AccessError::Entry(i + 1))?;
            let role = match role.trim() {
                "ask" => Role::Ask,
                "admin" => Role::Admin,
                _ => return Err(AccessError::Entry(i + 1)),
            };
            let key = key.trim();
            if key.chars().count() < 16 {
                return Err(AccessError::Short(i + 1));
            }
            keys.push((role, key.as_bytes().to_vec()));
        }
        Ok(Access { keys })
    }

    pub fn is_open(&self) -> bool {
        self.keys.is_empty()
    }

    /// The role and index of the key, comparing with every key in constant time (the time
    /// taken says nothing about which key, or how much of one, matched).
    fn identify(&self, presented: &[u8]) -> Option<(usize, Role)> {
        let mut found = None;
        for (i, (role, key)) in self.keys.iter().enumerate() {
            if bool::from(key.as_slice().ct_eq(presented)) {
                found = Some((i, *role));
            }
        }
        found
    }
}

/// What a route needs.
fn required(path: &str) -> Option<Role> {
    if path.starts_with("/v1/documents") || path == "/metrics" {
        Some(Role::Admin)
    } else if path.starts_with("/v1/") || path == "/mcp" || path.starts_with("/mcp/") {
        Some(Role::Ask)
    } else {
        // The demo page, widget.js, health probes, the API description.
        None
    }
}

/// Per key or per client: requests per minute.
pub struct RateLimits {
    limiter: DefaultKeyedRateLimiter<String>,
    per_minute: u32,
}

impl RateLimits {
    pub fn per_minute(n: u32) -> Option<Self> {
        let n = NonZeroU32::new(n)?;
        Some(RateLimits { limiter: RateLimiter::keyed(Quota::per_minute(n)), per_minute: n.get() })
    }

    /// `Err(seconds to wait)` when `who` is over the limit.
    fn check(&self, who: &str) -> Result<(), u64> {
        self.limiter.check_key(&who.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })?;
        // Forget clients that have not been seen for a while, so the table stays small.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        Ok(())
    }
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RateLimits({}/min)", self.per_minute)
    }
}

fn client_ip(req: &Request) -> Option<IpAddr> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn bearer(req: &Request) -> Option<&[u8]> {
    let v = req.headers().get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, rest) = v.split_at(v.iter().position(|b| *b == b' ')?);
    scheme.eq_ignore_ascii_case(b"bearer").then(|| rest.trim_ascii())
}

/// The access check, then the rate limit, before any handler runs.
pub async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(needs) = required(req.uri().path()) else { return next.run(req).await };
    let access = &state.config.access;
    let mut who = client_ip(&req).map_or_else(|| "unknown client".to_string(), |ip| format!("ip {ip}"));
    if !access.is_open() {
        let Some(presented) = bearer(&req) else {
            state.metrics.denied("unauthorized");
            return unauthorized("send Authorization: Bearer <key>");
        };
        let Some((index, role)) = access.identify(presented) else {
            state.metrics.denied("unauthorized");
            return unauthorized("the key is not valid");
        };
        if role < needs {
            state.metrics.denied("forbidden");
            return ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this key may not use this route (it needs the admin role)").into_response();
        }
        who = format!("key {index}");
    }
    if let Some(limits) = &state.rate_limits
        && let Err(wait) = limits.check(&who)
    {
        state.metrics.denied("rate_limited");
        let mut r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("more than {} requests a minute; retry in {wait} s", limits.per_minute)).into_response();
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.max(1)));
        return r;
    }
    next.run(req).await
}

fn unauthorized(message: &str) -> Response {
    let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_by_role_and_errors_never_show_a_key() {
        let a = Access::parse("ask:widget-key-0123456789, admin:admin-key-0123456789").unwrap();
        assert_eq!(a.identify(b"widget-key-0123456789"), Some((0, Role::Ask)));
        assert_eq!(a.identify(b"admin-key-0123456789"), Some((1, Role::Admin)));
        assert_eq!(a.identify(b"widget-key-012345678"), None, "a prefix is not the key");
        assert_eq!(a.identify(b""), None);
        assert_eq!(format!("{a:?}"), "Access { 2 key(s) }");
        assert_eq!(Access::parse("root:secret-secret-secret").unwrap_err(), AccessError::Entry(1));
        assert_eq!(Access::parse("ask:short").unwrap_err(), AccessError::Short(1));
        assert!(!Access::parse("ask:short").unwrap_err().to_string().contains("short"));
        assert!(Access::parse("").unwrap().is_open());
    }

    #[test]
    fn routes_need_the_right_role() {
        assert_eq!(required("/v1/documents/abc"), Some(Role::Admin));
        assert_eq!(required("/metrics"), Some(Role::Admin));
        assert_eq!(required("/v1/ask"), Some(Role::Ask));
        assert_eq!(required("/v1/chat/completions"), Some(Role::Ask));
        assert_eq!(required("/mcp"), Some(Role::Ask), "the MCP tools are what the ask role may do");
        assert_eq!(required("/healthz"), None);
        assert_eq!(required("/widget.js"), None);
        assert_eq!(required("/demo.js"), None);
    }

    #[test]
    fn the_rate_limit_says_when_to_retry() {
        let l = RateLimits::per_minute(2).unwrap();
        assert!(l.check("a").is_ok() && l.check("a").is_ok());
        let wait = l.check("a").unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(l.check("b").is_ok(), "another client has its own budget");
    }
}
