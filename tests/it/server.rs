//! A small scripted HTTP/1.1 server on a loopback address, for what wiremock cannot
//! do: count concurrent requests, hang, reset connections, stream endless bodies,
//! rate-limit, hold an answer until another server has been asked (a [`Journal`]
//! records the order). Binds `IP:0` (any 127.x.y.z is a distinct host) and stops
//! when dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Action {
    /// Answer after `delay`.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// 200 with a body that never ends.
    Endless,
    /// Read the request, never answer.
    Hang,
    /// Read the request, then reset the connection.
    Reset,
    /// Hold the answer until `gate` is opened (`notify_one`, before or after),
    /// note `note` in `journal` (with " (gate timed out)" if it waited 30 s in vain),
    /// then do `then`.
    Gated {
        gate: Arc<tokio::sync::Notify>,
        journal: Journal,
        note: String,
        then: Box<Action>,
    },
}

/// What servers saw, in the order they saw it, so that tests assert on the order of
/// events, never on how long they took.
#[derive(Clone, Debug, Default)]
pub struct Journal(Arc<Mutex<Vec<String>>>);

impl Journal {
    pub fn note(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    pub fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// Where `event` was first noted.
    pub fn position(&self, event: &str) -> Option<usize> {
        self.events().iter().position(|e| e == event)
    }
}

impl Action {
    pub fn status(status: u16) -> Action {
        Action::Respond {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }
}

/// A parsed request line (the method is all the tests need).
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
}

type Handler = Arc<dyn Fn(&Request) -> Action + Send + Sync>;

pub struct Server {
    pub addr: std::net::SocketAddr,
    pub requests: Arc<AtomicUsize>,
    pub max_concurrent: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(
        ip: &str,
        handler: impl Fn(&Request) -> Action + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind((ip, 0)).await.expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let handler: Handler = Arc::new(handler);
        let requests = Arc::new(AtomicUsize::new(0));
        let max_concurrent = Arc::new(AtomicUsize::new(0));
        let active = Arc::new(AtomicUsize::new(0));
        let (r, m) = (requests.clone(), max_concurrent.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let (handler, r, m, active) =
                    (handler.clone(), r.clone(), m.clone(), active.clone());
                tokio::spawn(async move {
                    serve(stream, handler, r, m, active).await;
                });
            }
        });
        Server {
            addr,
            requests,
            max_concurrent,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: Handler,
    requests: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
    active: Arc<AtomicUsize>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let mut parts = text.lines().next().unwrap_or_default().split_whitespace();
    let request = Request {
        method: parts.next().unwrap_or_default().to_string(),
    };
    requests.fetch_add(1, Ordering::SeqCst);
    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
    max.fetch_max(now, Ordering::SeqCst);
    let mut action = handler(&request);
    if let Action::Gated {
        gate,
        journal,
        note,
        then,
    } = action
    {
        // Bounded so that a client that never opens the gate fails the test, not hangs it.
        match tokio::time::timeout(Duration::from_secs(30), gate.notified()).await {
            Ok(()) => journal.note(note),
            Err(_) => journal.note(format!("{note} (gate timed out)")),
        }
        action = *then;
    }
    match action {
        Action::Respond {
            status,
            headers,
            body,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            // Done processing: a client cannot send its next request before it reads
            // this answer, so the count never includes a finished request.
            active.fetch_sub(1, Ordering::SeqCst);
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            if request.method != "HEAD" {
                let _ = stream.write_all(&body).await;
            }
            let _ = stream.shutdown().await;
            return;
        }
        Action::Endless => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n",
                )
                .await;
            if request.method != "HEAD" {
                let block = vec![b'x'; 64 * 1024];
                // Bounded so that a broken client cannot keep the test running forever.
                for _ in 0..100_000 {
                    if stream.write_all(&block).await.is_err() {
                        break;
                    }
                }
            }
        }
        Action::Hang => tokio::time::sleep(Duration::from_secs(60)).await,
        Action::Reset => {
            // A zero linger turns the close into a TCP reset; it cannot block here.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Action::Gated { .. } => unreachable!("a gate holds a plain action"),
    }
    active.fetch_sub(1, Ordering::SeqCst);
}
