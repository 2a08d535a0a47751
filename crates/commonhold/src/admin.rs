//! Admin commands: users, organisations (and their provider-register entries), tokens, fsck,
//! reindex.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use commonhold_hub::{FsckOptions, Hub, HubError, generate_token, hash_token};
use commonhold_meta::{AccountKind, MetaError, MetaStore, OrgRole};
use commonhold_types::{Role, validate_account_name};

use crate::config::Settings;
use crate::serve::open_hub;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create a user (then give it a token with `commonhold token create --user NAME`).
    Add {
        /// The user name (letters, digits, '-', '_', '.').
        name: String,
        /// Make the user a hub administrator (sees and manages every repo).
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum OrgCommand {
    /// Create an organisation, or add members to an existing one.
    Add {
        /// The organisation name; created if it does not exist.
        name: String,
        /// A user to add as a member (repeatable).
        #[arg(long, value_name = "USER")]
        member: Vec<String>,
        /// The members' role: admin, write or read.
        #[arg(long, default_value = "write")]
        role: String,
    },
    /// Show an account's provider-register entry (the due-diligence fields on its catalogue
    /// page), or change it: only the fields given change, and an empty text clears one.
    Provider {
        /// The organisation (or user) name.
        name: String,
        /// Where to report security issues: an e-mail address or a URL.
        #[arg(long, value_name = "TEXT")]
        security_contact: Option<String>,
        /// How the provider handles personal and training data.
        #[arg(long, value_name = "TEXT")]
        data_handling: Option<String>,
        /// Whether the hub's operators have verified the provider.
        #[arg(long, value_name = "true|false")]
        verified: Option<bool>,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user; prints only the token on stdout.
    Create {
        /// The user the token acts as.
        #[arg(long)]
        user: String,
        /// read or write
        #[arg(long, default_value = "read")]
        role: String,
        /// A label to find the token by later (e.g. "ci").
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a user's tokens with the given label.
    Revoke {
        /// The user whose token to revoke.
        #[arg(long)]
        user: String,
        /// The label given at creation (`token list` shows them).
        #[arg(long)]
        name: String,
    },
    /// List a user's tokens (labels and roles; tokens themselves are never stored).
    List {
        /// The user whose tokens to list.
        #[arg(long)]
        user: String,
    },
}

/// The hub, and its metadata store for the operator's account commands.
async fn hub(settings: &Settings) -> anyhow::Result<(Hub, MetaStore)> {
    let url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.listen));
    open_hub(settings, url).await
}

/// Creates the `admin` user and a first write token on a fresh hub; `None` if it exists.
pub async fn ensure_admin(meta: &MetaStore) -> anyhow::Result<Option<String>> {
    if meta.account_by_name("admin").await?.is_some() {
        return Ok(None);
    }
    let admin = match meta.create_user("admin", true).await {
        Ok(a) => a,
        // Another process sharing the database won the race: it printed the token.
        Err(MetaError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let token = generate_token();
    meta.create_token(admin.id, "initial", Role::Write, &hash_token(&token))
        .await?;
    Ok(Some(token))
}

async fn user_id(meta: &MetaStore, name: &str) -> anyhow::Result<i64> {
    match meta.account_by_name(name).await? {
        Some(a) if a.kind == AccountKind::User => Ok(a.id),
        Some(_) => bail!("{name} is an organisation, not a user"),
        None => bail!("no user named {name}; create it with `commonhold user add {name}`"),
    }
}

pub async fn user(settings: Settings, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let (_, meta) = hub(&settings).await?;
    match cmd {
        UserCommand::Add { name, admin } => {
            validate_account_name(&name)?;
            meta.create_user(&name, admin).await.map_err(user_msg)?;
            eprintln!(
                "created user {name}; give it a token with `commonhold token create --user {name} --role write`"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn user_msg(e: MetaError) -> anyhow::Error {
    match e {
        MetaError::Conflict(m) | MetaError::Invalid(m) => anyhow::anyhow!("{m}"),
        other => other.into(),
    }
}

pub async fn org(settings: Settings, cmd: OrgCommand) -> anyhow::Result<ExitCode> {
    let (_, meta) = hub(&settings).await?;
    match cmd {
        OrgCommand::Add { name, member, role } => org_add(&meta, &name, &member, &role).await,
        OrgCommand::Provider {
            name,
            security_contact,
            data_handling,
            verified,
        } => provider(&meta, &name, security_contact, data_handling, verified).await,
    }
}

async fn org_add(
    meta: &MetaStore,
    name: &str,
    member: &[String],
    role: &str,
) -> anyhow::Result<ExitCode> {
    let role = match role {
        "admin" => OrgRole::Admin,
        "write" => OrgRole::Write,
        "read" => OrgRole::Read,
        other => bail!("unknown role {other:?}: use admin, write or read"),
    };
    let org = match meta.account_by_name(name).await? {
        Some(a) if a.kind == AccountKind::Org => a,
        Some(_) => bail!("{name} is a user, not an organisation"),
        None => {
            validate_account_name(name)?;
            let org = meta.create_org(name).await.map_err(user_msg)?;
            eprintln!("created organisation {name}");
            org
        }
    };
    for m in member {
        let uid = user_id(meta, m).await?;
        meta.add_member(org.id, uid, role).await?;
        eprintln!("{m} is now a member of {name} ({})", role.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

/// `org provider`: sets the fields given, then prints the entry.
async fn provider(
    meta: &MetaStore,
    name: &str,
    security_contact: Option<String>,
    data_handling: Option<String>,
    verified: Option<bool>,
) -> anyhow::Result<ExitCode> {
    let Some(account) = meta.account_by_name(name).await? else {
        bail!("no organisation or user named {name}; create one with `commonhold org add {name}`");
    };
    let mut profile = meta.provider_profile(account.id).await?;
    if security_contact.is_some() || data_handling.is_some() || verified.is_some() {
        profile
            .apply(security_contact, data_handling, verified)
            .map_err(user_msg)?;
        meta.set_provider_profile(account.id, &profile).await?;
        eprintln!("updated the provider register entry of {}", account.name);
    }
    let unset = "(not set)";
    println!("provider:         {}", account.name);
    println!(
        "security contact: {}",
        profile.security_contact.as_deref().unwrap_or(unset)
    );
    println!(
        "data handling:    {}",
        profile.data_handling.as_deref().unwrap_or(unset)
    );
    println!(
        "verified:         {}",
        if profile.verified { "yes" } else { "no" }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn token(settings: Settings, cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let (_, meta) = hub(&settings).await?;
    match cmd {
        TokenCommand::Create { user, role, name } => {
            let role = Role::parse(&role)
                .with_context(|| format!("unknown role {role:?}: use read or write"))?;
            let uid = user_id(&meta, &user).await?;
            let token = generate_token();
            meta.create_token(uid, &name, role, &hash_token(&token))
                .await?;
            println!("{token}");
        }
        TokenCommand::Revoke { user, name } => {
            let uid = user_id(&meta, &user).await?;
            let n = meta.revoke_token(uid, &name).await?;
            if n == 0 {
                bail!(
                    "{user} has no active token named {name:?}; see `commonhold token list --user {user}`"
                );
            }
            eprintln!("revoked {n} token(s) named {name:?} of {user}");
        }
        TokenCommand::List { user } => {
            let uid = user_id(&meta, &user).await?;
            for t in meta.list_tokens(uid).await? {
                let state = if t.revoked { "revoked" } else { "active" };
                println!("{}\t{}\t{state}", t.display_name, t.role.as_str());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Flags of `fsck`.
#[derive(Debug, clap::Args)]
pub struct FsckArgs {
    /// Also delete the downloads' copies of large git blobs that are bad or that no repo
    /// reaches any more (a deleted repo's); the next download of such a file makes it again.
    #[arg(long)]
    pub prune_copies: bool,
}

pub async fn fsck(settings: Settings, args: FsckArgs) -> anyhow::Result<ExitCode> {
    let (hub, _) = hub(&settings).await?;
    let options = FsckOptions {
        prune_copies: args.prune_copies,
    };
    let report = hub
        .fsck_with(options, &|step| eprintln!("fsck: {step}..."))
        .await
        .map_err(|e: HubError| anyhow::anyhow!("{e}"))?;
    for p in &report.problems {
        println!("{p}");
    }
    let verb = if args.prune_copies {
        "removed"
    } else {
        "unused (remove with --prune-copies)"
    };
    for (oid, size) in &report.orphan_copies {
        println!("copy of git blob {oid} ({size} bytes) is reached by no repo: {verb}");
    }
    eprintln!(
        "fsck: {} git objects, {} blobs, {} xorbs, {} Xet files, {} copies of git blobs, {} refs checked; {} problem(s); {} unused copies, {} copies removed",
        report.objects,
        report.blobs,
        report.xorbs,
        report.xet_files,
        report.blob_copies,
        report.refs,
        report.problems.len(),
        report.orphan_copies.len(),
        report.removed_copies
    );
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `reindex`: recomputes every repo's entry in the catalogue's persisted search index.
pub async fn reindex(settings: Settings) -> anyhow::Result<ExitCode> {
    let (hub, _) = hub(&settings).await?;
    let started = Instant::now();
    let mut reported = Instant::now();
    let n = hub
        .reindex_catalogue(|done, total| {
            if done == total || reported.elapsed() >= Duration::from_secs(1) {
                eprintln!("reindex: {done}/{total} repos");
                reported = Instant::now();
            }
        })
        .await
        .map_err(|e: HubError| anyhow::anyhow!("{e}"))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "reindexed {n} repos in {secs:.2} s ({:.0} repos/s)",
        n as f64 / secs.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

/// `reassess`: re-assesses every repo with the definition and knowledge file in force, and
/// says what changed (also on `/settings/reassessments` and in the log).
pub async fn reassess(settings: Settings, args: ReassessArgs) -> anyhow::Result<ExitCode> {
    let (hub, _) = hub(&settings).await?;
    let run = hub
        .queue_reassess("requested with `commonhold reassess`")
        .await
        .map_err(|e: HubError| anyhow::anyhow!("{e}"))?;
    if args.queue {
        println!(
            "re-assessment run {} queued; a running server works it in the background",
            run.id
        );
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let Some(summary) = hub
        .run_reassess(run.id)
        .await
        .map_err(|e: HubError| anyhow::anyhow!("{e}"))?
    else {
        println!(
            "re-assessment run {} is being worked by a running server; see /settings/reassessments",
            run.id
        );
        return Ok(ExitCode::SUCCESS);
    };
    for c in &summary.changed {
        println!(
            "{} {}: {} -> {}{}{}",
            c.repo_type,
            c.repo_name,
            c.tier_before.as_deref().unwrap_or("unassessed"),
            c.tier_after,
            if c.findings_added.is_empty() {
                String::new()
            } else {
                format!(", new findings {}", c.findings_added.join(" "))
            },
            if c.findings_removed.is_empty() {
                String::new()
            } else {
                format!(", findings gone {}", c.findings_removed.join(" "))
            },
        );
    }
    println!(
        "re-assessed {} repos in {:.1} s (run {}): {} changed",
        summary.repos,
        started.elapsed().as_secs_f64(),
        summary.run_id,
        summary.changed.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Flags of `reassess`.
#[derive(Debug, clap::Args)]
pub struct ReassessArgs {
    /// Only queue the run for a running server to work in the background.
    #[arg(long)]
    pub queue: bool,
}
