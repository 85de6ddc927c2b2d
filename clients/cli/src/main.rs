//! The `eiso` binary; see the `eiso_cli` library.

fn main() -> std::process::ExitCode {
    eiso_cli::main()
}
