//! Errors below the router in JSON too. When hyper cannot read a request
//! (a malformed request line or header, headers past its buffer), it
//! answers by itself with a bare status (`400`, `431`, `414`, …) and an
//! empty body before any handler runs. Every error this server gives is a
//! JSON `ErrorBody`, so the connection's writes are watched: a 4xx or 5xx
//! response head with `content-length: 0` can only be hyper's own (every
//! handler's error has a body), and it is rewritten with the error body
//! (code E400). Anything else passes through untouched.

use super::error::ErrorBody;
use crate::domain::error::Code;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose bare error answers get a JSON body.
pub struct JsonErrors<S> {
    inner: S,
    /// A rewritten head being written: the bytes, how many went, and the
    /// length of the original write to report once all went.
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<S> JsonErrors<S> {
    pub fn new(inner: S) -> Self {
        JsonErrors { inner, pending: None }
    }
}

/// The JSON answer for a bare error head, or `None` when `buf` is anything
/// else (a handler's response, a body, a partial head).
fn rewrite(buf: &[u8]) -> Option<Vec<u8>> {
    let head = std::str::from_utf8(buf).ok()?;
    let rest = head.strip_prefix("HTTP/1.1 ")?;
    let status: u16 = rest.get(..3)?.parse().ok()?;
    let bare = head.ends_with("\r\n\r\n")
        && head.to_ascii_lowercase().contains("\r\ncontent-length: 0\r\n")
        && !head.to_ascii_lowercase().contains("\r\ncontent-type:");
    if !(400..600).contains(&status) || !bare {
        return None;
    }
    let reason = rest.get(4..).and_then(|r| r.split("\r\n").next()).unwrap_or("").trim();
    let code = Code::E400;
    let body = ErrorBody {
        code: code.as_str().into(),
        kind: code.kind(),
        message: format!("the request could not be read: {status} {reason}"),
        field: None,
        short: code.short(),
        request_id: None,
    };
    let json = serde_json::to_string(&body).ok()?;
    let len = format!("content-type: application/json\r\ncontent-length: {}\r\n", json.len());
    let lower = head.to_ascii_lowercase();
    let at = lower.find("\r\ncontent-length: 0\r\n")? + 2;
    let mut out = String::with_capacity(head.len() + len.len() + json.len());
    out.push_str(&head[..at]);
    out.push_str(&len);
    out.push_str(&head[at + "content-length: 0\r\n".len()..]);
    out.push_str(&json);
    Some(out.into_bytes())
}

impl<S: AsyncWrite + Unpin> JsonErrors<S> {
    /// Writes what is pending; `Ready(Some(n))` once all of it went, with
    /// the length the caller asked to write.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<usize>>> {
        while let Some((bytes, done, asked)) = &mut self.pending {
            if *done == bytes.len() {
                let asked = *asked;
                self.pending = None;
                return Poll::Ready(Ok(Some(asked)));
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*done..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *done += n;
        }
        Poll::Ready(Ok(None))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonErrors<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonErrors<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.pending.is_none() {
            match rewrite(buf) {
                Some(bytes) => self.pending = Some((bytes, 0, buf.len())),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        match ready!(self.drain(cx))? {
            Some(asked) => Poll::Ready(Ok(asked)),
            // Nothing was pending after all: write through.
            None => Pin::new(&mut self.inner).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // One buffer per write, so that a head is seen whole (hyper flattens
    // its writes when the transport does not take vectors).
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_error_head_gets_the_json_body_and_the_rest_passes() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(rewrite(bare).expect("rewritten")).expect("utf-8");
        let (head, body) = out.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 431 ") && head.contains("content-type: application/json"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())) && head.contains("date: x"), "{head}");
        let e: ErrorBody = serde_json::from_str(body).expect("an error body");
        assert_eq!((e.code.as_str(), e.kind), ("E400", crate::domain::error::ErrorKind::Validation));
        // A handler's answers, a 204 and a body are not touched.
        let json = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n";
        assert_eq!(rewrite(json), None);
        assert_eq!(rewrite(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"), None);
        assert_eq!(rewrite(b"{\"code\":\"E001\"}"), None);
    }
}
