//! Printer transports by URI: `serial:///dev/ttyUSB0?baud=9600`,
//! `usb:///dev/usb/lp0` (raw device file), `tcp://HOST:9100` (raw),
//! `file:///dir/` (one .zpl per job), `-` (standard output).

use super::status::{self, PrinterStatus};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// An open connection to a printer and what it said to `~HS`.
type Session = (Box<dyn Write>, PrinterStatus);

/// Where a printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterUri {
    Serial { path: PathBuf, baud: u32 },
    Usb { path: PathBuf },
    Tcp { addr: String },
    File { dir: PathBuf },
    Stdout,
}

/// A printer that could not be reached or is not ready.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("bad printer URI {uri:?}: {reason}")]
    Uri { uri: String, reason: String },
    #[error("printer {uri}: {error}")]
    Io { uri: String, error: std::io::Error },
    #[error("printer {uri}: {reason}")]
    Serial { uri: String, reason: String },
    #[error("printer {uri} not ready: no answer to ~HS within {timeout_ms} ms")]
    Silent { uri: String, timeout_ms: u128 },
    #[error("printer {uri} not ready: {problems}")]
    NotReady { uri: String, problems: String },
    #[error("printer {uri}: {0}", uri = .1)]
    Status(status::StatusError, String),
    #[error("printer {uri} has no status channel")]
    NoStatus { uri: String },
}

impl std::fmt::Display for PrinterUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrinterUri::Serial { path, baud } => write!(f, "serial://{}?baud={baud}", path.display()),
            PrinterUri::Usb { path } => write!(f, "usb://{}", path.display()),
            PrinterUri::Tcp { addr } => write!(f, "tcp://{addr}"),
            PrinterUri::File { dir } => write!(f, "file://{}", dir.display()),
            PrinterUri::Stdout => f.write_str("-"),
        }
    }
}

impl std::str::FromStr for PrinterUri {
    type Err = PrintError;

    fn from_str(uri: &str) -> Result<Self, PrintError> {
        let bad = |reason: &str| PrintError::Uri { uri: uri.to_owned(), reason: reason.to_owned() };
        if uri == "-" {
            return Ok(PrinterUri::Stdout);
        }
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| bad("expected SCHEME://…"))?;
        let (target, query) = rest.split_once('?').unwrap_or((rest, ""));
        if target.is_empty() {
            return Err(bad("no device, host or directory"));
        }
        match scheme {
            "serial" => {
                let mut baud = 9600;
                for pair in query.split('&').filter(|p| !p.is_empty()) {
                    match pair.split_once('=') {
                        Some(("baud", v)) => baud = v.parse().map_err(|_| bad("baud must be a number"))?,
                        _ => return Err(bad("the only serial option is baud=N")),
                    }
                }
                Ok(PrinterUri::Serial { path: target.into(), baud })
            }
            "usb" => Ok(PrinterUri::Usb { path: target.into() }),
            "tcp" => {
                let addr = if target.contains(':') { target.to_owned() } else { format!("{target}:9100") };
                Ok(PrinterUri::Tcp { addr })
            }
            "file" => Ok(PrinterUri::File { dir: target.into() }),
            _ => Err(bad("scheme must be serial, usb, tcp or file (or - for stdout)")),
        }
    }
}

impl PrinterUri {
    fn io(&self, source: std::io::Error) -> PrintError {
        PrintError::Io { uri: self.to_string(), error: source }
    }

    /// Sends `zpl` as is. For `file://` the job is written as `NAME.zpl`.
    pub fn send(&self, name: &str, zpl: &[u8], timeout: Duration) -> Result<(), PrintError> {
        match self {
            PrinterUri::Serial { .. } => {
                let mut port = self.open_serial(timeout)?;
                port.write_all(zpl).and_then(|()| port.flush()).map_err(|e| self.io(e))
            }
            PrinterUri::Usb { path } => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(zpl).and_then(|()| f.flush()))
                .map_err(|e| self.io(e)),
            PrinterUri::Tcp { addr } => {
                let mut s = connect(addr, timeout).map_err(|e| self.io(e))?;
                s.write_all(zpl).and_then(|()| s.flush()).map_err(|e| self.io(e))
            }
            PrinterUri::File { dir } => {
                let safe: String =
                    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
                std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
                // Write then rename: a reader never sees half a label.
                let tmp = dir.join(format!(".{safe}.zpl.tmp"));
                std::fs::write(&tmp, zpl)
                    .and_then(|()| std::fs::rename(&tmp, dir.join(format!("{safe}.zpl"))))
                    .map_err(|e| self.io(e))
            }
            PrinterUri::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(zpl).and_then(|()| out.flush()).map_err(|e| self.io(e))
            }
        }
    }

    /// Asks for `~HS` and parses the answer. Silence within `timeout` is
    /// an error ("not ready"), never success.
    pub fn status(&self, timeout: Duration) -> Result<PrinterStatus, PrintError> {
        match self.open_and_ask(timeout)? {
            Some((_, status)) => Ok(status),
            None => Err(PrintError::NoStatus { uri: self.to_string() }),
        }
    }

    /// Opens a connection to a printer with a status channel (serial, TCP)
    /// and asks `~HS`; `None` for printers without one.
    fn open_and_ask(&self, timeout: Duration) -> Result<Option<Session>, PrintError> {
        let (conn, answer): (Box<dyn Write>, Vec<u8>) = match self {
            PrinterUri::Serial { .. } => {
                let mut port = self.open_serial(Duration::from_millis(50))?;
                let answer = ask(&mut *port, timeout).map_err(|e| self.io(e))?;
                (Box::new(port), answer)
            }
            PrinterUri::Tcp { addr } => {
                let mut s = connect(addr, timeout).map_err(|e| self.io(e))?;
                s.set_read_timeout(Some(Duration::from_millis(50))).map_err(|e| self.io(e))?;
                let answer = ask(&mut s, timeout).map_err(|e| self.io(e))?;
                (Box::new(s), answer)
            }
            _ => return Ok(None),
        };
        Ok(Some((conn, self.parse_answer(&answer, timeout)?)))
    }

    /// One print job in one session: where the printer has a status
    /// channel (serial, TCP), ask `~HS` first and refuse a printer that is
    /// not ready or silent; then call `before_send` (the spooler records
    /// the send) and write the label on the same connection.
    pub fn print(
        &self,
        name: &str,
        zpl: &[u8],
        timeout: Duration,
        before_send: &mut dyn FnMut() -> Result<(), PrintError>,
    ) -> Result<Option<PrinterStatus>, PrintError> {
        let Some((mut conn, status)) = self.open_and_ask(timeout)? else {
            before_send()?;
            self.send(name, zpl, timeout)?;
            return Ok(None);
        };
        if !status.ready() {
            return Err(PrintError::NotReady { uri: self.to_string(), problems: status.problems().join(", ") });
        }
        before_send()?;
        conn.write_all(zpl).and_then(|()| conn.flush()).map_err(|e| self.io(e))?;
        Ok(Some(status))
    }

    fn parse_answer(&self, answer: &[u8], timeout: Duration) -> Result<PrinterStatus, PrintError> {
        if status::frames(answer).is_empty() {
            return Err(PrintError::Silent { uri: self.to_string(), timeout_ms: timeout.as_millis() });
        }
        status::parse(answer).map_err(|e| PrintError::Status(e, self.to_string()))
    }

    fn open_serial(&self, timeout: Duration) -> Result<Box<dyn serialport::SerialPort>, PrintError> {
        let PrinterUri::Serial { path, baud } = self else {
            return Err(PrintError::NoStatus { uri: self.to_string() });
        };
        serialport::new(path.to_string_lossy(), *baud)
            .timeout(timeout)
            .open()
            .map_err(|e| PrintError::Serial { uri: self.to_string(), reason: e.to_string() })
    }
}

fn connect(addr: &str, timeout: Duration) -> std::io::Result<std::net::TcpStream> {
    use std::net::ToSocketAddrs;
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match std::net::TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => {
                s.set_write_timeout(Some(timeout))?;
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address")))
}

/// Sends `~HS` and reads the answer (possibly empty: silence).
fn ask<C: Read + Write + ?Sized>(conn: &mut C, timeout: Duration) -> std::io::Result<Vec<u8>> {
    conn.write_all(b"~HS")?;
    conn.flush()?;
    Ok(read_answer(conn, timeout))
}

/// Reads until three status strings arrived or `timeout` passed.
fn read_answer<R: Read + ?Sized>(r: &mut R, timeout: Duration) -> Vec<u8> {
    let deadline = Instant::now() + timeout;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    while Instant::now() < deadline && status::frames(&buf).len() < 3 {
        match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) => {}
            Err(_) => break,
        }
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let p = |s: &str| s.parse::<PrinterUri>();
        assert_eq!(
            p("serial:///dev/ttyUSB0?baud=19200").ok(),
            Some(PrinterUri::Serial { path: "/dev/ttyUSB0".into(), baud: 19200 })
        );
        assert_eq!(p("serial:///dev/ttyS1").ok(), Some(PrinterUri::Serial { path: "/dev/ttyS1".into(), baud: 9600 }));
        assert_eq!(p("usb:///dev/usb/lp0").ok(), Some(PrinterUri::Usb { path: "/dev/usb/lp0".into() }));
        assert_eq!(p("tcp://10.0.0.5").ok(), Some(PrinterUri::Tcp { addr: "10.0.0.5:9100".into() }));
        assert_eq!(p("file:///tmp/labels/").ok(), Some(PrinterUri::File { dir: "/tmp/labels/".into() }));
        assert_eq!(p("-").ok(), Some(PrinterUri::Stdout));
        for bad in ["lp0", "serial://", "serial:///dev/x?baud=fast", "ftp://x", "serial:///dev/x?parity=odd"] {
            assert!(p(bad).is_err(), "{bad}");
        }
        assert_eq!(p("tcp://h:9101").map(|u| u.to_string()).ok().as_deref(), Some("tcp://h:9101"));
    }
}
