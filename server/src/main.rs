//! `server` serves the site; `server migrate` applies migrations; `server seed-demo` loads
//! the demo reference data (idempotent); `server validate` checks JSON Lines on stdin with
//! the form rules and writes one verdict per line; `server mail-catcher` runs the local
//! SMTP sink and its viewer (development and tests); `server pay-sandbox [serve|keygen DIR]`
//! runs the sandbox payment platform (also built as the `pay-sandbox` binary).

use server::config::Settings;
use server::{mail_catcher, seed, startup, telemetry};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: rendering a page allocates thousands of small strings
/// from many threads at once, and glibc's arenas showed up as a fifth of the profile of a
/// signed-in page (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if command == "pay-sandbox" {
        // Its own process with its own logging and settings (`server::sandbox::cli`).
        let args: Vec<String> = std::env::args().skip(2).collect();
        return server::sandbox::cli::run(&args).await;
    }
    if command != "validate" {
        // `validate` writes verdicts to stdout and nothing else.
        telemetry::init();
    }
    let result = match command.as_str() {
        "serve" => run_serve().await,
        "migrate" => run_migrate().await,
        "seed-demo" => run_seed().await,
        "seed-candidates" => run_seed_candidates().await,
        "validate" => run_validate(),
        "mail-catcher" => mail_catcher::run().await,
        other => Err(format!(
            "unknown command `{other}`; use serve, migrate, seed-demo, seed-candidates, validate or mail-catcher"
        )
        .into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "stopped");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyResult = Result<(), Box<dyn std::error::Error>>;

async fn run_serve() -> AnyResult {
    startup::serve(Settings::from_env()?).await
}

async fn run_migrate() -> AnyResult {
    let settings = Settings::from_env()?;
    let db = startup::connect(&settings.database_url).await?;
    startup::migrate(&db).await?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn run_seed() -> AnyResult {
    let settings = Settings::from_env()?;
    let db = startup::connect(&settings.database_url).await?;
    let inserted = seed::load_demo(db.write(), chrono::Utc::now()).await?;
    tracing::info!(inserted, "demo data seeded");
    Ok(())
}

/// `server seed-candidates N`: N verified passes for the flow benchmark (`seed::load_passes`),
/// all with the password in `SEED_PASSWORD`, hashed once.
async fn run_seed_candidates() -> AnyResult {
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .ok_or("usage: server seed-candidates N (the password in SEED_PASSWORD)")?;
    let password = std::env::var("SEED_PASSWORD").map_err(|_| "SEED_PASSWORD is not set")?;
    let settings = Settings::from_env()?;
    let key = settings.data_key()?;
    let db = startup::connect(&settings.database_url).await?;
    let hash = app::server::password::Passwords::new(1).hash(password.into()).await?;
    let added = seed::load_passes(db.write(), &key, n, &hash, chrono::Utc::now()).await?;
    tracing::info!(added, "flow candidates seeded");
    Ok(())
}

fn run_validate() -> AnyResult {
    use std::io::{BufRead, Write};
    let ctx = app::validation::Ctx::new(app::server::Clock::System.today());
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.split(b'\n') {
        let line = line?;
        // A line that is not UTF-8 is judged like any other malformed line.
        let text = String::from_utf8_lossy(&line);
        let verdict = app::validation::verdict::judge_line(text.trim_end_matches('\r'), &ctx);
        serde_json::to_writer(&mut out, &verdict)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
