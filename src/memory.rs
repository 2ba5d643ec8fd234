//! What keeps a long run's memory near its list's size: glibc's malloc with a fixed
//! mmap threshold, freed memory given back between the stages of a long run (both do
//! nothing with other C libraries), and per-URL flags packed in a byte. Measured in
//! BENCHMARKS.md, "glibc's mmap threshold".

/// Blocks this large and larger are mapped on their own: above the buffers that come
/// and go many times a run (a regex compiler's 316 KiB table, a parse piece's tree),
/// which would be faulted in afresh each time, below those that grow with the list.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 512 * 1024;

/// Keeps the memory of a long list near its size; for the binary, before any thread
/// starts. glibc's malloc maps a large block (from 128 KiB) on its own and gives it
/// back when it is freed, but each time a mapped block is freed it raises that
/// threshold to the block's size, up to 32 MiB. Once a vector that grew with the list
/// has moved on, blocks of megabytes come from the heap instead, and their memory
/// stays with the process once freed: 16 MB lists peaked 8 to 15 MB higher for it.
/// Setting the threshold fixes it (glibc then stops adjusting it). A threshold set in
/// the environment (`MALLOC_MMAP_THRESHOLD_`, `GLIBC_TUNABLES`) wins.
pub fn keep_large_blocks_mapped() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some()
            || tunables.contains("malloc.mmap_threshold")
        {
            return;
        }
        // SAFETY: `mallopt` sets one of malloc's tunables. A refusal (0) leaves
        // glibc's default, which is only costlier.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

/// Gives the memory freed so far back to the system: pages free inside the heaps
/// (each thread's arena keeps what its thread freed, between blocks still in use) are
/// not returned otherwise. Called where a stage has ended and the next will build
/// what it keeps: after a long list's network stages, before its second read. A few
/// milliseconds for a heap of tens of megabytes.
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory; any thread may call it.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Up to eight flags in one byte, the first in the lowest bit: what a run keeps per
/// URL (a long list has hundreds of thousands) as one byte instead of one per flag.
pub fn pack_flags<const N: usize>(flags: [bool; N]) -> u8 {
    const { assert!(N <= 8) };
    (0..N)
        .filter(|&i| flags[i])
        .fold(0, |bits, i| bits | 1 << i)
}

/// The flags [`pack_flags`] put in `bits`.
pub fn unpack_flags<const N: usize>(bits: u8) -> [bool; N] {
    const { assert!(N <= 8) };
    std::array::from_fn(|i| bits & 1 << i != 0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn flags_survive_their_byte_in_order() {
        assert_eq!(super::pack_flags([true, false, true]), 0b101);
        for bits in 0..=255u8 {
            let flags: [bool; 8] = super::unpack_flags(bits);
            assert_eq!(super::pack_flags(flags), bits);
        }
        assert_eq!(super::unpack_flags::<2>(0b10), [false, true]);
    }
}
