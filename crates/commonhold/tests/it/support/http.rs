//! A minimal blocking HTTP/1.1 client over `std::net`.
//!
//! The process tests need only a handful of requests and, for the crash tests, control that a
//! full client library hides: writing a request body slowly, byte by byte if need be, and
//! dropping the socket at a chosen moment. Every request uses `Connection: close`, so a
//! response ends at EOF, and every socket has timeouts, so no test can hang on a dead server.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long any single read or write may block.
pub const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// A response, fully read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; a non-JSON body is a test failure with the body in the message.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Opens a connection and sends the request line and headers, announcing `content_length`
/// body bytes; the caller writes the body (or part of it) to the returned stream.
pub fn start_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    content_length: u64,
) -> io::Result<TcpStream> {
    let framing = (content_length > 0 || matches!(method, "POST" | "PUT"))
        .then(|| format!("Content-Length: {content_length}"));
    send_head(addr, method, path, headers, framing)
}

/// Connects (with timeouts) and sends the request line, `headers` and the body's framing
/// header, if any.
fn send_head(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    framing: Option<String>,
) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(f) = framing {
        head.push_str(&f);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    Ok(stream)
}

/// Sends a whole request and reads the whole response.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Reply> {
    let mut stream = start_request(addr, method, path, headers, body.len() as u64)?;
    stream.write_all(body)?;
    stream.flush()?;
    read_reply(stream, method == "HEAD")
}

/// Reads a response from a stream whose request has been sent.
pub fn read_reply(stream: TcpStream, head_only: bool) -> io::Result<Reply> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad status line {line:?}"),
            )
        })?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed inside the headers",
            ));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    if head_only || status == 204 || status == 304 {
        return Ok(reply);
    }
    if reply
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        reply.body = read_chunked(&mut reader)?;
    } else if let Some(len) = reply
        .header("content-length")
        .and_then(|v| v.parse::<u64>().ok())
    {
        reader.take(len).read_to_end(&mut reply.body)?;
        if reply.body.len() as u64 != len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "body shorter than its content-length",
            ));
        }
    } else {
        reader.read_to_end(&mut reply.body)?;
    }
    Ok(reply)
}

fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let size_hex = line.trim().split(';').next().unwrap_or("");
        let size = u64::from_str_radix(size_hex, 16).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad chunk size {line:?}"),
            )
        })?;
        if size == 0 {
            return Ok(body);
        }
        let before = body.len();
        reader.by_ref().take(size).read_to_end(&mut body)?;
        if (body.len() - before) as u64 != size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated chunk",
            ));
        }
        line.clear();
        reader.read_line(&mut line)?;
    }
}

/// The path and query of an absolute URL the server handed out (`http://host:port/path?q`).
pub fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// Sends a request whose body is `len` zero bytes, generated while it is written (never held in
/// memory), framed by `Content-Length` or, with `chunked`, by chunked transfer coding (the
/// server then cannot know the size up front). Reads the response while the body is still
/// being written, as a client does when a server answers early, and stops writing once the
/// server has answered or closed the connection.
pub fn stream_zeros(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    len: u64,
    chunked: bool,
) -> io::Result<Reply> {
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {len}")
    };
    let stream = send_head(addr, method, path, headers, Some(framing))?;
    let mut writer = stream.try_clone()?;
    let sender = std::thread::spawn(move || -> io::Result<()> {
        const PIECE: usize = 64 << 10;
        let zeros = vec![0u8; PIECE];
        let chunk_head = format!("{PIECE:x}\r\n");
        let mut left = len;
        while left > 0 {
            let n = left.min(PIECE as u64) as usize;
            if chunked {
                if n == PIECE {
                    writer.write_all(chunk_head.as_bytes())?;
                } else {
                    writer.write_all(format!("{n:x}\r\n").as_bytes())?;
                }
            }
            writer.write_all(&zeros[..n])?;
            if chunked {
                writer.write_all(b"\r\n")?;
            }
            left -= n as u64;
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n")?;
        }
        writer.flush()
    });
    let reply = read_reply(stream.try_clone()?, false);
    // The answer is in: stop the sender if it is still writing (an early answer).
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    reply
}
