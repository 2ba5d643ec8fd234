//! Timing one process: wall time, CPU time (`wait4`) and peak resident memory.
//!
//! The memory comes from `/usr/bin/time -f %M` when it exists: Linux carries the
//! parent's high-water mark into a child across fork and exec, so a child of this
//! (tokio, 20 MB) process never reports less than 20 MB; `time` is small, so its
//! children report their own peak. Without it, `wait4`'s figure is used (a floor of
//! this process's size).

use std::mem::MaybeUninit;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIME: &str = "/usr/bin/time";

/// Runs `program` with `args` in `dir`, its standard output into `stdout`, and
/// measures it.
pub fn run(
    program: &Path,
    args: &[String],
    dir: &Path,
    stdout: std::fs::File,
) -> std::io::Result<Sample> {
    let rss_file = dir.join(".peak-rss");
    let mut command = if Path::new(TIME).exists() {
        let mut c = Command::new(TIME);
        c.args(["-f", "%M", "-o"]).arg(&rss_file).arg(program);
        c
    } else {
        Command::new(program)
    };
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null());
    let _ = std::fs::remove_file(&rss_file);
    let mut sample = wait(&mut command)?;
    if let Ok(kib) = std::fs::read_to_string(&rss_file) {
        // `time` notes a signal on a line of its own before the figure.
        if let Some(kib) = kib
            .lines()
            .filter_map(|l| l.trim().parse::<u64>().ok())
            .next_back()
        {
            sample.rss = kib * 1024;
        }
    }
    Ok(sample)
}

/// One run of one command.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// When the process was started.
    pub started: Instant,
    /// Start to exit.
    pub wall: Duration,
    /// User plus system time.
    pub cpu: Duration,
    /// Peak resident set, bytes.
    pub rss: u64,
    /// Exit code (`-signal` when killed).
    pub code: i32,
}

/// Runs `command` to completion and measures it.
fn wait(command: &mut Command) -> std::io::Result<Sample> {
    let started = Instant::now();
    let child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage = MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `pid` is our child, not yet waited for (std only waits on `wait()`);
    // wait4 fills `status` and `usage`.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    let wall = started.elapsed();
    if waited != pid {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: wait4 succeeded, so it wrote the struct.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    drop(child);
    Ok(Sample {
        started,
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports kibibytes.
        rss: usage.ru_maxrss as u64 * 1024,
        code,
    })
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
