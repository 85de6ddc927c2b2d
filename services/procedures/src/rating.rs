//! The applicant rates the service themself: the receipt (form 01) prints a
//! one-time rating code, and once the result is returned the public lookup
//! page takes a rating with it — the dossier code, the last four characters
//! of the ID number and the rating code together. A dossier is rated once,
//! here or at the counter (`RateDossier`); the audit trail records the
//! applicant's rating as made by [`APPLICANT`].

use eiso_platform::aip::text;
use eiso_platform::auth::{READABLE, random_code};
use eiso_platform::{CallContext, ServiceResult, Violations};
use eiso_proto::eiso::procedures::v1 as pb;

use crate::Procedures;
use crate::lookup::{matching_row, same_secret};

/// Characters of a rating code (printed as two groups of four).
pub const RATING_CODE_CHARS: usize = 8;

/// The principal an applicant's own rating is recorded under.
pub const APPLICANT: &str = "public/applicant";

/// The method the audit trail names for an applicant's rating.
const METHOD: &str = "/eiso.procedures.v1.DossierService/RateDossier";

/// A new rating code: 8 characters that cannot be mistaken for one another
/// on paper, about 40 bits.
pub(crate) fn new_rating_code() -> String {
    random_code(READABLE, RATING_CODE_CHARS)
}

/// A rating code as printed: `ABCD-EFGH`.
pub fn printed_rating_code(code: &str) -> String {
    if code.len() == RATING_CODE_CHARS {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_string()
    }
}

/// What the applicant typed, as stored: letters and digits, upper-cased.
fn typed(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The outcome of an applicant's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicantRating {
    /// Recorded.
    Recorded,
    /// No dossier with that code and those four characters, or a wrong
    /// rating code: one answer, as for the lookup.
    NotFound,
    /// The result is not returned yet.
    NotReturned,
    /// The service was rated already (here or at the counter).
    AlreadyRated,
}

impl Procedures {
    /// Records the applicant's rating of dossier `code`, given the last four
    /// characters of their ID number (`secret`) and the receipt's rating
    /// code. INVALID_ARGUMENT for a missing satisfaction or a comment too long.
    pub async fn rate_as_applicant(
        &self,
        code: &str,
        secret: &str,
        rating_code: &str,
        satisfaction: pb::Satisfaction,
        comment: &str,
    ) -> ServiceResult<ApplicantRating> {
        let mut v = Violations::new();
        if satisfaction == pb::Satisfaction::Unspecified {
            v.add("satisfaction", "is required");
        }
        let comment = text::clean(&mut v, "comment", comment, false, 2000);
        v.check()?;
        let mut ctx = CallContext::system(METHOD).with_reason(&comment);
        ctx.principal.name = APPLICANT.to_string();
        ctx.principal.display_name = "Người nộp hồ sơ".to_string();
        let tx = self.journal.begin(&ctx).await?;
        let Some(mut row) = matching_row(tx.txn(), code, secret).await? else {
            return Ok(ApplicantRating::NotFound);
        };
        let given = typed(rating_code);
        if row.rating_code.is_empty() || !same_secret(&row.rating_code, &given) {
            return Ok(ApplicantRating::NotFound);
        }
        if row.status() != pb::DossierStatus::Returned {
            return Ok(ApplicantRating::NotReturned);
        }
        if row.satisfaction != 0 {
            return Ok(ApplicantRating::AlreadyRated);
        }
        row.satisfaction = satisfaction as i32;
        self.finish(tx, row, "procedures.dossier.rated", &ctx).await?;
        Ok(ApplicantRating::Recorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_code_is_eight_unambiguous_characters() {
        for _ in 0..200 {
            let code = new_rating_code();
            assert_eq!(code.len(), RATING_CODE_CHARS);
            assert!(code.bytes().all(|b| READABLE.contains(&b)), "{code}");
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
        assert_ne!(new_rating_code(), new_rating_code());
    }

    #[test]
    fn the_code_is_typed_back_as_printed_or_loosely() {
        assert_eq!(printed_rating_code("ABCDEFGH"), "ABCD-EFGH");
        assert_eq!(typed("abcd-efgh"), "ABCDEFGH");
        assert_eq!(typed(" ABCD EFGH "), "ABCDEFGH");
    }
}
