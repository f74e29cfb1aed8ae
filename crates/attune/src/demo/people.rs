//! The demo's people: the organisation and its staff, fifty customer accounts with a lasting
//! mood each, and four contacts per account in the customers' languages.

use anyhow::Context;
use attune_domain::org::Role;
use attune_storage::Store;
use attune_storage::model::{Account, AccountUpsert, ContactUpsert, Org};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

use super::{generate_password, pick};

const PLANS: &[&str] = &["Starter", "Growth", "Enterprise"];
const SIZES: &[&str] = &["1-10", "11-50", "51-200", "201-1000", "1000+"];
const INDUSTRIES: &[&str] = &[
    "Retail",
    "Hospitality",
    "Logistics",
    "Healthcare",
    "Education",
    "Software",
];
const REGIONS: &[&str] = &[
    "South Asia",
    "Southeast Asia",
    "Middle East",
    "Europe",
    "Latin America",
    "North America",
];
const COMPANY_WORDS: &[&str] = &[
    "Lotus", "Indus", "Mekong", "Saffron", "Harbor", "Cedar", "Monsoon", "Atlas", "Orchid",
    "Falcon", "Summit", "Delta", "Jasmine", "Pioneer", "Banyan", "Coral", "Nimbus", "Tiger",
    "Willow", "Zenith", "Amber", "Bridge", "Comet", "Dune", "Ember",
];
const COMPANY_KINDS: &[&str] = &["Traders", "Hotels"];
const FIRST_NAMES: &[&str] = &[
    "Aarav", "Simran", "Noy", "Bounmy", "Ayesha", "Imran", "Rahim", "Nusrat", "Priya", "Somchai",
    "Yuki", "Wei", "Lucía", "Omar", "Emma", "Kenji", "Mei", "Diego", "Fatima", "Arjun",
];
/// Language mix of respondents, by region's usual languages.
const LANGS: &[&str] = &[
    "en", "en", "en", "es", "pa", "lo", "ur", "bn", "hi", "th", "ja", "zh", "ar",
];

/// The demo's contacts: (e-mail, language, account external id, the account's bias).
pub(super) type DemoContacts = Vec<(String, &'static str, Option<String>, f64)>;

/// The demo organisation, its admin (with the given or a generated password), three staff
/// who own accounts, and an admin API token.
pub(super) struct DemoStaff {
    pub(super) org: Org,
    pub(super) email: String,
    pub(super) password: String,
    pub(super) owners: Vec<String>,
    pub(super) token: String,
}

pub(super) async fn demo_staff(
    store: &dyn Store,
    password: Option<String>,
) -> anyhow::Result<DemoStaff> {
    let org = store
        .create_org("Demo")
        .await
        .context("creating the Demo organisation")?;
    let email = if org.slug == "demo" {
        "admin@demo.attune.local".to_owned()
    } else {
        format!("admin@{}.attune.local", org.slug)
    };
    let password = match password {
        Some(p) => {
            attune_web::password::check(&p, &email)
                .map_err(|e| anyhow::anyhow!("ATTUNE_PASSWORD is refused: {e}"))?;
            p
        }
        None => generate_password(&email)?,
    };
    let hash = attune_web::auth::hash_password(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {}", e.message()))?;
    store
        .create_user(&org.id, &email, &hash, Role::Admin)
        .await
        .context("creating the demo admin")?;
    let mut owners = Vec::new();
    for name in ["ana", "bilal", "chen"] {
        let staff = format!("{name}@{}.attune.local", org.slug);
        let u = store
            .create_user(&org.id, &staff, &hash, Role::Member)
            .await?;
        owners.push(u.id);
    }
    let token = attune_web::auth::new_api_token();
    store
        .create_token(
            &org.id,
            &attune_web::auth::sha256_hex(&token),
            Role::Admin,
            "demo",
        )
        .await?;

    Ok(DemoStaff {
        org,
        email,
        password,
        owners,
        token,
    })
}

/// Fifty accounts, each with a lasting bias: some customers are happier than others.
pub(super) async fn demo_accounts(
    store: &dyn Store,
    org: &Org,
    rng: &mut StdRng,
    owners: &[String],
) -> anyhow::Result<Vec<(Account, f64)>> {
    // Accounts, each with a lasting bias: some customers are happier than others.
    let mut accounts = Vec::new();
    for i in 0..50 {
        let name = format!(
            "{} {}",
            COMPANY_WORDS[i % COMPANY_WORDS.len()],
            COMPANY_KINDS[i / COMPANY_WORDS.len()]
        );
        let plan = *pick(rng, PLANS);
        let a = AccountUpsert {
            external_id: format!("ACME-{:04}", i + 1),
            name,
            plan: Some(plan.into()),
            size_band: Some((*pick(rng, SIZES)).into()),
            industry: Some((*pick(rng, INDUSTRIES)).into()),
            region: Some((*pick(rng, REGIONS)).into()),
            owner_user_id: Some(owners[i % owners.len()].clone()),
            attributes: serde_json::Map::from_iter([(
                "budget".to_owned(),
                json!(*pick(rng, &["low", "medium", "high"])),
            )]),
            ..AccountUpsert::default()
        };
        let saved = store.upsert_account(&org.id, &a).await?;
        let bias = match plan {
            "Enterprise" => 0.6,
            "Starter" => -0.7,
            _ => 0.0,
        } + rng.random_range(-0.8..0.8);
        accounts.push((saved, bias));
    }
    Ok(accounts)
}

/// Four contacts per account, each with a language: (e-mail, language, account, bias).
pub(super) async fn demo_contacts(
    store: &dyn Store,
    org: &Org,
    rng: &mut StdRng,
    accounts: &[(Account, f64)],
) -> anyhow::Result<DemoContacts> {
    // Four contacts per account, each with a language.
    let mut contacts = Vec::new();
    for (i, (account, bias)) in accounts.iter().enumerate() {
        for j in 0..4 {
            let lang = *pick(rng, LANGS);
            let first = FIRST_NAMES[(i * 4 + j) % FIRST_NAMES.len()];
            let email = format!(
                "{}.{}@{}.example",
                first.to_lowercase().replace('í', "i"),
                i * 4 + j,
                account
                    .external_id
                    .as_deref()
                    .unwrap_or("acct")
                    .to_lowercase()
            );
            let c = ContactUpsert {
                email: email.clone(),
                account_external_id: account.external_id.clone(),
                name: Some(format!("{first} {}", j + 1)),
                phone: None,
                role: Some((*pick(rng, &["CEO", "Operations lead", "IT manager", "Buyer"])).into()),
                decision_maker: j == 0,
                language: Some(lang.into()),
                preferences: serde_json::Map::from_iter([(
                    "channel".to_owned(),
                    json!(*pick(rng, &["email", "phone", "whatsapp"])),
                )]),
            };
            store.upsert_contact(&org.id, &c).await?;
            contacts.push((email, lang, account.external_id.clone(), *bias));
        }
    }
    Ok(contacts)
}
