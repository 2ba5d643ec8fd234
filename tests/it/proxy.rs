//! A forward proxy on loopback that only counts and answers: every request that reaches
//! it (`CONNECT host:port` for https, an absolute URI for http) is recorded, so a test
//! can prove that a guarded name never got as far as the proxy. It forwards nothing;
//! a script decides each answer. Binds `127.0.0.1:0` and stops when dropped.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The raw answer to a request for `target` (the absolute URI, or `host:port` of a
/// CONNECT).
type Script = Arc<dyn Fn(&str) -> String + Send + Sync>;

pub struct CountingProxy {
    pub addr: std::net::SocketAddr,
    /// Every request line that reached the proxy, in arrival order.
    pub seen: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A complete HTTP/1.1 answer with no body.
pub fn answer(status: u16, headers: &[(&str, &str)]) -> String {
    let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head
}

impl CountingProxy {
    pub async fn start(script: impl Fn(&str) -> String + Send + Sync + 'static) -> CountingProxy {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Script = Arc::new(script);
        let s = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (seen, script) = (s.clone(), script.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&buf);
                    let line = text.lines().next().unwrap_or_default().to_string();
                    let target = line
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_string();
                    seen.lock().unwrap().push(line);
                    let _ = stream.write_all(script(&target).as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        CountingProxy { addr, seen, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}
