//! Passwords follow NIST SP 800-63B-4: at least 15 characters (counted as characters, not
//! bytes), long passphrases welcome, common or easily guessed ones and ones containing the
//! e-mail refused, no composition rules. The CLI's `user create` applies the policy.

use crate::helpers::{Backend, TestApp};

/// `attune user create` with `password`: (succeeded, stderr).
async fn create_user(app: &TestApp, email: &str, password: &str) -> (bool, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(["user", "create", "--org", "acme", "--email", email])
        .env("ATTUNE_DB", &app.db_url)
        .env("ATTUNE_LOG", "warn")
        .env("ATTUNE_PASSWORD", password)
        .output()
        .await
        .expect("run attune user create");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn weak_passwords_are_refused_with_the_reason() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let refused = [
        ("aaaaaaaaaa", "needs at least 15"),
        ("password12", "needs at least 15"),
        ("          ", "needs at least 15"),
        // Long enough, but guessed at once.
        ("aaaaaaaaaaaaaaaaaaaa", "easy to guess"),
        ("password12345678", "easy to guess"),
        ("                    ", "easy to guess"),
        // Ten Urdu characters are 19 bytes: still too short.
        ("چائے کا کپ", "needs at least 15"),
        // The e-mail's name part inside.
        ("xq7 amrit.kaur vz9 lp", "e-mail"),
    ];
    for (password, why) in refused {
        let (ok, stderr) = create_user(&app, "amrit.kaur@acme.example", password).await;
        assert!(!ok, "`{password}` was accepted");
        assert!(stderr.contains(why), "`{password}`: {stderr}");
    }
    let long = "x".repeat(257);
    let (ok, stderr) = create_user(&app, "amrit.kaur@acme.example", &long).await;
    assert!(!ok && stderr.contains("at most 256"), "{stderr}");
}

#[tokio::test]
async fn good_passphrases_in_any_script_are_accepted() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let accepted = [
        ("one@acme.example", "correct horse battery staple"),
        // Punjabi (Gurmukhi) and Urdu passphrases.
        ("two@acme.example", "ਸਵੇਰੇ ਦੀ ਚਾਹ ਨਾਲ ਮੱਠੀ"),
        ("three@acme.example", "صبح کی چائے کے ساتھ بسکٹ"),
        // 64 characters and no composition rules.
        (
            "four@acme.example",
            "the quick brown fox jumps over the lazy dog by the old mill pond",
        ),
    ];
    for (email, password) in accepted {
        let (ok, stderr) = create_user(&app, email, password).await;
        assert!(ok, "`{password}` was refused: {stderr}");
    }
}
