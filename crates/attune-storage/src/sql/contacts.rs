//! The older view of a person: a contact with one account, a job role and a decision-maker
//! flag (`/api/v1/contacts`), kept for the clients written against it. It reads and writes
//! people and memberships; the account it shows is the one asked about, else the primary.

use attune_domain::customer::MembershipRole;
use sqlx::AssertSqlSafe;

use super::SqlStore;
use super::people::{
    PERSON_COLUMNS, account_id_of, load_links, person_id_by_email, person_in, person_of, today,
    upsert_person_in,
};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Contact, ContactUpsert, MembershipUpsert, Person, PersonUpsert};

/// The contact view of `p`, through their membership of `account_id` or else the primary one.
fn contact_of(p: Person, account_id: Option<&str>) -> Contact {
    let m = match account_id {
        Some(a) => p.memberships.iter().find(|m| m.account_id == a),
        None => p.primary(today()),
    };
    Contact {
        account_id: m.map(|m| m.account_id.clone()),
        role: m.and_then(|m| m.title.clone()),
        decision_maker: m.is_some_and(|m| m.roles.contains(MembershipRole::DecisionMaker)),
        id: p.id,
        name: p.name,
        email: p.email,
        phone: p.phone,
        language: p.language,
        preferences: p.preferences,
    }
}

impl SqlStore {
    /// Creates or updates the person with this address; with an account, their membership of
    /// it (title = role, the decision-maker role set or cleared, other roles kept).
    pub(crate) async fn upsert_contact_impl(
        &self,
        org_id: &str,
        c: &ContactUpsert,
    ) -> StoreResult<Contact> {
        let mut tx = self.begin_write().await?;
        let account_id = match &c.account_external_id {
            Some(x) => Some(account_id_of(&mut tx, org_id, x).await?),
            None => None,
        };
        let existing = match person_id_by_email(&mut tx, org_id, &c.email).await? {
            Some(id) => person_in(&mut tx, org_id, &id).await?,
            None => None,
        };
        let memberships = account_id
            .iter()
            .map(|a| {
                let before = existing
                    .as_ref()
                    .and_then(|p| p.memberships.iter().find(|m| m.account_id == *a));
                let roles = before.map(|m| m.roles).unwrap_or_default();
                MembershipUpsert {
                    account: a.clone(),
                    title: c.role.clone(),
                    roles: if c.decision_maker {
                        roles.with(MembershipRole::DecisionMaker)
                    } else {
                        roles.without(MembershipRole::DecisionMaker)
                    },
                    from_day: before.and_then(|m| m.from_day),
                    to_day: before.and_then(|m| m.to_day),
                }
            })
            .collect();
        let person = PersonUpsert {
            email: c.email.clone(),
            other_emails: Vec::new(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            language: c.language.clone(),
            time_zone: existing.as_ref().and_then(|p| p.time_zone.clone()),
            preferences: c.preferences.clone(),
            contact_rules: None,
            accessibility: None,
            memberships,
        };
        let id = upsert_person_in(&mut tx, org_id, &person, super::auth::now_ms()).await?;
        let saved = person_in(&mut tx, org_id, &id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.context("saving a contact")?;
        Ok(contact_of(saved, account_id.as_deref()))
    }

    /// The contact with this id or (with `by_email`) address.
    pub(crate) async fn contact_impl(
        &self,
        org_id: &str,
        key: &str,
        by_email: bool,
    ) -> StoreResult<Contact> {
        let person = if by_email {
            self.person_by_email_impl(org_id, key).await?
        } else {
            self.person_impl(org_id, key).await?
        };
        Ok(contact_of(person, None))
    }

    /// Every person of the organisation (or every member of one account) as a contact, by
    /// e-mail.
    pub(crate) async fn list_contacts_impl(
        &self,
        org_id: &str,
        account_id: Option<&str>,
    ) -> StoreResult<Vec<Contact>> {
        let mut conn = self.pool.acquire().await.context("listing contacts")?;
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE org_id = $1 \
             AND ($2 IS NULL OR id IN (SELECT person_id FROM memberships WHERE org_id = $1 AND account_id = $2)) \
             ORDER BY email, id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(account_id)
            .fetch_all(&mut *conn)
            .await
            .context("listing contacts")?;
        let mut people: Vec<Person> = rows.iter().map(person_of).collect::<StoreResult<_>>()?;
        load_links(&mut conn, org_id, &mut people).await?;
        Ok(people
            .into_iter()
            .map(|p| contact_of(p, account_id))
            .collect())
    }
}
