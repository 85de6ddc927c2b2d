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
use crate::rows::dossiers::find_dossier_by;

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
        let code = code.trim().to_ascii_uppercase();
        let secret = tail(secret);
        if code.is_empty() || code.len() > 64 || secret.chars().count() != SECRET_CHARS {
            return Ok(None);
        }
        let Some(row) = find_dossier_by(self.journal.db().reader(), "code", &code).await? else {
            return Ok(None);
        };
        let dossier = row.to_proto(true);
        let applicant = dossier.applicant.clone().unwrap_or_default();
        let expected = if applicant.id_number.trim().is_empty() {
            tail(&applicant.phone)
        } else {
            tail(&applicant.id_number)
        };
        // Compared as digests: no early exit on the first differing character.
        let matches = expected.chars().count() == SECRET_CHARS
            && Sha256::digest(expected.as_bytes()) == Sha256::digest(secret.as_bytes());
        if !matches {
            return Ok(None);
        }
        let status = pb::DossierStatus::try_from(dossier.status).unwrap_or_default();
        let supplement = (status == pb::DossierStatus::SupplementRequested)
            .then(|| dossier.supplements.last())
            .flatten()
            .map(|s| (s.reason.clone(), s.documents.clone()));
        let instant = |ts: Option<&eiso_proto::prost_types::Timestamp>| {
            ts.and_then(|t| DateTime::from_timestamp(t.seconds, t.nanos.clamp(0, 999_999_999) as u32))
        };
        Ok(Some(PublicDossier {
            code: dossier.code,
            procedure_version: dossier.procedure_version,
            agency: dossier.agency,
            status,
            receive_time: instant(dossier.receive_time.as_ref()).unwrap_or_default(),
            appointment_time: instant(dossier.appointment_time.as_ref()),
            supplement,
            return_time: instant(dossier.return_time.as_ref()),
        }))
    }
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
