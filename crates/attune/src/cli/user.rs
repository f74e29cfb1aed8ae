//! `attune user`: people who log in.

use anyhow::Context;
use attune::config::Config;
use attune::db;
use attune_domain::org::Role;
use attune_domain::text::Email;
use attune_storage::prelude::*;
use clap::Subcommand;

use super::org_by_slug;

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create a user. The password is read from ATTUNE_PASSWORD or prompted for, never taken
    /// from an argument. It needs at least 15 characters (up to 256, any script; a few
    /// unrelated words work well), must not be common or easily guessed, nor contain the
    /// e-mail; there are no rules about digits or symbols.
    Create {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// admin, member or viewer.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Forget the failed logins of a user, so they can log in at once (the login back-off
    /// otherwise ends by itself, within `login_backoff_max_secs`).
    ClearBackoff {
        /// The user's login e-mail.
        email: String,
    },
}

fn password_from_env_or_prompt() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if let Ok(p) = std::env::var("ATTUNE_PASSWORD") {
        return Ok(p);
    }
    let prompt = format!("Password ({}): ", attune_web::password::requirements());
    if std::io::stdin().is_terminal() {
        // Typed at a terminal: not echoed.
        return rpassword::prompt_password(prompt).context("reading the password");
    }
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Runs `attune user …`.
pub(crate) async fn run(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let store = db::open(&config.db).await?;
    match command {
        UserCommand::Create { org, email, role } => {
            let org = org_by_slug(&store, &org).await?;
            let email = Email::parse(&email)?;
            let role = Role::parse(&role)?;
            let password = password_from_env_or_prompt()?;
            attune_web::password::check(&password, email.as_str())
                .map_err(|e| anyhow::anyhow!("password refused: {e}"))?;
            let hash = attune_web::auth::hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            let user = store
                .create_user(&org.id, email.as_str(), &hash, role)
                .await
                .context("creating the user (is the e-mail already taken?)")?;
            println!("created {} ({}) in {}", user.email, role.as_str(), org.slug);
        }
        UserCommand::ClearBackoff { email } => {
            let (user, _) = store
                .user_for_login(&email)
                .await
                .with_context(|| format!("no user with e-mail `{email}`"))?;
            let cleared = store
                .clear_login_backoff(&user.org_id, &user.email)
                .await
                .context("clearing the login back-off")?;
            if cleared {
                println!("cleared the failed logins of {}", user.email);
            } else {
                println!("{} had no failed logins to clear", user.email);
            }
        }
    }
    Ok(())
}
