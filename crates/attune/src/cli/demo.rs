//! `attune demo`: the demo organisation.

use attune::config::Config;
use attune::{db, demo};

use super::now_ms;

/// Creates the demo organisation and prints how to log in.
pub(crate) async fn run(config: &Config) -> anyhow::Result<()> {
    let store = db::open(&config.db).await?;
    let password = std::env::var("ATTUNE_PASSWORD").ok();
    let d = demo::create(&store, password, now_ms()).await?;
    print_demo(&d, &config.bind);
    Ok(())
}

/// The login on stderr, the token alone on stdout.
pub(crate) fn print_demo(d: &demo::DemoOutcome, bind: &str) {
    eprintln!(
        "Demo organisation `{}` is ready with {} responses.\n  Log in at http://{bind}/login as {} with password {}\n  API token (shown once):",
        d.org.slug, d.responses, d.email, d.password
    );
    println!("{}", d.token);
}
