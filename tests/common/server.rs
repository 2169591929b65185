//! A real `tote serve` on 127.0.0.1:0 over the fixture's database, with a
//! worker of each role logged in through the API and an integration key.

use super::Fixture;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tote::server::ServerConfig;
use tote::server::auth::{hash_pin, new_secret, secret_hash};

pub const PIN: &str = "4711";

/// Gives the fixture's picker (B-100) and packer (B-200) the PIN [`PIN`].
pub fn give_pins(f: &Fixture) {
    let hash = hash_pin(PIN).expect("hash");
    f.svc
        .store()
        .write(|tx| {
            for badge in ["B-100", "B-200"] {
                let w = tx.worker_by_badge(badge)?.expect("fixture worker");
                tx.set_worker_pin(w.id, &hash)?;
            }
            Ok::<_, tote::storage::StorageError>(())
        })
        .expect("PINs");
}

pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// Credentials of each kind of caller.
pub struct Tokens {
    pub picker: String,
    pub packer: String,
    pub supervisor: String,
    pub admin: String,
    pub integration: String,
    pub supervisor_id: i64,
    pub admin_id: i64,
}

impl TestServer {
    pub async fn start(f: &Fixture) -> TestServer {
        Self::start_with(f, ServerConfig::default()).await
    }

    pub async fn start_with(f: &Fixture, config: ServerConfig) -> TestServer {
        Self::start_on(f, config, "127.0.0.1:0").await
    }

    /// On a given address (a restart on the port clients already know).
    pub async fn start_on(f: &Fixture, config: ServerConfig, addr: &str) -> TestServer {
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(tote::server::run(
            listener,
            async {
                let _ = stopped.await;
            },
            f.svc.clone(),
            config,
        ));
        TestServer { base, http: reqwest::Client::new(), stop: Some(stop), task: Some(task) }
    }

    /// Graceful stop: returns once the server has finished.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("server task").expect("server ran cleanly");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `method path` with an optional token and JSON body; returns the
    /// status and the JSON body (`Null` when empty or not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(m, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", path, Some(token), Some(body)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn login(&self, badge: &str, pin: &str) -> (StatusCode, Value) {
        self.call("POST", "/api/v1/auth/login", None, Some(json!({"badge": badge, "pin": pin}))).await
    }

    /// Gives the fixture's picker and packer a PIN, adds a supervisor, an
    /// admin and an API key, and logs the workers in over HTTP.
    pub async fn tokens(&self, f: &Fixture) -> Tokens {
        let hash = hash_pin(PIN).expect("hash");
        let key = new_secret("tote_key_");
        let now = f.svc.now();
        let (supervisor_id, admin_id) = f
            .svc
            .store()
            .write(|tx| {
                for badge in ["B-100", "B-200"] {
                    let w = tx.worker_by_badge(badge)?.expect("fixture worker");
                    tx.set_worker_pin(w.id, &hash)?;
                }
                let s = tx.insert_worker("B-300", "Sam Supervisor", "supervisor", now)?;
                tx.set_worker_pin(s, &hash)?;
                let a = tx.insert_worker("B-400", "Ada Admin", "admin", now)?;
                tx.set_worker_pin(a, &hash)?;
                for w in ["W1", "W2", "W3"] {
                    tx.bind_worker(s, w)?;
                    tx.bind_worker(a, w)?;
                }
                tx.insert_api_key("shop", &secret_hash(&key), now)?;
                Ok::<_, tote::storage::StorageError>((s.0, a.0))
            })
            .expect("seed credentials");
        let mut tokens = Vec::new();
        for badge in ["B-100", "B-200", "B-300", "B-400"] {
            let (status, body) = self.login(badge, PIN).await;
            assert_eq!(status, StatusCode::OK, "login {badge}: {body}");
            tokens.push(body["token"].as_str().expect("token").to_owned());
        }
        let [picker, packer, supervisor, admin] = <[String; 4]>::try_from(tokens).expect("four tokens");
        Tokens { picker, packer, supervisor, admin, integration: key, supervisor_id, admin_id }
    }
}
