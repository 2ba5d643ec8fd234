//! Asynchronous loopback hosts for the link benchmarks: hyper HTTP/1.1 with keep-alive on
//! tokio, one listener per host on its own loopback address (127.0.1.10, 127.0.1.11, …
//! are distinct hosts to both link checkers), answering after a fixed latency,
//! rate-limiting, or refusing everything. Sleeping tasks cost no thread, so the servers never become the
//! bottleneck the way a thread-per-connection server does at a few thousand requests
//! per second. The latency is kept by [`Alarms`], not by tokio's timer, which rounds
//! every deadline up to its next millisecond tick: about 1 ms more per answer, which
//! the 2,000-link workload paid 13 times in a row (a slot's 13 answers).

use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// How every host of a farm answers.
#[derive(Clone, Copy, Debug)]
pub enum Policy {
    /// `200` with an empty body after this delay.
    Latency(Duration),
    /// `200` at once, but `429` with `Retry-After: 1` for a request that would be the
    /// (n+1)-th within one second (a sliding window, like many APIs).
    PerSecond(usize),
    /// `429` with `Retry-After: 1` to every request (a rate-limit storm).
    Refuse,
    /// At once, by a hash of the path: `404` for one path in ten, a `301` to
    /// `PATH/moved` for another, `200` for the rest (a list with findings to report).
    Mixed,
}

/// Wakes waiting answers at their instant, to within the kernel's timer slack (tens of
/// microseconds): one thread over a queue of deadlines. Shared by a farm's hosts; the
/// thread ends when the farm is dropped.
struct Alarms {
    queue: Mutex<AlarmQueue>,
    changed: Condvar,
}

#[derive(Default)]
struct AlarmQueue {
    /// Deadlines, earliest first, each with the index of its waker in `wakers`.
    deadlines: BinaryHeap<Reverse<(Instant, u64)>>,
    wakers: std::collections::HashMap<u64, tokio::sync::oneshot::Sender<()>>,
    next: u64,
    stopped: bool,
}

impl Alarms {
    fn start() -> Arc<Alarms> {
        let alarms = Arc::new(Alarms {
            queue: Mutex::new(AlarmQueue::default()),
            changed: Condvar::new(),
        });
        let ringing = alarms.clone();
        std::thread::spawn(move || ringing.ring());
        alarms
    }

    /// Returns when `at` has passed.
    async fn until(&self, at: Instant) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        {
            let mut queue = self.queue.lock().expect("alarm lock");
            let id = queue.next;
            queue.next += 1;
            let earliest = queue.deadlines.peek().is_none_or(|Reverse((t, _))| at < *t);
            queue.deadlines.push(Reverse((at, id)));
            queue.wakers.insert(id, tx);
            if earliest {
                self.changed.notify_one();
            }
        }
        let _ = rx.await;
    }

    fn ring(&self) {
        let mut queue = self.queue.lock().expect("alarm lock");
        while !queue.stopped {
            let now = Instant::now();
            while let Some(&Reverse((at, id))) = queue.deadlines.peek()
                && at <= now
            {
                queue.deadlines.pop();
                if let Some(waker) = queue.wakers.remove(&id) {
                    let _ = waker.send(());
                }
            }
            queue = match queue.deadlines.peek() {
                Some(&Reverse((at, _))) => {
                    let wait = at.saturating_duration_since(now);
                    self.changed
                        .wait_timeout(queue, wait)
                        .expect("alarm lock")
                        .0
                }
                None => self.changed.wait(queue).expect("alarm lock"),
            };
        }
    }

    fn stop(&self) {
        self.queue.lock().expect("alarm lock").stopped = true;
        self.changed.notify_one();
    }
}

/// Shared by a host's connections.
struct State {
    policy: Policy,
    alarms: Arc<Alarms>,
    requests: Arc<AtomicUsize>,
    rejected: Arc<AtomicUsize>,
    first: Arc<Mutex<Option<Instant>>>,
    last: Arc<Mutex<Option<Instant>>>,
    window: Mutex<VecDeque<Instant>>,
    timing: Arc<Mutex<Timing>>,
}

/// Where a run's time went, as the servers saw it (sums in seconds, for means).
#[derive(Default, Clone, Copy)]
struct Timing {
    /// Requests answered.
    answered: usize,
    /// Time from a request's arrival to its answer beyond the policy's latency:
    /// the servers' own delay (waking the answer, waiting for a core).
    overshoot: f64,
    /// Requests that followed an earlier answer on the same connection.
    followed: usize,
    /// Time from an answer to the next request on the same connection: how long
    /// the client took to take the answer in and send its next request.
    turnaround: f64,
    /// The first and the last arrival of a connection's first request: how long the
    /// client took to fill its slots.
    opened: Option<(Instant, Instant)>,
    /// Connections that sent a request.
    connections: usize,
}

impl State {
    /// Answers one request that arrived at `arrived`, on a connection whose previous
    /// answer went out at `previous`; returns the answer and when it went out.
    async fn answer_timed(
        &self,
        path: &str,
        arrived: Instant,
        previous: Option<Instant>,
    ) -> (Response<Empty<Bytes>>, Instant) {
        let response = self.answer(path, arrived).await;
        let answered = Instant::now();
        let latency = match self.policy {
            Policy::Latency(delay) => delay,
            _ => Duration::ZERO,
        };
        let mut timing = self.timing.lock().expect("timing lock");
        timing.answered += 1;
        timing.overshoot += (answered - arrived).saturating_sub(latency).as_secs_f64();
        if let Some(previous) = previous {
            timing.followed += 1;
            timing.turnaround += arrived.saturating_duration_since(previous).as_secs_f64();
        } else {
            timing.connections += 1;
            timing.opened = Some(match timing.opened {
                None => (arrived, arrived),
                Some((first, last)) => (first.min(arrived), last.max(arrived)),
            });
        }
        (response, answered)
    }

    async fn answer(&self, path: &str, arrived: Instant) -> Response<Empty<Bytes>> {
        if self.requests.fetch_add(1, Ordering::Relaxed) == 0 {
            let mut first = self.first.lock().expect("first lock");
            first.get_or_insert_with(Instant::now);
        }
        let status = match self.policy {
            Policy::Latency(delay) => {
                self.alarms.until(arrived + delay).await;
                StatusCode::OK
            }
            Policy::PerSecond(limit) => {
                let now = Instant::now();
                let mut window = self.window.lock().expect("window lock");
                while window
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
                {
                    window.pop_front();
                }
                if window.len() >= limit {
                    self.rejected.fetch_add(1, Ordering::Relaxed);
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    window.push_back(now);
                    StatusCode::OK
                }
            }
            Policy::Refuse => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                StatusCode::TOO_MANY_REQUESTS
            }
            Policy::Mixed => {
                let mut hasher = std::hash::DefaultHasher::new();
                std::hash::Hash::hash(path, &mut hasher);
                match std::hash::Hasher::finish(&hasher) % 10 {
                    _ if path.ends_with("/moved") => StatusCode::OK,
                    0 => StatusCode::NOT_FOUND,
                    1 => StatusCode::MOVED_PERMANENTLY,
                    _ => StatusCode::OK,
                }
            }
        };
        *self.last.lock().expect("last lock") = Some(Instant::now());
        let mut response = Response::new(Empty::new());
        *response.status_mut() = status;
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert("retry-after", hyper::header::HeaderValue::from_static("1"));
        }
        if status == StatusCode::MOVED_PERMANENTLY
            && let Ok(to) = hyper::header::HeaderValue::from_str(&format!("{path}/moved"))
        {
            response.headers_mut().insert("location", to);
        }
        response
    }
}

/// What a farm saw of one run.
pub struct Counts {
    /// Requests received.
    pub requests: usize,
    /// Of those, answered 429.
    pub rejected: usize,
    /// When the first request arrived.
    pub first: Option<Instant>,
    /// When the last answer was sent.
    pub last: Option<Instant>,
    /// Mean time an answer took beyond the policy's latency (the servers' share).
    pub overshoot: Option<Duration>,
    /// Mean time from an answer to the next request on the same connection (the
    /// client's share of every round trip after the first).
    pub turnaround: Option<Duration>,
    /// From the first connection's first request to the last connection's.
    pub filled_in: Option<Duration>,
    /// Connections that sent a request.
    pub connections: usize,
}

/// A set of hosts with one policy; the listeners stop when it is dropped.
pub struct Farm {
    addrs: Vec<SocketAddr>,
    requests: Arc<AtomicUsize>,
    rejected: Arc<AtomicUsize>,
    first: Arc<Mutex<Option<Instant>>>,
    last: Arc<Mutex<Option<Instant>>>,
    /// Each host's state, to start every run with an empty rate window.
    states: Vec<Arc<State>>,
    timing: Arc<Mutex<Timing>>,
    tasks: Vec<JoinHandle<()>>,
    alarms: Arc<Alarms>,
}

impl Drop for Farm {
    fn drop(&mut self) {
        self.alarms.stop();
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The loopback address of host `i` (127.0.1.10 upwards, 200 per third octet).
fn address(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 1 + (i / 200) as u8, 10 + (i % 200) as u8)
}

impl Farm {
    /// Binds `hosts` listeners (port chosen by the kernel) on `runtime`.
    pub fn start(runtime: &Runtime, hosts: usize, policy: Policy) -> Farm {
        let requests = Arc::new(AtomicUsize::new(0));
        let rejected = Arc::new(AtomicUsize::new(0));
        let first = Arc::new(Mutex::new(None));
        let last = Arc::new(Mutex::new(None));
        let timing = Arc::new(Mutex::new(Timing::default()));
        let alarms = Alarms::start();
        let mut addrs = Vec::new();
        let mut states = Vec::new();
        let mut tasks = Vec::new();
        for i in 0..hosts {
            let listener = runtime
                .block_on(TcpListener::bind((address(i), 0)))
                .expect("bind a loopback address (127.0.0.0/8 routes to lo)");
            addrs.push(listener.local_addr().expect("bound address"));
            let state = Arc::new(State {
                policy,
                alarms: alarms.clone(),
                requests: requests.clone(),
                rejected: rejected.clone(),
                first: first.clone(),
                last: last.clone(),
                window: Mutex::new(VecDeque::new()),
                timing: timing.clone(),
            });
            states.push(state.clone());
            tasks.push(runtime.spawn(accept(listener, state)));
        }
        Farm {
            addrs,
            requests,
            rejected,
            first,
            last,
            states,
            timing,
            tasks,
            alarms,
        }
    }

    /// The URL of `path` on host `i mod hosts`.
    pub fn url(&self, i: usize, path: &str) -> String {
        format!("http://{}{path}", self.addrs[i % self.addrs.len()])
    }

    /// Since the last call (then reset): requests received, how many were answered
    /// 429, when the first arrived and when the last answer was sent. The rate
    /// windows are emptied too: the next run, often less than a second after this
    /// one, must not find its first requests refused for what this one sent.
    pub fn take_counts(&self) -> Counts {
        for state in &self.states {
            state.window.lock().expect("window lock").clear();
        }
        let timing = std::mem::take(&mut *self.timing.lock().expect("timing lock"));
        let mean = |sum: f64, n: usize| (n > 0).then(|| Duration::from_secs_f64(sum / n as f64));
        Counts {
            overshoot: mean(timing.overshoot, timing.answered),
            turnaround: mean(timing.turnaround, timing.followed),
            filled_in: timing.opened.map(|(first, last)| last - first),
            connections: timing.connections,
            requests: self.requests.swap(0, Ordering::Relaxed),
            rejected: self.rejected.swap(0, Ordering::Relaxed),
            first: self.first.lock().expect("first lock").take(),
            last: self.last.lock().expect("last lock").take(),
        }
    }
}

async fn accept(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            // When this connection's last answer went out (hyper serves one request of
            // a connection at a time).
            let previous: Arc<Mutex<Option<Instant>>> = Arc::default();
            let service = service_fn(move |request: Request<Incoming>| {
                let state = state.clone();
                let previous = previous.clone();
                async move {
                    let arrived = Instant::now();
                    let before = previous.lock().expect("connection lock").take();
                    let path = request.uri().path();
                    let (response, answered) = state.answer_timed(path, arrived, before).await;
                    *previous.lock().expect("connection lock") = Some(answered);
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
