//! `attune secrets`: the key that seals stored credentials.

use attune::config::Config;
use attune::db;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(crate) enum SecretsCommand {
    /// Print a new random key (32 bytes, base64) for secret_key / ATTUNE_SECRET_KEY or a key
    /// file.
    GenerateKey,
    /// Seal every stored credential again with the current key (secret_key or the key file),
    /// opening each with it or one of previous_secret_keys, in one transaction; afterwards the
    /// previous keys can be removed from the configuration.
    Rotate,
}

/// Runs `attune secrets …`.
pub(crate) async fn run(config: &Config, command: SecretsCommand) -> anyhow::Result<()> {
    match command {
        SecretsCommand::GenerateKey => println!("{}", attune_seal::Key::generate()),
        SecretsCommand::Rotate => {
            let store = db::open(&config.db).await?;
            let r = attune::secrets::rotate(config, &store).await?;
            eprintln!(
                "re-sealed {} stored credentials with key {}: the current key alone opens \
                 everything now, so previous_secret_keys can be emptied",
                r.resealed, r.key_id
            );
        }
    }
    Ok(())
}
