//! The demo organisation: 50 accounts, 200 contacts, three surveys (NPS relationship, CSAT after
//! support, CES) and about 20,000 responses over the last 12 months, with comments in eleven
//! languages. The story it tells: NPS climbs through the year, dips for two months after a price
//! rise (detractors mention price), and recovers; CSAT improves as support gets faster.

mod people;
pub mod phrases;
mod relationships;

use std::collections::BTreeMap;

use anyhow::Context;
use attune_domain::metrics::NpsBand;
use attune_domain::period::DAY_MS;
use attune_domain::response::{Answer, Channel, NewResponse};
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_domain::text::{Email, LanguageTag};
use attune_storage::Store;
use attune_storage::model::{Org, Survey};
use attune_storage::retention::NewSubscription;
use people::{DemoContacts, demo_accounts, demo_contacts, demo_staff};
use phrases::{PHRASES, Phrase, Tone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// What `attune demo` made, to print.
#[derive(Debug)]
pub struct DemoOutcome {
    /// The organisation.
    pub org: Org,
    /// The admin's login.
    pub email: String,
    /// The admin's password.
    pub password: String,
    /// An admin API token.
    pub token: String,
    /// Responses stored.
    pub responses: u64,
}

fn survey(name: &str, questions: serde_json::Value) -> anyhow::Result<SurveyDefinition> {
    let input: SurveyInput = serde_json::from_value(
        json!({"name": name, "default_language": "en", "questions": questions}),
    )
    .context("building a demo survey")?;
    SurveyDefinition::parse(input).map_err(|e| anyhow::anyhow!("demo survey is invalid: {e}"))
}

fn demo_surveys() -> anyhow::Result<[SurveyDefinition; 3]> {
    Ok([
        survey(
            "Relationship NPS",
            json!([
                {"key": "nps", "type": "nps", "required": true, "text": {
                    "en": "How likely are you to recommend us to a friend or colleague?",
                    "es": "¿Qué tan probable es que nos recomiende a un amigo o colega?",
                    "pa": "ਤੁਸੀਂ ਸਾਨੂੰ ਕਿਸੇ ਦੋਸਤ ਜਾਂ ਸਾਥੀ ਨੂੰ ਸਿਫ਼ਾਰਸ਼ ਕਰਨ ਦੀ ਕਿੰਨੀ ਸੰਭਾਵਨਾ ਰੱਖਦੇ ਹੋ?",
                    "lo": "ທ່ານມີແນວໂນ້ມຈະແນະນຳພວກເຮົາໃຫ້ໝູ່ ຫຼື ເພື່ອນຮ່ວມງານຫຼາຍປານໃດ?",
                    "ur": "آپ ہمیں کسی دوست یا ساتھی کو تجویز کرنے کا کتنا امکان رکھتے ہیں؟",
                    "bn": "আপনি আমাদের কোনো বন্ধু বা সহকর্মীর কাছে সুপারিশ করার সম্ভাবনা কতটা?",
                    "hi": "आप हमें किसी मित्र या सहकर्मी को सुझाने की कितनी संभावना रखते हैं?",
                    "th": "คุณมีแนวโน้มที่จะแนะนำเราให้เพื่อนหรือเพื่อนร่วมงานมากน้อยเพียงใด",
                    "ja": "当社を友人や同僚に薦める可能性はどのくらいありますか？",
                    "zh": "您向朋友或同事推荐我们的可能性有多大？",
                    "ar": "ما مدى احتمال أن توصي بنا لصديق أو زميل؟"
                }},
                {"key": "why", "type": "text", "text": {
                    "en": "What is the main reason for your score?",
                    "es": "¿Cuál es el motivo principal de su puntuación?",
                    "ur": "آپ کے اسکور کی بنیادی وجہ کیا ہے؟",
                    "ar": "ما السبب الرئيسي لتقييمك؟"
                }}
            ]),
        )?,
        survey(
            "Support satisfaction (CSAT)",
            json!([
                {"key": "csat", "type": "csat", "required": true, "text": {"en": "How satisfied are you with the help you received?", "es": "¿Qué tan satisfecho está con la ayuda recibida?"}},
                {"key": "comment", "type": "text", "text": {"en": "Anything we could have done better?", "es": "¿Algo que pudimos hacer mejor?"}}
            ]),
        )?,
        survey(
            "Customer effort (CES)",
            json!([
                {"key": "ces", "type": "ces", "required": true, "text": {"en": "How easy was it to get your issue handled?"}},
                {"key": "comment", "type": "text", "text": {"en": "Tell us more"}}
            ]),
        )?,
    ])
}

/// Month-by-month shift of scores: a steady climb, a dip in months 6–7 (price rise), recovery.
fn mood(month: usize) -> f64 {
    let climb = month as f64 * 0.12;
    let dip = if (6..=7).contains(&month) { -1.3 } else { 0.0 };
    climb + dip
}

fn nps_score(rng: &mut StdRng, month: usize, account_bias: f64) -> i64 {
    let x: f64 = 7.7 + mood(month) + account_bias + rng.random_range(-3.8..3.6);
    x.round().clamp(0.0, 10.0) as i64
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn phrase_for(
    rng: &mut StdRng,
    lang: &str,
    tone: Tone,
    topics: &[&str],
) -> Option<&'static Phrase> {
    let topic = *pick(rng, topics);
    let candidates: Vec<&Phrase> = PHRASES
        .iter()
        .filter(|p| p.lang == lang && p.tone == tone && p.topic == topic)
        .collect();
    (!candidates.is_empty()).then(|| *pick(rng, &candidates))
}

/// Yearly contracts for the demo accounts over the last three years: each renews, grows or
/// shrinks, or ends with a reason; unhappier accounts (lower `bias`) leave more often, so the
/// churn audit has something to find.
fn demo_subscriptions(
    rng: &mut StdRng,
    accounts: &[(attune_storage::model::Account, f64)],
    now_ms: i64,
) -> Vec<NewSubscription> {
    const REASONS: &[&str] = &[
        "price",
        "missing feature",
        "moved to a competitor",
        "budget cut",
    ];
    let today = i32::try_from(now_ms.div_euclid(DAY_MS)).unwrap_or(i32::MAX);
    let mut rows = Vec::new();
    for (account, bias) in accounts {
        let Some(id) = account.external_id.clone() else {
            continue;
        };
        let mut mrr: i64 = match account.plan.as_deref() {
            Some("Enterprise") => 99_900,
            Some("Growth") => 19_900,
            _ => 4_900,
        };
        let mut start = today - rng.random_range(30..1_100);
        let churn = (0.3 - 0.25 * bias).clamp(0.05, 0.7);
        loop {
            let end = start + 365;
            let leaves = end <= today && rng.random_bool(churn);
            rows.push(NewSubscription {
                account_external_id: id.clone(),
                product: account.plan.clone().unwrap_or_default(),
                start,
                end: (end <= today).then_some(end),
                mrr_cents: mrr,
                quantity: None,
                billing_period: Some("12".into()),
                cancellation_reason: leaves.then(|| (*pick(rng, REASONS)).to_owned()),
            });
            if leaves || end > today {
                break;
            }
            // Renewed: a new term, sometimes bigger, sometimes smaller.
            mrr = (mrr as f64 * rng.random_range(0.8..1.3)).round() as i64;
            start = end;
        }
    }
    rows
}

/// A password for the demo admin that meets the policy: 24 random URL-safe characters
/// (144 bits), checked like any other.
pub fn generate_password(email: &str) -> anyhow::Result<String> {
    for _ in 0..10 {
        let candidate = attune_web::auth::random_token(18);
        if attune_web::password::check(&candidate, email).is_ok() {
            return Ok(candidate);
        }
    }
    anyhow::bail!("could not generate a demo password that meets the password policy")
}

/// Responses of the full demo's NPS, CSAT and CES surveys.
pub const FULL: [usize; 3] = [12_000, 5_000, 3_000];

/// Creates the demo organisation "Demo". The admin's password is `password` when given (it
/// must meet the password policy), otherwise generated.
pub async fn create(
    store: &dyn Store,
    password: Option<String>,
    now_ms: i64,
) -> anyhow::Result<DemoOutcome> {
    create_sized(store, password, now_ms, FULL).await
}

/// The demo with `counts` responses for its NPS, CSAT and CES surveys instead of [`FULL`]
/// (the upgrade test's fixtures use a small one).
pub async fn create_sized(
    store: &dyn Store,
    password: Option<String>,
    now_ms: i64,
    counts: [usize; 3],
) -> anyhow::Result<DemoOutcome> {
    let mut rng = StdRng::seed_from_u64(20_261_123);
    let staff = demo_staff(store, password).await?;
    let org = staff.org;
    let accounts = demo_accounts(store, &org, &mut rng, &staff.owners).await?;
    let contacts = demo_contacts(store, &org, &mut rng, &accounts).await?;
    let total = demo_answers(store, &org, &mut rng, &contacts, counts, now_ms).await?;
    work_the_demo_cases(store, &org.id, &mut rng, now_ms).await?;
    relationships::demo_relationships(store, &org, &mut rng, &accounts, &staff.owners, now_ms)
        .await?;
    let subscriptions = demo_subscriptions(&mut rng, &accounts, now_ms);
    store
        .import_subscriptions(&org.id, &subscriptions, now_ms, &|_| {})
        .await
        .context("storing the demo subscriptions")?;
    store
        .retention_refresh(Some(&org.id))
        .await
        .context("preparing the demo retention reports")?;
    Ok(DemoOutcome {
        org,
        email: staff.email,
        password: staff.password,
        token: staff.token,
        responses: total,
    })
}

/// The NPS, CSAT and CES surveys with `counts` answers each, stored day by day; returns how
/// many were stored.
async fn demo_answers(
    store: &dyn Store,
    org: &Org,
    rng: &mut StdRng,
    contacts: &DemoContacts,
    counts: [usize; 3],
    now_ms: i64,
) -> anyhow::Result<u64> {
    let [nps_def, csat_def, ces_def] = demo_surveys()?;
    let mut total = 0;
    let [nps_count, csat_count, ces_count] = counts;
    for (def, count) in [
        (nps_def, nps_count),
        (csat_def, csat_count),
        (ces_def, ces_count),
    ] {
        let survey = store
            .create_survey(&org.id, &def, now_ms - 366 * DAY_MS)
            .await?;
        let responses = demo_responses(rng, &survey, count, contacts, now_ms)?;
        // Stored day by day as if they had arrived then, so cases open at the right time.
        let mut by_day: BTreeMap<i64, Vec<NewResponse>> = BTreeMap::new();
        for r in responses {
            by_day
                .entry(r.submitted_at_ms.div_euclid(DAY_MS))
                .or_default()
                .push(r);
        }
        for day in by_day.into_values() {
            let arrived = day
                .iter()
                .map(|r| r.submitted_at_ms)
                .max()
                .unwrap_or(now_ms);
            let outcome = store
                .import_responses(&org.id, &survey, &day, arrived, &|_| {})
                .await
                .with_context(|| {
                    format!("storing demo responses for {}", survey.definition.name)
                })?;
            total += outcome.inserted;
        }
    }
    Ok(total)
}

fn demo_responses(
    rng: &mut StdRng,
    survey: &Survey,
    count: usize,
    contacts: &[(String, &str, Option<String>, f64)],
    now_ms: i64,
) -> anyhow::Result<Vec<NewResponse>> {
    let kind = survey.definition.questions[0].key.clone();
    let text_key = survey.definition.questions[1].key.clone();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        // Spread over 365 days, slightly more responses in recent months.
        let age_days = (rng.random::<f64>().powf(1.15) * 365.0) as i64;
        let submitted = now_ms - age_days * DAY_MS - rng.random_range(0..DAY_MS);
        let month = (11 - (age_days / 31).min(11)) as usize;
        let (email, lang, account, bias) = pick(rng, contacts).clone();
        let nps_like = nps_score(rng, month, bias);
        let (score, tone) = match kind.as_str() {
            "nps" => {
                let band = NpsBand::of(nps_like as u8).unwrap_or(NpsBand::Passive);
                (
                    nps_like,
                    match band {
                        NpsBand::Promoter => Tone::Positive,
                        NpsBand::Passive => Tone::Neutral,
                        NpsBand::Detractor => Tone::Negative,
                    },
                )
            }
            "csat" => {
                let s = ((nps_like as f64 + month as f64 * 0.15) / 2.2)
                    .round()
                    .clamp(1.0, 5.0) as i64;
                (
                    s,
                    match s {
                        4..=5 => Tone::Positive,
                        3 => Tone::Neutral,
                        _ => Tone::Negative,
                    },
                )
            }
            _ => {
                let s = ((nps_like as f64) * 0.6 + 1.2).round().clamp(1.0, 7.0) as i64;
                (
                    s,
                    match s {
                        5..=7 => Tone::Positive,
                        4 => Tone::Neutral,
                        _ => Tone::Negative,
                    },
                )
            }
        };
        let mut answers = BTreeMap::new();
        answers.insert(kind.clone(), Answer::Score(score));
        if rng.random_bool(0.45) {
            let topics: &[&str] = match kind.as_str() {
                "nps" if (6..=7).contains(&month) && tone == Tone::Negative => {
                    &["price", "price", "price", "support"]
                }
                "nps" => phrases::RELATIONSHIP_TOPICS,
                "csat" => &["support_ticket", "support"],
                _ => &["effort", "support_ticket"],
            };
            if let Some(p) = phrase_for(rng, lang, tone, topics) {
                answers.insert(text_key.clone(), Answer::Text(p.text.to_owned()));
            }
        }
        let channel = *pick(
            rng,
            &[
                Channel::Email,
                Channel::Email,
                Channel::Link,
                Channel::Widget,
                Channel::Api,
            ],
        );
        out.push(NewResponse {
            answers,
            language: Some(LanguageTag::parse(lang).map_err(|e| anyhow::anyhow!("{e}"))?),
            channel,
            contact_email: Some(Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?),
            contact_name: None,
            account_external_id: account,
            account_name: None,
            submitted_at_ms: submitted,
            metadata: serde_json::Map::new(),
            dedup_key: Some(format!("demo:{}:{i}", survey.id)),
        });
    }
    Ok(out)
}

/// Gives the demo a worked history: cases older than three days were answered and resolved
/// (most within their deadlines, some late), recent ones are still open in the queue.
async fn work_the_demo_cases(
    store: &dyn Store,
    org_id: &str,
    rng: &mut StdRng,
    now_ms: i64,
) -> anyhow::Result<()> {
    use attune_domain::closed_loop::case::{CasePatch, CaseState};
    use attune_storage::model::CaseQuery;
    const H: i64 = 3_600_000;
    let causes = store.root_causes(org_id).await?;
    let resolutions = [
        "Called the customer, apologised and fixed the problem the same day.",
        "Refunded the charge and explained the new billing date.",
        "Sent a replacement and a discount for the next order.",
        "Walked the customer through the setting; added it to the onboarding guide.",
        "Escalated to the product team; the fix shipped in the next release.",
    ];
    let mut after = None;
    loop {
        let page = store
            .cases(
                org_id,
                &CaseQuery {
                    after: after.clone(),
                    limit: 1000,
                    ..Default::default()
                },
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = Some((last.first_response_due_at, last.id.clone()));
        for c in &page {
            if c.opened_at > now_ms - 3 * DAY_MS {
                continue;
            }
            // Most first responses come within hours; one in eight is late.
            let first = if rng.random_bool(0.875) {
                rng.random_range(1..20) * H
            } else {
                rng.random_range(25..60) * H
            };
            let owner = c.owner.as_deref().unwrap_or("demo");
            store
                .add_case_note(
                    org_id,
                    &c.id,
                    owner,
                    "Called the customer to understand what happened.",
                    c.opened_at + first,
                )
                .await?;
            let resolve = CasePatch {
                state: Some(CaseState::Resolved),
                root_cause: Some(pick(rng, &causes).clone()),
                resolution: Some((*pick(rng, &resolutions)).to_owned()),
                silent: true,
                ..Default::default()
            };
            let at = (c.opened_at + first + rng.random_range(1..48) * H).min(now_ms);
            store
                .update_case(org_id, &c.id, c.owner.as_deref(), &resolve, at)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_generated_demo_password_meets_the_policy() {
        for _ in 0..20 {
            let p = super::generate_password("admin@demo.attune.local").unwrap();
            assert_eq!(p.chars().count(), 24);
            assert_eq!(
                attune_web::password::check(&p, "admin@demo.attune.local"),
                Ok(())
            );
        }
    }
}
