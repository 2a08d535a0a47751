//! Request bodies: read only after the caller has been checked, and never past a bound.
//!
//! Handlers take the body as a raw [`Body`] (last among their extractors, so nothing reads it
//! while routing and authentication run) and call [`read`] once the token, or the URL's
//! signature, and the caller's access have been checked. A refused request is answered without
//! reading a byte of its body. A body that declares (`Content-Length`) or turns out to be larger
//! than the route's bound is refused with 413 as soon as that is known, so no request holds more
//! than its route's bound in memory.

use axum::body::{Body, Bytes, HttpBody};
use axum::http::StatusCode;
use bytes::BytesMut;
use futures::StreamExt;
use serde::Deserialize;

use crate::ApiResult;
use crate::error::ApiError;

/// Bound of the small JSON bodies of the API (repo, branch, discussion and settings calls).
pub const JSON_LIMIT: usize = 1 << 20;

/// The 413 for a body over `limit` bytes.
pub fn too_large(limit: usize, what: &str) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {limit} bytes, the most {what} accepts"),
    )
}

/// Reads a whole body of at most `limit` bytes; `what` names the request in the 413.
pub async fn read(body: Body, limit: usize, what: &str) -> ApiResult<Bytes> {
    if declared_len(&body) > limit as u64 {
        return Err(too_large(limit, what));
    }
    let mut frames = body.into_data_stream();
    let mut out = BytesMut::new();
    while let Some(frame) = frames.next().await {
        let frame = frame.map_err(|_| interrupted())?;
        if out.len() + frame.len() > limit {
            return Err(too_large(limit, what));
        }
        out.extend_from_slice(&frame);
    }
    Ok(out.freeze())
}

/// The length the body declares (`Content-Length`), or 0 when unknown (chunked).
pub fn declared_len(body: &Body) -> u64 {
    HttpBody::size_hint(body).lower()
}

pub fn interrupted() -> ApiError {
    ApiError::bad_request("the request body was cut short; send the request again")
}

/// Reads an optional JSON body of at most [`JSON_LIMIT`] bytes: clients send none, `{}` or
/// `null` interchangeably when they have nothing to say.
pub async fn json<T: for<'de> Deserialize<'de> + Default>(body: Body) -> ApiResult<T> {
    let bytes = read(body, JSON_LIMIT, "this call").await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    match serde_json::from_slice::<Option<T>>(&bytes) {
        Ok(v) => Ok(v.unwrap_or_default()),
        Err(e) => Err(ApiError::bad_request(format!("invalid JSON body: {e}"))),
    }
}

/// The lines of a newline-delimited body (NDJSON), read as they arrive: at most `max_line`
/// bytes per line and `limit` bytes in all, so memory holds one line, not the body.
pub struct Lines {
    frames: axum::body::BodyDataStream,
    buf: BytesMut,
    /// Bytes of `buf` already searched for a newline.
    scanned: usize,
    max_line: usize,
    limit: u64,
    read: u64,
    /// `Content-Length`: a body that announces more than the bound is refused before a byte
    /// is read.
    declared: u64,
    ended: bool,
    /// Number of the last line returned (1-based).
    pub number: usize,
}

/// Why a body was refused while its lines were read.
pub enum LinesError {
    /// One line is longer than the bound.
    LineTooLong {
        line: usize,
        max: usize,
    },
    /// The whole body is over the bound.
    TooLarge {
        limit: u64,
    },
    Interrupted,
}

impl Lines {
    pub fn new(body: Body, max_line: usize, limit: u64) -> Lines {
        Lines {
            declared: declared_len(&body),
            frames: body.into_data_stream(),
            buf: BytesMut::new(),
            scanned: 0,
            max_line,
            limit,
            read: 0,
            ended: false,
            number: 0,
        }
    }

    /// The next line without its `\n`, or `None` at the end of the body.
    pub async fn next_line(&mut self) -> Result<Option<Bytes>, LinesError> {
        if self.declared > self.limit {
            return Err(LinesError::TooLarge { limit: self.limit });
        }
        loop {
            if let Some(i) = self.buf[self.scanned..].iter().position(|b| *b == b'\n') {
                let mut line = self.buf.split_to(self.scanned + i + 1);
                line.truncate(line.len() - 1);
                self.scanned = 0;
                return self.numbered(line);
            }
            self.scanned = self.buf.len();
            if self.buf.len() > self.max_line {
                return Err(LinesError::LineTooLong {
                    line: self.number + 1,
                    max: self.max_line,
                });
            }
            if self.ended {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let line = self.buf.split();
                self.scanned = 0;
                return self.numbered(line);
            }
            match self.frames.next().await {
                None => self.ended = true,
                Some(Err(_)) => return Err(LinesError::Interrupted),
                Some(Ok(frame)) => {
                    self.read += frame.len() as u64;
                    if self.read > self.limit {
                        return Err(LinesError::TooLarge { limit: self.limit });
                    }
                    self.buf.extend_from_slice(&frame);
                }
            }
        }
    }

    fn numbered(&mut self, line: BytesMut) -> Result<Option<Bytes>, LinesError> {
        self.number += 1;
        if line.len() > self.max_line {
            return Err(LinesError::LineTooLong {
                line: self.number,
                max: self.max_line,
            });
        }
        Ok(Some(line.freeze()))
    }
}
