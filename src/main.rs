//! The `paperlint` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    paperlint::memory::keep_large_blocks_mapped();
    std::process::ExitCode::from(paperlint::cli::main())
}
