//! `commonhold`: the one binary. `serve` runs the hub; the admin commands (users, organisations,
//! tokens, fsck, reindex) work on the same data directory or database, also while a server is
//! running.

mod admin;
mod cmd_assess;
mod config;
mod demo;
mod hub_release;
mod knowledge;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use config::GlobalArgs;

/// A sovereign hub for open AI: hold models and datasets (Hugging Face Hub compatible), assess
/// their openness, publish a catalogue.
#[derive(Parser)]
#[command(name = "commonhold", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub server (creates the data directory and an admin user on first start).
    Serve(serve::ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage organisations.
    #[command(subcommand)]
    Org(admin::OrgCommand),
    /// Create, list and revoke access tokens.
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Verify every stored object against its hash and every ref against the object graph.
    Fsck(admin::FsckArgs),
    /// Rebuild the catalogue's search index from every repository's README (after a restore,
    /// or when search results look stale). Safe while servers run; they pick the result up.
    Reindex,
    /// Assess the openness of a release directory, or of a repository on a hub with `--hub`
    /// (MOF class, OSAID, tier, findings).
    Assess(cmd_assess::AssessArgs),
    /// Re-assess every repository with the definition and knowledge file in force, and report
    /// each change of tier or findings (also listed on /settings/reassessments).
    Reassess(admin::ReassessArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `assess` is offline and needs no data directory, configuration or async runtime.
    if let Command::Assess(args) = cli.command {
        return match cmd_assess::run(args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = match config::Settings::load(&cli.global) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(settings, args).await,
            Command::User(cmd) => admin::user(settings, cmd).await,
            Command::Org(cmd) => admin::org(settings, cmd).await,
            Command::Token(cmd) => admin::token(settings, cmd).await,
            Command::Fsck(args) => admin::fsck(settings, args).await,
            Command::Reindex => admin::reindex(settings).await,
            Command::Reassess(args) => admin::reassess(settings, args).await,
            Command::Assess(_) => unreachable!("handled before the runtime starts"),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
