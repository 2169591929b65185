//! TLS at the edges (issue 17): the server's certificate and key, the site
//! CA every client of this process trusts besides the public roots, and a
//! site's own certificates for `tote cert`. rustls with ring throughout.
//!
//! The trust is set once per process at start (`tote serve` from
//! `[server] trust_ca`, the terminals and the board from `--ca`/`TOTE_CA`),
//! and every HTTP client is built by [`client`] or [`blocking_client`], so
//! no client forgets it.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::{Arc, RwLock};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("TLS setup: {0}")]
    Setup(String),
}

fn file_err(path: &Path) -> impl Fn(String) -> TlsError + '_ {
    move |reason| TlsError::File { path: path.display().to_string(), reason }
}

/// Extra roots trusted by every client of this process.
static SITE_CA: RwLock<Vec<reqwest::Certificate>> = RwLock::new(Vec::new());

/// Trusts the CA certificate(s) in the PEM file `ca` for every HTTPS call
/// this process makes from now on, besides the public roots.
pub fn trust(ca: &Path) -> Result<usize, TlsError> {
    let pem = std::fs::read(ca).map_err(|e| file_err(ca)(e.to_string()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| file_err(ca)(e.to_string()))?;
    if certs.is_empty() {
        return Err(file_err(ca)("no certificate in it".into()));
    }
    let n = certs.len();
    if let Ok(mut roots) = SITE_CA.write() {
        *roots = certs;
    }
    Ok(n)
}

fn roots() -> Vec<reqwest::Certificate> {
    SITE_CA.read().map(|r| r.clone()).unwrap_or_default()
}

/// An async HTTP client builder that trusts the site CA.
pub fn client() -> reqwest::ClientBuilder {
    roots().into_iter().fold(reqwest::Client::builder().use_rustls_tls(), |b, c| b.add_root_certificate(c))
}

/// A blocking HTTP client builder that trusts the site CA.
pub fn blocking_client() -> reqwest::blocking::ClientBuilder {
    roots().into_iter().fold(reqwest::blocking::Client::builder().use_rustls_tls(), |b, c| b.add_root_certificate(c))
}

/// An error with its causes, `a: b: c`: reqwest's own text says only "error
/// sending request"; the cause says "invalid peer certificate: UnknownIssuer".
pub fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// The server side: `cert` (PEM, the chain from the server's own) and `key`.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| file_err(cert)(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_err(cert)(e.to_string()))?;
    if chain.is_empty() {
        return Err(file_err(cert)("no certificate in it".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| file_err(key)(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Setup(format!("certificate and key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A site's certificates, as PEM text.
#[derive(Debug, Clone)]
pub struct SiteCerts {
    /// The site CA: every client trusts it (`--ca` / `TOTE_CA`).
    pub ca: String,
    /// The CA's private key: keep it off the network; it signs new servers.
    pub ca_key: String,
    /// The server's certificate (for `names`) and key (`tls_cert`, `tls_key`).
    pub cert: String,
    pub key: String,
}

/// Makes a site CA and a server certificate for `names` (host names or IP
/// addresses, as clients reach the server) signed by it.
pub fn make_site(site: &str, names: &[String]) -> Result<SiteCerts, TlsError> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
    let setup = |e: rcgen::Error| TlsError::Setup(e.to_string());
    if names.is_empty() {
        return Err(TlsError::Setup("name at least one host name or address clients use".into()));
    }
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(setup)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.distinguished_name.push(DnType::CommonName, format!("{site} Tote site CA"));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().map_err(setup)?;
    let ca = ca_params.self_signed(&ca_key).map_err(setup)?;
    let mut params = CertificateParams::new(names.to_vec()).map_err(setup)?;
    params.distinguished_name.push(DnType::CommonName, names[0].clone());
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(setup)?;
    let cert = params.signed_by(&key, &ca, &ca_key).map_err(setup)?;
    Ok(SiteCerts { ca: ca.pem(), ca_key: ca_key.serialize_pem(), cert: cert.pem(), key: key.serialize_pem() })
}
