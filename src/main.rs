//! The `paperlint` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(paperlint::cli::main())
}
