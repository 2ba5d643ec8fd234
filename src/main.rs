//! The `paperlint` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    keep_large_blocks_mapped();
    std::process::ExitCode::from(paperlint::cli::main())
}

/// Keeps the memory of a long list near its size (BENCHMARKS.md, "glibc's mmap
/// threshold"). glibc's malloc maps a large block (from 128 KiB) on its own and gives
/// it back when it is freed, but each time a mapped block is freed it raises that
/// threshold to the block's size, up to 32 MiB. Once a vector that grew with the list
/// has moved on, blocks of megabytes come from the heap instead, and their memory stays
/// with the process once freed: 16 MB lists peaked 8 to 15 MB higher for it. Setting
/// the threshold fixes it (glibc then stops adjusting it).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_mapped() {
    /// Blocks this large and larger are mapped on their own: above the buffers that
    /// come and go many times a run (a regex compiler's 316 KiB table, a parse
    /// piece's tree), which would be faulted in afresh each time, below those that
    /// grow with the list.
    const THRESHOLD: libc::c_int = 512 * 1024;
    // A threshold set in the environment wins (glibc reads it at start-up).
    let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some()
        || tunables.contains("malloc.mmap_threshold")
    {
        return;
    }
    // SAFETY: `mallopt` sets one of malloc's tunables; it is called before any other
    // thread exists. A refusal (0) leaves glibc's default, which is only costlier.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
    }
}

/// Elsewhere the system allocator is left as it is (only glibc has this threshold).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_blocks_mapped() {}
