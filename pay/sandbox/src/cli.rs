//! The `pay-sandbox` command line: `[serve]` runs the sandbox payment platform; `keygen DIR`
//! writes a platform and a merchant key pair into DIR. Its own program, never part of the
//! registration server's binary.
//!
//! Configuration, all from the environment:
//! - `SANDBOX_ADDR` (default `127.0.0.1:3100`): where it listens.
//! - `SANDBOX_PUBLIC_URL` (default `http://` + the address): how browsers reach it.
//! - `SANDBOX_PLATFORM_KEY` (PKCS#8 hex), or else the file `SANDBOX_PLATFORM_KEY_FILE`
//!   (default `data/pay/platform.key`): the key everything the sandbox sends is signed with.
//! - `SANDBOX_MERCHANTS` (`id=publichex,id2=publichex`; default `NCRE65` with the public key in
//!   `data/pay/merchant.pub`): who may create orders, and the keys their requests are checked with.
//! - `SANDBOX_NOTIFY_SCHEDULE` (seconds, comma-separated, fractions allowed; default
//!   `0,240,600,600,3600,7200,21600,54000`, about Alipay's): the delay before each notification
//!   attempt, counted from the previous one.

use super::{Sandbox, SandboxConfig};
use pay_protocol::{SigningKey, VerifyingKey};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

const DEFAULT_ADDR: &str = "127.0.0.1:3100";
const DEFAULT_KEY_FILE: &str = "data/pay/platform.key";
const DEFAULT_MERCHANT: &str = "NCRE65";
const DEFAULT_MERCHANT_PUB: &str = "data/pay/merchant.pub";
const DEFAULT_SCHEDULE: &str = "0,240,600,600,3600,7200,21600,54000";

/// What the sandbox can be asked to do (`pay-sandbox --help`).
#[derive(clap::Subcommand)]
pub enum Command {
    /// Serve the sandbox payment platform on SANDBOX_ADDR (the default).
    Serve,
    /// Write a platform and a merchant key pair into DIR (keeps any that exist).
    Keygen {
        /// Where the keys go (e.g. data/pay).
        dir: PathBuf,
    },
}

/// Runs `command` (serving when there is none).
pub async fn run(command: Option<Command>) -> ExitCode {
    let result = match command.unwrap_or(Command::Serve) {
        Command::Serve => run_serve().await,
        Command::Keygen { dir } => keygen(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pay-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // Only fails if a subscriber is already set, and then that one keeps logging.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn read_file(path: &str, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {what} from {path}: {e} (run `pay-sandbox keygen DIR`)"))
}

fn config() -> Result<(SocketAddr, SandboxConfig), String> {
    let addr_text = env("SANDBOX_ADDR").unwrap_or_else(|| DEFAULT_ADDR.into());
    let addr: SocketAddr =
        addr_text.parse().map_err(|_| format!("SANDBOX_ADDR `{addr_text}` is not an IP address and port"))?;
    let public_url = env("SANDBOX_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}"));
    let public_url = public_url.trim().trim_end_matches('/').to_owned();
    if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
        return Err(format!("SANDBOX_PUBLIC_URL `{public_url}` must start with http:// or https://"));
    }

    let platform_key = match env("SANDBOX_PLATFORM_KEY") {
        Some(hex) => SigningKey::from_hex(&hex).map_err(|e| format!("SANDBOX_PLATFORM_KEY: {e}"))?,
        None => {
            let path = env("SANDBOX_PLATFORM_KEY_FILE").unwrap_or_else(|| DEFAULT_KEY_FILE.into());
            SigningKey::from_hex(&read_file(&path, "the platform key")?).map_err(|e| format!("{path}: {e}"))?
        }
    };

    let merchants = match env("SANDBOX_MERCHANTS") {
        Some(list) => parse_merchants(&list)?,
        None => {
            let key = read_file(DEFAULT_MERCHANT_PUB, "the merchant's public key")?;
            let key = VerifyingKey::from_hex(&key).map_err(|e| format!("{DEFAULT_MERCHANT_PUB}: {e}"))?;
            HashMap::from([(DEFAULT_MERCHANT.to_owned(), key)])
        }
    };

    let schedule = env("SANDBOX_NOTIFY_SCHEDULE").unwrap_or_else(|| DEFAULT_SCHEDULE.into());
    let notify_schedule = parse_schedule(&schedule)?;
    Ok((addr, SandboxConfig { platform_key: Arc::new(platform_key), merchants, notify_schedule, public_url }))
}

fn parse_merchants(list: &str) -> Result<HashMap<String, VerifyingKey>, String> {
    let mut merchants = HashMap::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((id, key)) = entry.split_once('=') else {
            return Err(format!("SANDBOX_MERCHANTS: `{entry}` is not `merchant_id=publickeyhex`"));
        };
        let key = VerifyingKey::from_hex(key).map_err(|e| format!("SANDBOX_MERCHANTS: merchant {id}: {e}"))?;
        if merchants.insert(id.trim().to_owned(), key).is_some() {
            return Err(format!("SANDBOX_MERCHANTS: merchant {id} is listed twice"));
        }
    }
    if merchants.is_empty() {
        return Err("SANDBOX_MERCHANTS lists no merchant".into());
    }
    Ok(merchants)
}

fn parse_schedule(list: &str) -> Result<Vec<Duration>, String> {
    let delays = list
        .split(',')
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .ok()
                .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                .ok_or_else(|| format!("SANDBOX_NOTIFY_SCHEDULE: `{}` is not a number of seconds", s.trim()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(delays)
}

async fn run_serve() -> Result<(), String> {
    init_logging();
    let (addr, config) = config()?;
    let public_url = config.public_url.clone();
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let sandbox = Sandbox::new(config);
    tracing::info!(%addr, %public_url, "payment sandbox listening (orders are kept in memory only)");
    // `sandbox::serve` without the graceful shutdown, which only a real process needs.
    axum::serve(listener, sandbox.router())
        .with_graceful_shutdown(stop_requested())
        .await
        .map_err(|e| format!("server stopped: {e}"))?;
    tracing::info!("payment sandbox stopped");
    Ok(())
}

/// Resolves when the process is asked to stop: Ctrl+C, or SIGTERM where there are signals.
async fn stop_requested() {
    #[cfg(unix)]
    if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term.recv() => {} }
        return;
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Writes `DIR/{platform,merchant}.{key,pub}`, leaving every existing file alone. A missing
/// public key is derived from an existing private key; a public key whose private key is
/// gone is an error, since a fresh private key could not match it.
fn keygen(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for name in ["platform", "merchant"] {
        let key_path = dir.join(format!("{name}.key"));
        let pub_path = dir.join(format!("{name}.pub"));
        let key = if key_path.exists() {
            println!("kept {} (exists)", key_path.display());
            let text =
                std::fs::read_to_string(&key_path).map_err(|e| format!("cannot read {}: {e}", key_path.display()))?;
            SigningKey::from_hex(&text).map_err(|e| format!("{}: {e}", key_path.display()))?
        } else {
            if pub_path.exists() {
                return Err(format!(
                    "{} exists without {}; restore the private key or remove the public one",
                    pub_path.display(),
                    key_path.display()
                ));
            }
            let hex = SigningKey::generate_hex();
            write_new(&key_path, &hex, true)?;
            println!("wrote {}", key_path.display());
            SigningKey::from_hex(&hex).map_err(|e| format!("generated key: {e}"))?
        };
        if pub_path.exists() {
            println!("kept {} (exists)", pub_path.display());
        } else {
            write_new(&pub_path, &key.public().to_hex(), false)?;
            println!("wrote {}", pub_path.display());
        }
    }
    Ok(())
}

/// Creates `path` (failing if it exists); a private key is readable by its owner only from
/// the moment the file exists, not after a later chmod.
fn write_new(path: &Path, text: &str, private: bool) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(format!("{text}\n").as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_and_merchant_lists_parse_or_say_why_not() {
        assert_eq!(
            parse_schedule("0,0.5, 1").unwrap(),
            vec![Duration::ZERO, Duration::from_millis(500), Duration::from_secs(1)]
        );
        assert!(parse_schedule("0,-1").unwrap_err().contains("`-1`"));
        assert!(parse_schedule("0,,1").is_err());
        assert!(parse_schedule("NaN").is_err());
        let key = SigningKey::from_hex(&SigningKey::generate_hex()).unwrap().public().to_hex();
        let merchants = parse_merchants(&format!("NCRE65={key}, NCRE11={key}")).unwrap();
        assert_eq!(merchants.len(), 2);
        assert!(parse_merchants("NCRE65").unwrap_err().contains("merchant_id=publickeyhex"));
        assert!(parse_merchants(&format!("A={key},A={key}")).unwrap_err().contains("twice"));
        assert!(parse_merchants("A=00").is_err());
    }
}
