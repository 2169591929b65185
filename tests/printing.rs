//! Printers for real: a serial line through a socat pty pair with a fake
//! printer on the far end, raw TCP 9100 against a loopback listener, and the
//! spooler's print-once rules.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tote::labels::{self, samples::sample};
use tote::printing::spooler::{SpoolError, Spooler};
use tote::printing::status::{PrinterStatus, answer};
use tote::printing::{PrintError, PrinterUri};
use tote::storage::print_jobs::JobStatus;

/// A socat pty pair: the host side `a`, the printer side `b`.
struct PtyPair {
    child: Child,
    a: PathBuf,
    b: PathBuf,
    _dir: tempfile::TempDir,
}

impl PtyPair {
    fn new() -> Option<PtyPair> {
        if Command::new("socat").arg("-V").output().is_err() {
            // Nothing passes by skipping: tools/test.sh installs socat.
            panic!("socat is missing (apt install socat, or run tools/test.sh)");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("host"), dir.path().join("printer"));
        let child = Command::new("socat")
            .arg(format!("pty,raw,echo=0,ignoreeof,link={}", a.display()))
            .arg(format!("pty,raw,echo=0,link={}", b.display()))
            .stderr(Stdio::null())
            .spawn()
            .expect("socat");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !(a.exists() && b.exists()) {
            assert!(Instant::now() < deadline, "socat made no ptys");
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(PtyPair { child, a, b, _dir: dir })
    }
}

impl Drop for PtyPair {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads from the printer side until `^XZ` or `~HS` arrives or time runs out.
/// A serial line reads as ended while the host has it closed between jobs,
/// so only a TCP connection stops at end of file.
fn read_until_end(port: &mut dyn Read, deadline: Instant, stop_at_eof: bool) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    while Instant::now() < deadline {
        match port.read(&mut chunk) {
            Ok(0) if stop_at_eof => break,
            Ok(0) => std::thread::sleep(Duration::from_millis(10)),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if buf.ends_with(b"^XZ\n") || buf.ends_with(b"^XZ") || buf.ends_with(b"~HS") {
                    break;
                }
            }
            Err(_) => {}
        }
    }
    buf
}

fn open_printer_side(path: &Path) -> Box<dyn serialport::SerialPort> {
    serialport::new(path.to_string_lossy(), 9600).timeout(Duration::from_millis(50)).open().expect("open printer side")
}

#[test]
fn serial_checks_status_then_sends_byte_for_byte() {
    let Some(pty) = PtyPair::new() else { return };
    let uri: PrinterUri = format!("serial://{}?baud=9600", pty.a.display()).parse().expect("uri");
    let zpl = labels::render("shipping", &sample("shipping")).expect("label");
    let b = pty.b.clone();
    let printer = std::thread::spawn(move || {
        let mut port = open_printer_side(&b);
        let query = read_until_end(&mut port, Instant::now() + Duration::from_secs(5), false);
        let status = PrinterStatus { labels_remaining: 17, ..Default::default() };
        port.write_all(&answer(&status)).expect("answer");
        let label = read_until_end(&mut port, Instant::now() + Duration::from_secs(5), false);
        (query, label)
    });
    std::thread::sleep(Duration::from_millis(100));
    let mut sends = 0;
    let status = uri
        .print("job-1", zpl.as_bytes(), Duration::from_secs(2), &mut || {
            sends += 1;
            Ok(())
        })
        .expect("print");
    let (query, label) = printer.join().expect("printer thread");
    assert_eq!(query, b"~HS");
    assert_eq!(label, zpl.as_bytes(), "the printer got exactly the label");
    assert_eq!((status.map(|s| s.labels_remaining), sends), (Some(17), 1));
}

#[test]
fn a_serial_printer_with_its_head_up_gets_nothing() {
    let Some(pty) = PtyPair::new() else { return };
    let uri: PrinterUri = format!("serial://{}", pty.a.display()).parse().expect("uri");
    let b = pty.b.clone();
    let printer = std::thread::spawn(move || {
        let mut port = open_printer_side(&b);
        let _query = read_until_end(&mut port, Instant::now() + Duration::from_secs(5), false);
        port.write_all(&answer(&PrinterStatus { head_up: true, ..Default::default() })).expect("answer");
        read_until_end(&mut port, Instant::now() + Duration::from_millis(500), false)
    });
    std::thread::sleep(Duration::from_millis(100));
    let err = uri.print("job", b"^XA^XZ", Duration::from_secs(2), &mut || Ok(())).expect_err("head up");
    assert!(err.to_string().contains("head up"), "{err}");
    assert!(printer.join().expect("printer").is_empty(), "nothing was sent");
}

#[test]
fn a_silent_serial_printer_is_not_ready() {
    let Some(pty) = PtyPair::new() else { return };
    let _far = open_printer_side(&pty.b); // open, never answers
    let uri: PrinterUri = format!("serial://{}", pty.a.display()).parse().expect("uri");
    let err = uri.status(Duration::from_millis(300)).expect_err("silence is not success");
    assert!(matches!(err, PrintError::Silent { .. }), "{err}");
    assert!(err.to_string().contains("not ready"));
}

/// A raw TCP printer on loopback: answers `~HS` with the current status and
/// keeps every label it receives.
struct FakeTcpPrinter {
    addr: String,
    status: Arc<Mutex<PrinterStatus>>,
    labels: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl FakeTcpPrinter {
    fn start() -> FakeTcpPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let status = Arc::new(Mutex::new(PrinterStatus::default()));
        let labels = Arc::new(Mutex::new(Vec::new()));
        let (s, l) = (status.clone(), labels.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { break };
                let _ = conn.set_read_timeout(Some(Duration::from_millis(100)));
                let mut got = read_until_end(&mut conn, Instant::now() + Duration::from_secs(2), true);
                if got == b"~HS" {
                    let st = *s.lock().expect("lock");
                    let _ = conn.write_all(&answer(&st));
                    got = read_until_end(&mut conn, Instant::now() + Duration::from_secs(2), true);
                }
                if !got.is_empty() {
                    l.lock().expect("lock").push(got);
                }
            }
        });
        FakeTcpPrinter { addr, status, labels }
    }

    fn uri(&self) -> PrinterUri {
        format!("tcp://{}", self.addr).parse().expect("uri")
    }

    fn printed(&self) -> Vec<Vec<u8>> {
        // The printer thread files a label once the connection closes.
        std::thread::sleep(Duration::from_millis(150));
        self.labels.lock().expect("lock").clone()
    }
}

#[test]
fn tcp_9100_sends_byte_for_byte() {
    let p = FakeTcpPrinter::start();
    let zpl = labels::render("location", &sample("location")).expect("label");
    p.uri().send("job", zpl.as_bytes(), Duration::from_secs(2)).expect("send");
    assert_eq!(p.printed(), vec![zpl.into_bytes()]);
    let st = p.uri().status(Duration::from_secs(2)).expect("status");
    assert!(st.ready());
}

#[test]
fn the_spooler_prints_once_and_reprints_once() {
    let f = common::Fixture::new();
    let printer = FakeTcpPrinter::start();
    let spool = Spooler::new(
        Arc::new(tote::storage::Store::open(&f.dir.path().join("tote.db")).expect("store")),
        Arc::new(tote::app::FixedClock::new(common::t0())),
    );
    let zpl = labels::render("shipping", &sample("shipping")).expect("label");
    let uri = printer.uri();

    // A double key press: one job.
    let (first, created) = spool.enqueue("package:7:1", 1, &uri, zpl.as_bytes()).expect("enqueue");
    let (again, created_again) = spool.enqueue("package:7:1", 1, &uri, zpl.as_bytes()).expect("enqueue");
    assert_eq!((first, created, created_again), (again, true, false));

    // Paper out: the job fails without sending anything.
    printer.status.lock().expect("lock").paper_out = true;
    let run = spool.run_once().expect("run");
    assert!(matches!(run[..], [(id, Err(PrintError::NotReady { .. }))] if id == first), "{run:?}");
    assert!(printer.printed().is_empty());
    assert_eq!(spool.job(first).expect("job").map(|j| j.status), Some(JobStatus::Failed));

    // Paper back: the retry prints it, once.
    printer.status.lock().expect("lock").paper_out = false;
    let run = spool.run_once().expect("run");
    assert!(matches!(run[..], [(id, Ok(()))] if id == first), "{run:?}");
    assert_eq!(printer.printed().len(), 1);
    assert!(spool.run_once().expect("run").is_empty(), "nothing left to print");
    // Enqueueing the same label again (a retried request) prints nothing new.
    spool.enqueue("package:7:1", 1, &uri, zpl.as_bytes()).expect("enqueue");
    assert!(spool.run_once().expect("run").is_empty());
    assert_eq!(printer.printed().len(), 1);

    // An explicit reprint (the packer scanned the box) prints once more.
    let copy = spool.reprint("package:7:1", "box scanned at the dock", None).expect("reprint");
    assert_ne!(copy, first);
    spool.run_once().expect("run");
    let printed = printer.printed();
    assert_eq!(printed.len(), 2);
    assert_eq!(printed[1], zpl.as_bytes());
    let job = spool.job(copy).expect("job").expect("exists");
    assert_eq!((job.copy, job.reason.as_deref(), job.status), (1, Some("box scanned at the dock"), JobStatus::Printed));
    assert!(matches!(spool.reprint("package:404:1", "x", None), Err(SpoolError::NeverPrinted(_))));
}

#[test]
fn file_printer_writes_one_file_per_job() {
    let dir = tempfile::tempdir().expect("tempdir");
    let uri: PrinterUri = format!("file://{}", dir.path().display()).parse().expect("uri");
    uri.send("job-1", b"^XA^XZ", Duration::from_secs(1)).expect("send");
    uri.send("job/2", b"^XA^FDx^FS^XZ", Duration::from_secs(1)).expect("send");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["job-1.zpl", "job_2.zpl"]);
    assert!(matches!(uri.status(Duration::from_millis(10)), Err(PrintError::NoStatus { .. })));
}
