//! Byte ranges (RFC 9110 §14): the one parser of `Range` for every route that serves part of a
//! file (`resolve` of regular, LFS and Xet files; the Xet reconstruction and fetch routes).
//!
//! Parsing and selecting never overflow: positions with more digits than a `u64` holds saturate,
//! which keeps every answer right (a first position that large is past any file, so the range is
//! unsatisfiable; a last position that large is clamped to the file's end; a suffix that long
//! means the whole file), and every end is computed as `min(last, size - 1) + 1`.
//!
//! Only a single range is served. A header with several ranges, another unit, or a syntax error
//! is ignored and the whole file is sent with 200, which RFC 9110 allows; so is a range under an
//! `If-Range` that does not name the current representation.

use axum::http::{HeaderMap, header};

/// A non-empty byte range `start..end` (end exclusive) inside a representation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

impl Span {
    /// `first..=last`, if `first <= last`.
    pub fn inclusive(first: u64, last: u64) -> Option<Span> {
        if first > last {
            return None;
        }
        Some(Span {
            start: first,
            end: last.checked_add(1)?,
        })
    }

    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The last byte's position (`end` is never 0 for a span built here).
    pub fn last(&self) -> u64 {
        self.end - 1
    }

    /// The `Content-Range` value of this span of a `size`-byte representation.
    pub fn content_range(&self, size: u64) -> String {
        format!("bytes {}-{}/{size}", self.start, self.last())
    }
}

/// The single range a `Range` header asks for, before the size is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeSpec {
    /// `first-last`, both inclusive, `first <= last`.
    FromTo(u64, u64),
    /// `first-`: to the end.
    From(u64),
    /// `-n`: the last `n` bytes.
    Suffix(u64),
}

/// What to send for a request against a representation of some size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// The whole representation, 200.
    Full,
    /// One range, 206 with `Content-Range`.
    Partial(Span),
    /// 416 with `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// The digits of a position with leading zeros dropped (`""` for zero), or `None` when `s` is
/// not `1*DIGIT`. Comparing (length, digits) orders positions of any length exactly.
fn digits(s: &str) -> Option<&str> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.trim_start_matches('0'))
}

/// The value of normalised digits, saturating at `u64::MAX`.
fn value(d: &str) -> u64 {
    d.parse().unwrap_or(if d.is_empty() { 0 } else { u64::MAX })
}

/// Parses a `Range` header value. `None` when it is not one byte range in valid syntax: the
/// caller then serves the whole representation.
pub fn parse(header_value: &str) -> Option<RangeSpec> {
    let (unit, set) = header_value.trim().split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") || set.contains(',') {
        return None;
    }
    let (first, last) = set.trim().split_once('-')?;
    if first.is_empty() {
        return Some(RangeSpec::Suffix(value(digits(last)?)));
    }
    let first = digits(first)?;
    if last.is_empty() {
        return Some(RangeSpec::From(value(first)));
    }
    let last = digits(last)?;
    // A last position before the first makes the whole header invalid (RFC 9110 §14.1.1).
    if (last.len(), last) < (first.len(), first) {
        return None;
    }
    Some(RangeSpec::FromTo(value(first), value(last)))
}

impl RangeSpec {
    /// The bytes to send of a `size`-byte representation.
    pub fn select(self, size: u64) -> Selection {
        let to_end = |first: u64, last: u64| {
            if first >= size {
                Selection::Unsatisfiable
            } else {
                // size >= 1 here, and min(last, size - 1) + 1 <= size: no overflow.
                Selection::Partial(Span {
                    start: first,
                    end: last.min(size - 1) + 1,
                })
            }
        };
        match self {
            RangeSpec::FromTo(first, last) => to_end(first, last),
            RangeSpec::From(first) => to_end(first, u64::MAX),
            RangeSpec::Suffix(0) => Selection::Unsatisfiable,
            // An empty file has no last bytes to name: send it whole (and empty).
            RangeSpec::Suffix(_) if size == 0 => Selection::Full,
            RangeSpec::Suffix(n) => Selection::Partial(Span {
                start: size - n.min(size),
                end: size,
            }),
        }
    }
}

/// What to send of a `size`-byte representation whose strong entity tag is `etag` (without
/// quotes), given the request's `Range` and `If-Range`.
pub fn select(headers: &HeaderMap, size: u64, etag: &str) -> Selection {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse)
    else {
        return Selection::Full;
    };
    // `If-Range` sends the range only while the client's copy is current: a strong match of our
    // entity tag. A date cannot match (we send no Last-Modified), so it gets the whole file.
    if let Some(tag) = headers.get(header::IF_RANGE) {
        let current = tag
            .to_str()
            .ok()
            .and_then(|t| t.trim().strip_prefix('"')?.strip_suffix('"'))
            .is_some_and(|t| t == etag);
        if !current {
            return Selection::Full;
        }
    }
    spec.select(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(h: &str, size: u64) -> Selection {
        parse(h).map_or(Selection::Full, |s| s.select(size))
    }

    fn part(start: u64, end: u64) -> Selection {
        Selection::Partial(Span { start, end })
    }

    #[test]
    fn single_ranges_of_every_form() {
        assert_eq!(sel("bytes=0-0", 10), part(0, 1));
        assert_eq!(sel("bytes=2-", 10), part(2, 10));
        assert_eq!(sel("bytes=2-100", 10), part(2, 10));
        assert_eq!(sel("bytes=9-9", 10), part(9, 10));
        assert_eq!(sel("bytes=-3", 10), part(7, 10));
        assert_eq!(sel("bytes=-30", 10), part(0, 10));
        assert_eq!(sel("Bytes = 00002-0005 ", 10), part(2, 6));
    }

    #[test]
    fn huge_positions_clamp_or_are_unsatisfiable_and_never_wrap() {
        let max = u64::MAX;
        assert_eq!(sel(&format!("bytes=0-{max}"), 10), part(0, 10));
        assert_eq!(sel(&format!("bytes=0-{max}"), max), part(0, max));
        assert_eq!(sel(&format!("bytes={}-", max - 1), max), part(max - 1, max));
        assert_eq!(sel("bytes=0-99999999999999999999999", 10), part(0, 10));
        assert_eq!(sel(&format!("bytes=-{max}"), 10), part(0, 10));
        assert_eq!(sel("bytes=-99999999999999999999999", 10), part(0, 10));
        assert_eq!(
            sel(&format!("bytes={max}-{max}"), 10),
            Selection::Unsatisfiable
        );
        assert_eq!(
            sel("bytes=99999999999999999999999-", 10),
            Selection::Unsatisfiable
        );
        // Both beyond u64, the last before the first: invalid, hence ignored.
        assert_eq!(
            sel("bytes=99999999999999999999999-99999999999999999999998", 10),
            Selection::Full
        );
    }

    #[test]
    fn unsatisfiable_ranges() {
        assert_eq!(sel("bytes=10-", 10), Selection::Unsatisfiable);
        assert_eq!(sel("bytes=10-20", 10), Selection::Unsatisfiable);
        assert_eq!(sel("bytes=0-", 0), Selection::Unsatisfiable);
        assert_eq!(sel("bytes=-0", 10), Selection::Unsatisfiable);
        assert_eq!(sel("bytes=-5", 0), Selection::Full);
    }

    #[test]
    fn what_is_not_one_valid_byte_range_is_ignored() {
        for h in [
            "bytes=5-2",
            "bytes=0-1,4-5",
            "bytes=0-1,",
            "items=0-1",
            "bytes=",
            "bytes=-",
            "bytes=a-1",
            "bytes=+1-2",
            "bytes=1-+2",
            "bytes=1 -2",
            "bytes=--1",
            "bytes 0-1",
            "",
        ] {
            assert_eq!(sel(h, 10), Selection::Full, "{h:?}");
        }
    }

    #[test]
    fn if_range_must_name_the_current_etag() {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, "bytes=1-2".parse().unwrap());
        assert_eq!(select(&h, 10, "abc"), part(1, 3));
        h.insert(header::IF_RANGE, "\"abc\"".parse().unwrap());
        assert_eq!(select(&h, 10, "abc"), part(1, 3));
        for stale in [
            "\"abd\"",
            "W/\"abc\"",
            "Tue, 15 Nov 1994 08:12:31 GMT",
            "abc",
        ] {
            h.insert(header::IF_RANGE, stale.parse().unwrap());
            assert_eq!(select(&h, 10, "abc"), Selection::Full, "{stale}");
        }
    }

    #[test]
    fn spans_and_content_ranges() {
        let s = Span::inclusive(2, 5).unwrap();
        assert_eq!((s.len(), s.last()), (4, 5));
        assert_eq!(s.content_range(10), "bytes 2-5/10");
        assert_eq!(Span::inclusive(5, 2), None);
        assert_eq!(Span::inclusive(0, u64::MAX), None);
        assert_eq!(Span::inclusive(3, 3).map(|s| s.len()), Some(1));
    }
}
