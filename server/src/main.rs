//! The `server` command: serves the site, and the few jobs that run beside it. `server --help`
//! lists them; `server SUBCOMMAND --help` says what one does. With no subcommand it serves.

use clap::{Parser, Subcommand};
use server::config::Settings;
use server::{mail_catcher, seed, startup, telemetry};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: rendering a page allocates thousands of small strings
/// from many threads at once, and glibc's arenas showed up as a fifth of the profile of a
/// signed-in page (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The NCRE registration site (全国计算机等级考试网上报名). Settings come from the
/// environment (.env.sample lists them all).
#[derive(Parser)]
#[command(name = "server", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site on LEPTOS_SITE_ADDR (the default when no subcommand is given).
    Serve,
    /// Apply the database migrations to DATABASE_URL.
    Migrate,
    /// Load the demo reference data: a session, three exam sites, subjects, fees, seats and
    /// notices (idempotent).
    SeedDemo,
    /// Add N verified passes flow-<i>@example.com for the flow benchmark, all with the
    /// password in SEED_PASSWORD.
    SeedCandidates {
        /// How many passes to add.
        n: usize,
    },
    /// Check JSON Lines on stdin with the form rules; one verdict per line on stdout.
    Validate,
    /// Run the development mail catcher: an SMTP sink and a viewer of what it caught.
    MailCatcher,
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = Cli::parse().command.unwrap_or(Command::Serve);
    // `validate` writes verdicts to stdout and nothing else.
    if !matches!(command, Command::Validate) {
        telemetry::init();
    }
    let result = match command {
        Command::Serve => run_serve().await,
        Command::Migrate => run_migrate().await,
        Command::SeedDemo => run_seed().await,
        Command::SeedCandidates { n } => run_seed_candidates(n).await,
        Command::Validate => run_validate(),
        Command::MailCatcher => mail_catcher::run().await,
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
async fn run_seed_candidates(n: usize) -> AnyResult {
    let password = std::env::var("SEED_PASSWORD").map_err(|_| "SEED_PASSWORD is not set")?;
    let settings = Settings::from_env()?;
    let key = settings.data_key()?;
    let db = startup::connect(&settings.database_url).await?;
    let hash = app::server::passes::password::Passwords::new(1).hash(password.into()).await?;
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
