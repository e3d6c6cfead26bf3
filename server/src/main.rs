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
        /// Also give every pass a draft registration (agreement and information saved).
        #[arg(long)]
        registrations: bool,
    },
    /// Copy the SQLite database in DATABASE_URL to a new file at PATH while the site serves
    /// (a consistent copy, checked before it is named PATH; docs/OPERATIONS.md says how to
    /// restore it).
    Backup {
        /// The backup's file name (must not exist yet).
        path: std::path::PathBuf,
    },
    /// Check JSON Lines on stdin with the form rules; one verdict per line on stdout.
    Validate,
    /// Run the development mail catcher: an SMTP sink and a viewer of what it caught.
    MailCatcher,
    /// The staff console's accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account and print its one-time set-password link (valid 72 hours).
    /// The account enrols its authenticator app at its first sign-in.
    Add {
        /// The account's e-mail address (its sign-in name).
        #[arg(long)]
        email: String,
        /// The person's name, as the console shows it.
        #[arg(long)]
        name: String,
        /// `province` (every site of the province) or `site` (only the sites given).
        #[arg(long)]
        role: String,
        /// The province's two-digit code (default: the first two digits of the first site).
        #[arg(long)]
        province: Option<String>,
        /// A site the account acts for (6 digits; repeat for several). Site accounts only.
        #[arg(long = "site")]
        sites: Vec<String>,
    },
    /// Print the code a TOTP secret gives now, as an authenticator app would (development
    /// and tests: the demo accounts' secrets are printed by scripts/run).
    Code {
        /// The secret in base32, as shown at enrolment (spaces allowed).
        secret: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = Cli::parse().command.unwrap_or(Command::Serve);
    // `validate` and `staff` write their answers to stdout and nothing else.
    if !matches!(command, Command::Validate | Command::Staff { .. }) {
        telemetry::init();
    }
    let result = match command {
        Command::Serve => run_serve().await,
        Command::Migrate => run_migrate().await,
        Command::SeedDemo => run_seed().await,
        Command::SeedCandidates { n, registrations } => run_seed_candidates(n, registrations).await,
        Command::Backup { path } => run_backup(&path).await,
        Command::Validate => run_validate(),
        Command::MailCatcher => mail_catcher::run().await,
        Command::Staff { command } => run_staff(command).await,
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

async fn run_backup(path: &std::path::Path) -> AnyResult {
    let settings = Settings::from_env()?;
    let db = startup::connect(&settings.database_url).await?;
    let started = std::time::Instant::now();
    let done = server::backup::sqlite_into(db.write(), path).await?;
    let ms = started.elapsed().as_millis() as u64;
    tracing::info!(path = %done.path.display(), bytes = done.bytes, ms, "backup written and checked");
    Ok(())
}

async fn run_seed() -> AnyResult {
    let settings = Settings::from_env()?;
    let db = startup::connect(&settings.database_url).await?;
    let now = chrono::Utc::now();
    let inserted = seed::load_demo(db.write(), now).await?;
    let staff = seed::load_demo_staff(db.write(), &settings.data_key()?, now).await?;
    tracing::info!(inserted, staff, "demo data seeded");
    // Development only: the demo console accounts, for whoever runs scripts/run.
    println!("管理系统演示账号（仅供开发，密码 {}）：", seed::DEMO_STAFF_PASSWORD);
    for demo in &seed::DEMO_STAFF {
        println!("  {}（{}）验证器密钥 {}", demo.email, demo.name, demo.totp_secret);
    }
    println!("  当前验证码：server staff code <密钥>");
    Ok(())
}

/// `server seed-candidates N`: N verified passes for the flow benchmark (`seed::load_passes`),
/// all with the password in `SEED_PASSWORD`, hashed once.
async fn run_seed_candidates(n: usize, registrations: bool) -> AnyResult {
    let password = std::env::var("SEED_PASSWORD").map_err(|_| "SEED_PASSWORD is not set")?;
    let settings = Settings::from_env()?;
    let key = settings.data_key()?;
    let db = startup::connect(&settings.database_url).await?;
    let hash = app::server::passes::password::Passwords::new(1, Default::default()).hash(password.into()).await?;
    let added = seed::load_passes(db.write(), &key, n, &hash, chrono::Utc::now()).await?;
    tracing::info!(added, "flow candidates seeded");
    if registrations {
        let added = seed::registrations_for_every_pass(db.write(), chrono::Utc::now()).await?;
        tracing::info!(added, "draft registrations seeded");
    }
    Ok(())
}

async fn run_staff(command: StaffCommand) -> AnyResult {
    use app::server::entity::staff::Role;
    match command {
        StaffCommand::Add { email, name, role, province, sites } => {
            let email = app::domain::contact::Email::parse(email.trim())
                .map_err(|_| format!("--email: {email} is not an e-mail address"))?;
            let role = match role.as_str() {
                "province" => Role::Province,
                "site" => Role::Site,
                other => return Err(format!("--role: {other}: use province or site").into()),
            };
            if let Some(bad) = sites.iter().find(|s| s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit())) {
                return Err(format!("--site: {bad}: a site code is 6 digits").into());
            }
            // A site account's province is its sites'; `add` says what is missing.
            let province = province.or_else(|| sites.first().map(|s| s[..2].to_owned())).unwrap_or_default();
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err("--name: give the person's name".into());
            }
            let settings = Settings::from_env()?;
            let db = startup::connect(&settings.database_url).await?;
            let new = app::server::staff::NewStaff {
                email: email.as_str().to_owned(),
                name,
                role,
                province_code: province,
                sites,
            };
            let link =
                app::server::staff::accounts::add(db.write(), &settings.public_url, &new, chrono::Utc::now()).await??;
            println!("{link}");
            Ok(())
        }
        StaffCommand::Code { secret } => {
            let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
            let now = u64::try_from(chrono::Utc::now().timestamp()).map_err(|_| "clock before 1970")?;
            let totp = app::server::staff::totp::code_at(&secret, app::server::staff::totp::step_of(now))?;
            println!("{totp}");
            Ok(())
        }
    }
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
