//! `server` serves the site; `server migrate` applies migrations; `server seed-demo` loads
//! the demo reference data (idempotent).

use server::config::Settings;
use server::{seed, startup, telemetry};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    let result = match command.as_str() {
        "serve" => run_serve().await,
        "migrate" => run_migrate().await,
        "seed-demo" => run_seed().await,
        other => Err(format!("unknown command `{other}`; use serve, migrate or seed-demo").into()),
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
    let inserted = seed::load_demo(&db, chrono::Utc::now()).await?;
    tracing::info!(inserted, "demo data seeded");
    Ok(())
}
