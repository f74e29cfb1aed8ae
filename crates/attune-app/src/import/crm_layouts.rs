//! The column layouts CRMs export accounts and people in, written from each one's documented
//! export: HubSpot's company and contact exports (property labels as headers, `;` between the
//! values of a multi-value property or association), Salesforce's data export and Data Loader
//! files (API field names, ISO 8601 dates; an `AccountContactRelation` export with
//! `Contact.Email` gives one row per account a contact belongs to) and Salesforce report
//! exports (field labels). Headers are compared ignoring case, spaces and punctuation, so
//! `Company Domain Name`, `company_domain_name` and `COMPANYDOMAINNAME` are one column.

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Accounts (HubSpot companies, Salesforce accounts).
    Accounts,
    /// People (HubSpot and Salesforce contacts).
    People,
}

/// Whose export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// HubSpot.
    HubSpot,
    /// Salesforce.
    Salesforce,
    /// Attune's own field names.
    Attune,
}

impl Layout {
    /// `hubspot`, `salesforce` or `attune`.
    pub fn parse(raw: &str) -> Option<Layout> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "hubspot" => Some(Layout::HubSpot),
            "salesforce" => Some(Layout::Salesforce),
            "attune" => Some(Layout::Attune),
            _ => None,
        }
    }

    /// Its name, which is also the source its record ids are kept under.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::HubSpot => "hubspot",
            Layout::Salesforce => "salesforce",
            Layout::Attune => "attune",
        }
    }

    /// The source a CRM's record ids are kept under (none for Attune's layout).
    pub fn source(self) -> Option<&'static str> {
        match self {
            Layout::Attune => None,
            other => Some(other.as_str()),
        }
    }
}

/// The fields an accounts file can fill, by their Attune names (for `--map`).
pub const ACCOUNT_FIELDS: &[&str] = &[
    "external_id",
    "crm_id",
    "name",
    "domains",
    "plan",
    "size_band",
    "employees",
    "industry",
    "region",
    "lifecycle_stage",
    "parent",
    "owner_email",
    "created",
];

/// The fields a people file can fill.
pub const PERSON_FIELDS: &[&str] = &[
    "email",
    "other_emails",
    "name",
    "first_name",
    "last_name",
    "phone",
    "title",
    "language",
    "time_zone",
    "accounts",
    "roles",
    "from",
    "to",
];

/// A header as compared: lower-case letters and digits only.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The layout of a header: HubSpot's exports carry `Record ID`; Salesforce's carry `Id`,
/// `AccountId` or `ContactId`; anything else is read with Attune's field names.
pub fn detect(target: Target, header: &[String]) -> Layout {
    let has = |n: &str| header.iter().any(|h| normalise(h) == n);
    if has("recordid") {
        return Layout::HubSpot;
    }
    let own_key = match target {
        Target::Accounts => has("externalid") || has("accountexternalid"),
        Target::People => has("accounts") || has("accountexternalid"),
    };
    if !own_key && (has("id") || has("accountid") || has("contactid")) {
        return Layout::Salesforce;
    }
    Layout::Attune
}

/// The headers (normalised) a field is read from in a layout, best first (the first non-empty
/// cell counts; every column of `domains` does); a field's own name always counts too.
pub fn aliases(target: Target, layout: Layout, field: &str) -> &'static [&'static str] {
    match (target, layout) {
        (Target::Accounts, Layout::HubSpot) => match field {
            "crm_id" => &["recordid", "companyid"],
            "name" => &["companyname"],
            "domains" => &["companydomainname", "websiteurl", "domain", "website"],
            "region" => &["countryregion", "country"],
            "employees" => &["numberofemployees"],
            "lifecycle_stage" => &["lifecyclestage"],
            "parent" => &["parentcompanyid"],
            "created" => &["createdate"],
            _ => &[],
        },
        (Target::Accounts, Layout::Salesforce) => match field {
            "crm_id" => &["id", "accountid"],
            "name" => &["accountname"],
            "domains" => &["website"],
            "region" => &["billingcountry"],
            "employees" => &["numberofemployees", "employees"],
            "lifecycle_stage" => &["type", "accounttype"],
            "parent" => &["parentid", "parentaccountid"],
            "created" => &["createddate"],
            _ => &[],
        },
        (Target::People, Layout::HubSpot) => match field {
            "email" => &["email", "emailaddress"],
            "other_emails" => &["additionalemailaddresses"],
            "phone" => &["phonenumber", "mobilephonenumber"],
            "title" => &["jobtitle"],
            "language" => &["preferredlanguage"],
            "accounts" => &["associatedcompanyids", "associatedcompanyid"],
            _ => &[],
        },
        (Target::People, Layout::Salesforce) => match field {
            "email" => &["email", "contactemail"],
            "phone" => &["phone", "mobilephone"],
            "accounts" => &["accountid"],
            "from" => &["startdate"],
            "to" => &["enddate"],
            _ => &[],
        },
        (Target::Accounts, Layout::Attune) => match field {
            "external_id" => &["accountexternalid"],
            _ => &[],
        },
        (Target::People, Layout::Attune) => match field {
            "accounts" => &["accountexternalid"],
            _ => &[],
        },
    }
}

/// A CRM's role name as one of Attune's membership roles, if it is one. Salesforce's
/// `AccountContactRelation.Roles` values (`Decision Maker`, `Economic Buyer`, `Executive
/// Sponsor`, `Business User`, …) map to the nearest; others (`Evaluator`, `Influencer`,
/// `Technical Buyer`, `Other`) have none and are left out.
pub fn crm_role(name: &str) -> Option<&'static str> {
    match normalise(name).as_str() {
        "decisionmaker" | "economicdecisionmaker" | "economicbuyer" => Some("decision_maker"),
        "executivesponsor" => Some("executive_sponsor"),
        "businessuser" | "user" => Some("user"),
        "champion" => Some("champion"),
        "billing" | "billingcontact" => Some("billing"),
        _ => None,
    }
}

/// A company size as the size band segments use: `1-10`, `11-50`, `51-200`, `201-500`,
/// `501-1000`, `1001-5000`, `5001+`.
pub fn size_band(employees: u64) -> &'static str {
    match employees {
        0..=10 => "1-10",
        11..=50 => "11-50",
        51..=200 => "51-200",
        201..=500 => "201-500",
        501..=1000 => "501-1000",
        1001..=5000 => "1001-5000",
        _ => "5001+",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cols: &[&str]) -> Vec<String> {
        cols.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn layouts_are_told_apart_by_their_key_columns() {
        let hubspot = header(&["Record ID", "Company name", "Company Domain Name"]);
        assert_eq!(detect(Target::Accounts, &hubspot), Layout::HubSpot);
        let salesforce = header(&["Id", "Name", "ParentId", "Website"]);
        assert_eq!(detect(Target::Accounts, &salesforce), Layout::Salesforce);
        let loader = header(&["ACCOUNTID", "CONTACT.EMAIL", "ROLES"]);
        assert_eq!(detect(Target::People, &loader), Layout::Salesforce);
        let own = header(&["account_external_id", "name", "id"]);
        assert_eq!(detect(Target::Accounts, &own), Layout::Attune);
        let own_people = header(&["email", "name", "accounts"]);
        assert_eq!(detect(Target::People, &own_people), Layout::Attune);
    }

    #[test]
    fn headers_compare_without_case_spaces_or_punctuation() {
        assert_eq!(normalise("Company Domain Name"), "companydomainname");
        assert_eq!(normalise("Contact.Email"), "contactemail");
        assert_eq!(normalise("Country/Region"), "countryregion");
    }

    #[test]
    fn size_bands_have_closed_edges() {
        assert_eq!(size_band(10), "1-10");
        assert_eq!(size_band(11), "11-50");
        assert_eq!(size_band(1000), "501-1000");
        assert_eq!(size_band(5001), "5001+");
    }

    #[test]
    fn crm_roles_map_to_the_nearest_or_none() {
        assert_eq!(crm_role("Economic Decision Maker"), Some("decision_maker"));
        assert_eq!(crm_role("Executive Sponsor"), Some("executive_sponsor"));
        assert_eq!(crm_role("Business User"), Some("user"));
        assert_eq!(crm_role("Influencer"), None);
    }
}
