//! `attune serve`: the web server and, unless turned off, the job worker beside it.

use std::sync::Arc;

use attune::config::Config;
use attune::db;
use attune::server::Application;

use super::demo::print_demo;
use super::now_ms;

/// Serves until Ctrl-C or SIGTERM, loading the demo first when asked and the database is
/// empty.
pub(crate) async fn run(
    config: &mut Config,
    bind: Option<String>,
    with_demo: bool,
) -> anyhow::Result<()> {
    if let Some(b) = bind {
        config.bind = b;
    }
    let store: Arc<dyn attune_storage::Store> = Arc::new(
        db::open(&config.db)
            .await?
            .with_ingest_queue(config.ingest_queue as usize),
    );
    let removed = store.remove_abandoned_imports(now_ms()).await?;
    if removed > 0 {
        tracing::warn!(removed, "removed unfinished imports whose process had died");
    }
    // Feedback heard in an interaction whose process died before storing its response; the
    // response's dedup key keeps this exactly once even beside another instance doing it too.
    let now = now_ms();
    match attune_app::customers::interactions::finish_pending(store.as_ref(), now, now).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            n,
            "stored the feedback of interactions whose process had died"
        ),
        Err(e) => {
            tracing::error!(error = %e, "could not store the feedback of unfinished interactions")
        }
    }
    // Postings written by an older analysis are rewritten beside live traffic, not before it.
    let reindexing = attune::reindex::spawn_outdated(store.clone());
    if with_demo {
        if store.list_orgs().await?.is_empty() {
            eprintln!("loading the demo organisation (about 20,000 responses)…");
            let password = std::env::var("ATTUNE_PASSWORD").ok();
            let d = attune::demo::create(store.as_ref(), password, now_ms()).await?;
            print_demo(&d, &config.bind);
        } else {
            eprintln!("the database already has organisations; not loading the demo again");
        }
    }
    let app = Application::build(config, store.clone(), Arc::new(attune_web::SystemClock)).await?;
    let addr = app.addr()?;
    tracing::info!(%addr, db = %db::redact(&config.db), "attune is listening");
    eprintln!("Attune is running at http://{addr}/ (Ctrl-C to stop)");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = if config.worker_interval_secs > 0 {
        let w = attune::worker::Worker::new(
            store.clone(),
            attune::server::worker_config(config, store.as_ref()).await?,
        )?;
        let mut stopped = stopped.clone();
        Some(tokio::spawn(w.run_until(
            Arc::new(attune_web::SystemClock),
            std::time::Duration::from_secs(config.worker_interval_secs),
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            },
        )))
    } else {
        None
    };
    app.run().await?;
    reindexing.abort();
    let _ = stop.send(true);
    if let Some(w) = worker {
        let _ = w.await;
    }
    Ok(())
}
