//! HTTPS without a reverse proxy: `serve --tls-cert FILE --tls-key FILE`.
//!
//! [`TlsConfig::load`] reads a PEM certificate chain (the server's
//! certificate first, then any intermediates) and its PEM private key
//! (PKCS#8, PKCS#1 or SEC1) into a rustls server configuration on the `ring`
//! provider, offering HTTP/1.1 only (ALPN `http/1.1`), as the server speaks.
//! The files are read once at start; a new certificate needs a restart.
//!
//! With TLS (see `serve`): the handshake runs under the connection's
//! watchdog with the header timeout as its deadline, every request carries
//! [`crate::security::Https`] (so the same-origin check expects `https://`),
//! every response carries `Strict-Transport-Security`, and the session cookie
//! is `__Host-watchfloor_session`, `Secure` (see `auth`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::operator::OperatorError;

/// The `Strict-Transport-Security` value every HTTPS response carries: a
/// year, this host only (`includeSubDomains` could break other services of
/// the exercise network under the same name that do not speak HTTPS).
pub const HSTS: &str = "max-age=31536000";

/// A loaded certificate and key, ready to serve HTTPS with.
#[derive(Clone)]
pub struct TlsConfig {
    server: Arc<ServerConfig>,
    cert_file: PathBuf,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_file", &self.cert_file)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Reads the certificate chain and private key (both PEM). Any problem
    /// (a file that cannot be read, no certificate or key in it, a key that
    /// is not the certificate's) is an [`OperatorError::Tls`] naming the file.
    pub fn load(cert_file: &Path, key_file: &Path) -> Result<TlsConfig, OperatorError> {
        let problem = |flag: &'static str, path: &Path, reason: String| OperatorError::Tls {
            flag,
            path: path.to_owned(),
            reason,
        };
        let cert_pem = std::fs::read(cert_file).map_err(|error| {
            problem("--tls-cert", cert_file, format!("cannot read it: {error}"))
        })?;
        let key_pem = std::fs::read(key_file)
            .map_err(|error| problem("--tls-key", key_file, format!("cannot read it: {error}")))?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| {
                problem(
                    "--tls-cert",
                    cert_file,
                    format!("not a PEM certificate chain: {error}"),
                )
            })?;
        if chain.is_empty() {
            return Err(problem(
                "--tls-cert",
                cert_file,
                "holds no certificate (expected PEM `-----BEGIN CERTIFICATE-----` blocks)".into(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| {
            problem(
                "--tls-key",
                key_file,
                format!(
                    "holds no PEM private key (PKCS#8, PKCS#1 or SEC1 `-----BEGIN … PRIVATE KEY-----`): {error}"
                ),
            )
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| problem("--tls-cert", cert_file, error.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| {
                problem(
                    "--tls-key",
                    key_file,
                    format!(
                        "does not fit the certificate in {} (or cannot be used): {error}",
                        cert_file.display()
                    ),
                )
            })?;
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConfig {
            server: Arc::new(server),
            cert_file: cert_file.to_owned(),
        })
    }

    /// The acceptor every connection's handshake goes through.
    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.server.clone())
    }
}
