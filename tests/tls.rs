//! TLS end to end (issue 17), with certificates `tote cert` makes:
//! `tote serve` (a child process, its config naming tls_cert and tls_key)
//! speaks HTTPS; `tote pick --ca` in tmux logs in and shows its task over
//! it, and `tote board --ca` goes live on its event stream; the floor client trusting the site CA logs in, and one trusting
//! another site's CA is refused with an error that names the certificate;
//! and the relay delivers a signed webhook to an HTTPS receiver whose
//! certificate only the configured `trust_ca` vouches for.

mod common;

use common::process::{KillOnDrop, serve_with, tote};
use common::tmux::{Tmux, assets, floor_db, pick_command};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tote::tui::client::Client;
use tote::tui::{Call, Reply};

/// A site CA and a server certificate for 127.0.0.1 in `dir/name`.
fn site(dir: &Path, name: &str) -> PathBuf {
    let certs = dir.join(name);
    let db = dir.join("unused.db");
    tote(&db, &["cert", "--dir", certs.to_str().expect("utf-8"), "--name", "127.0.0.1", "--name", "localhost"]);
    certs
}

fn config(dir: &Path, certs: &Path, extra: &str) -> PathBuf {
    let path = dir.join("tote.toml");
    let text = format!(
        "[server]\ntls_cert = \"{}\"\ntls_key = \"{}\"\n{extra}",
        certs.join("server.pem").display(),
        certs.join("server.key").display()
    );
    std::fs::write(&path, text).expect("config");
    path
}

async fn login(base: &str) -> Result<(), String> {
    let client = Client::new(base, "HH-TLS", Duration::from_secs(5)).expect("client");
    match client.run(&Call::Login { badge: "P-001".into(), pin: "4711".into() }, None).await {
        Reply::Session(Ok(_)) => Ok(()),
        Reply::Session(Err(f)) => Err(f.message),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_reaches_tote_serve_over_https_and_a_wrong_ca_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = floor_db(dir.path(), true);
    tote(&db, &["order", "submit", &assets("sample-order.json")]);
    let certs = site(dir.path(), "site");
    let other = site(dir.path(), "other");
    let cfg = config(dir.path(), &certs, "");
    let (server, base, _log) = serve_with(&db, &["--config", cfg.to_str().expect("utf-8")]);
    let _server = KillOnDrop(server);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");

    // Another site's CA: refused, and the message says why.
    tote::tls::trust(&other.join("ca.pem")).expect("trust");
    let refused = login(&base).await.expect_err("a certificate no trusted CA signed");
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");
    // The site's own CA: in.
    tote::tls::trust(&certs.join("ca.pem")).expect("trust");
    login(&base).await.expect("login over https");
    // Plain HTTP to the HTTPS port gets nothing.
    let plain = reqwest::get(base.replace("https://", "http://") + "/health/ready").await;
    assert!(plain.is_err() || plain.is_ok_and(|r| !r.status().is_success()));

    // `tote pick --ca` on a real terminal: login, then the first task.
    let pick = pick_command(&base, "HH-TLS", dir.path(), &format!("--ca {}", certs.join("ca.pem").display()));
    let tmux = Tmux::start("tls", &pick);
    tmux.log_in(b"P-001\r", "4711");
    let s = tmux.wait_for("A-01-01");
    assert!(!s.contains("OFF"), "online over https:\n{s}");

    // `tote board --ca`: logged in, live on the event stream over https.
    let board = format!(
        "exec {} board --server {base} --ca {} --badge S-001 --pin 4711 --refresh-seconds 60",
        env!("CARGO_BIN_EXE_tote"),
        certs.join("ca.pem").display(),
    );
    let board = Tmux::start_sized("tls-board", &board, 80, 24);
    let s = board.wait_for("live");
    assert!(s.contains("TOTE BOARD") && s.contains("picking"), "{s}");
}

/// An HTTPS receiver on a free port with the site's server certificate;
/// returns its URL and the first request it got (head and body).
async fn receiver(certs: &Path) -> (String, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let acceptor = tote::tls::acceptor(&certs.join("server.pem"), &certs.join("server.key")).expect("acceptor");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("https://127.0.0.1:{}/hook", listener.local_addr().expect("addr").port());
    let got = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { continue };
            let Ok(mut tls) = acceptor.accept(tcp).await else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then the body to its Content-Length.
            loop {
                let n = tls.read(&mut chunk).await.unwrap_or(0);
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                        })
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len || n == 0 {
                        let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
                        let _ = tls.shutdown().await;
                        return text;
                    }
                }
                if n == 0 {
                    break;
                }
            }
        }
    });
    (url, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_webhook_signed_by_the_site_ca_gets_its_delivery() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("site.db");
    tote(&db, &["init", "--warehouse", "W1=Main"]);
    let certs = site(dir.path(), "site");
    let (url, got) = receiver(&certs).await;
    let secret = "a-webhook-secret-16+";
    tote(&db, &["webhook", "add", "shop", &url, "--secret", secret, "--events", "*"]);
    // The server itself serves plain HTTP here; its outbound calls trust the site CA.
    let cfg = dir.path().join("tote.toml");
    std::fs::write(&cfg, format!("[server]\ntrust_ca = \"{}\"\n", certs.join("ca.pem").display())).expect("config");
    let (server, _base, _log) = serve_with(&db, &["--config", cfg.to_str().expect("utf-8")]);
    let _server = KillOnDrop(server);
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample-stock.csv");
    tote(&db, &["stock", "import", csv.to_str().expect("utf-8")]);
    let request = tokio::time::timeout(Duration::from_secs(20), got).await.expect("a delivery in 20 s").expect("join");
    let (head, body) = request.split_once("\r\n\r\n").expect("head and body");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("no {name} in\n{head}"))
    };
    let timestamp: i64 = header("x-tote-timestamp").parse().expect("timestamp");
    assert_eq!(header("x-tote-signature"), tote::relay::sign(secret, timestamp, body), "signed with the secret");
    assert!(body.contains("inventory."), "{body}");
}
