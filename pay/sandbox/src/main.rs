//! `pay-sandbox [serve]` runs the sandbox payment platform; `pay-sandbox keygen DIR` writes a
//! platform and a merchant key pair into DIR. See `pay_sandbox::cli`.

use clap::Parser;
use pay_sandbox::cli::{self, Command};
use std::process::ExitCode;

/// The sandbox payment platform: simulated 支付宝, 微信支付 and 银联 cashiers for development
/// and tests (nothing is charged). Settings come from the environment (`pay_sandbox::cli`).
#[derive(Parser)]
#[command(name = "pay-sandbox", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[tokio::main]
async fn main() -> ExitCode {
    cli::run(Cli::parse().command).await
}
