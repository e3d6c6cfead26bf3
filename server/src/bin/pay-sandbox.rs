//! `pay-sandbox [serve]` runs the sandbox payment platform; `pay-sandbox keygen DIR` writes a
//! platform and a merchant key pair into DIR. See `server::sandbox::cli` (also reachable as
//! `server pay-sandbox …`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    server::sandbox::cli::run(&args).await
}
