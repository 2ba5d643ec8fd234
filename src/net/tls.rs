//! The TLS settings of every HTTP client: rustls with ring, checking certificates
//! against the system's root certificates as reqwest's own platform verifier does,
//! with the roots read once per process, on a thread of their own, instead of by
//! every client as it is built.
//!
//! Reading the roots (hundreds of files under `/etc/ssl/certs`, parsed twice over)
//! takes several milliseconds. Done in `ClientBuilder::build`, it held up the first
//! request of a run and was paid again by every stage's client (links, registries,
//! venue truth). Here a client is ready at once and the roots are read when the
//! first host name is resolved ([`read_roots_in_background`], called by the
//! resolver), while the lookup and the TCP connection that come before any TLS
//! handshake are under way; a handshake to an address literal reads them itself. A
//! run whose links are all `http` to addresses never reads them.
//!
//! A system whose roots cannot be read fails its handshakes with that reason
//! ([`unreadable_roots`]); the run then ends with it as an error, as it did when the
//! client could not be built, rather than calling every https link broken.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_platform_verifier::Verifier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, OnceLock};

/// The system's roots, once read (or why they could not be).
static SYSTEM: OnceLock<Result<Verifier, String>> = OnceLock::new();

/// A handshake failed because the roots could not be read.
static REFUSED_FOR_WANT_OF_ROOTS: AtomicBool = AtomicBool::new(false);

/// The process's crypto provider (ring, installed by [`super::install_crypto_provider`]).
fn provider() -> Arc<CryptoProvider> {
    super::install_crypto_provider();
    CryptoProvider::get_default()
        .cloned()
        .expect("the ring provider was installed just now")
}

/// The verifier over the system's roots, reading them now if no thread has yet.
fn system() -> Result<&'static Verifier, rustls::Error> {
    SYSTEM
        .get_or_init(|| Verifier::new(provider()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| {
            REFUSED_FOR_WANT_OF_ROOTS.store(true, Ordering::SeqCst);
            rustls::Error::General(format!(
                "the system's root certificates could not be read: {e}"
            ))
        })
}

/// Starts reading the system's roots on a thread of their own (once per process; a
/// cheap check after that).
pub fn read_roots_in_background() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("tls roots".into())
            .spawn(|| {
                let _ = system();
            });
        // Without a thread, the first handshake reads them.
        drop(spawned);
    });
}

/// Why a TLS handshake of this run failed for want of root certificates, if one did.
pub fn unreadable_roots() -> Option<String> {
    if !REFUSED_FOR_WANT_OF_ROOTS.load(Ordering::SeqCst) {
        return None;
    }
    match SYSTEM.get() {
        Some(Err(e)) => Some(format!(
            "the system's root certificates could not be read: {e}"
        )),
        _ => None,
    }
}

/// Certificates checked by the system's roots, read when first needed.
#[derive(Debug)]
struct SystemRoots {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for SystemRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        system()?.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    // The signatures need no roots: checked with the provider's algorithms, as the
    // platform verifier does.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The TLS configuration of a client: what reqwest builds by default (TLS 1.2 and
/// 1.3, SNI, ALPN offering HTTP/2 and HTTP/1.1, no client certificate), with the
/// system's roots read when first needed.
pub fn client_config() -> rustls::ClientConfig {
    let provider = provider();
    let verifier = Arc::new(SystemRoots {
        provider: provider.clone(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .expect("ring supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_offers_what_reqwest_would() {
        let config = client_config();
        assert_eq!(
            config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert!(config.enable_sni);
    }

    #[test]
    fn a_certificate_that_is_not_one_is_refused() {
        let verifier = SystemRoots {
            provider: provider(),
        };
        let name = ServerName::try_from("example.org").unwrap();
        let refused = verifier.verify_server_cert(
            &CertificateDer::from(vec![0u8; 16]),
            &[],
            &name,
            &[],
            UnixTime::now(),
        );
        assert!(refused.is_err(), "{refused:?}");
    }
}
