//! What a citizen may learn of a dossier without signing in: given its code
//! and the last four characters of the applicant's ID number (of the phone
//! number when no ID number was given), its status, appointment and what is
//! missing if a supplement was asked. Nothing personal, and one answer —
//! "no such dossier" — whether the code or the digits are wrong, so that the
//! page tells an enumerator nothing. (Rate limiting per client address is the
//! public adapter's.)

use chrono::{DateTime, Utc};
use eiso_platform::ServiceResult;
use eiso_proto::eiso::procedures::v1 as pb;
use sha2::{Digest, Sha256};

use crate::Procedures;
use crate::rows::DossierRow;
use crate::rows::dossiers::find_dossier_by;
use sea_orm::ConnectionTrait;

/// The public view of a dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicDossier {
    pub code: String,
    /// `procedures/{code}/versions/{n}`.
    pub procedure_version: String,
    /// `units/{id}`.
    pub agency: String,
    pub status: pb::DossierStatus,
    pub receive_time: DateTime<Utc>,
    /// The appointment printed for the applicant (the extension's, if any).
    pub appointment_time: Option<DateTime<Utc>>,
    /// The open supplement request: why, and what is missing.
    pub supplement: Option<(String, Vec<String>)>,
    pub return_time: Option<DateTime<Utc>>,
    /// The result is returned and the applicant may still rate the service
    /// with the code on the receipt.
    pub rateable: bool,
    /// The service was rated (at the counter or here).
    pub rated: bool,
}

/// How many characters of the ID number (or phone) the citizen gives.
pub const SECRET_CHARS: usize = 4;

/// The last [`SECRET_CHARS`] letters and digits of `text`, upper-cased.
fn tail(text: &str) -> String {
    let kept: Vec<char> = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    kept[kept.len().saturating_sub(SECRET_CHARS)..].iter().collect()
}

impl Procedures {
    /// The dossier with `code` if `secret` is the last four characters of its
    /// applicant's ID number (or phone number, when it has no ID number).
    pub async fn lookup_dossier(&self, code: &str, secret: &str) -> ServiceResult<Option<PublicDossier>> {
        let Some(row) = matching_row(self.journal.db().reader(), code, secret).await? else {
            return Ok(None);
        };
        let status = row.status();
        let supplement = (status == pb::DossierStatus::SupplementRequested)
            .then(|| row.supplements.last())
            .flatten()
            .map(|s| (s.reason.clone(), s.documents.clone()));
        Ok(Some(PublicDossier {
            procedure_version: format!("procedures/{}/versions/{}", row.procedure_code, row.procedure_version),
            status,
            receive_time: row.receive_time,
            appointment_time: row.appointment_time,
            supplement,
            return_time: row.return_time,
            rateable: status == pb::DossierStatus::Returned && row.satisfaction == 0 && !row.rating_code.is_empty(),
            rated: row.satisfaction != 0,
            code: row.code,
            agency: row.agency,
        }))
    }
}

/// The dossier with `code` if `secret` is the last four characters of its
/// applicant's ID number (or phone number, when it has no ID number).
pub(crate) async fn matching_row(
    db: &impl ConnectionTrait,
    code: &str,
    secret: &str,
) -> ServiceResult<Option<DossierRow>> {
    let code = code.trim().to_ascii_uppercase();
    let secret = tail(secret);
    if code.is_empty() || code.len() > 64 || secret.chars().count() != SECRET_CHARS {
        return Ok(None);
    }
    let Some(row) = find_dossier_by(db, "code", &code).await? else {
        return Ok(None);
    };
    let expected = if row.applicant.id_number.trim().is_empty() {
        tail(&row.applicant.phone)
    } else {
        tail(&row.applicant.id_number)
    };
    Ok((expected.chars().count() == SECRET_CHARS && same_secret(&expected, &secret)).then_some(row))
}

/// Whether two secrets are equal, compared as digests: no early exit on the
/// first differing character.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn the_secret_is_the_last_four_letters_and_digits() {
        assert_eq!(tail("031204001234"), "1234");
        assert_eq!(tail("0912 345 678"), "5678");
        assert_eq!(tail("b1234567c"), "567C");
        assert_eq!(tail("12"), "12");
        assert_eq!(tail(""), "");
    }
}
