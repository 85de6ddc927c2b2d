//! What an applicant is told, and when: the events that notify, the
//! channels, and the facts a template may use. A notice is built from the
//! dossier as it was after the event (the appointment it gave, the reason
//! it recorded), the applicant as the dossier has them, and the names of the
//! office and the procedure.

use eiso_platform::aip::time::stored_instant;
use eiso_platform::vi;
use eiso_proto::eiso::procedures::v1::{Applicant, ApplicantType, Dossier};
use serde::Serialize;

/// The moments an applicant hears of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The dossier was received; the receipt's appointment.
    Received,
    /// A supplement was asked for, with what and why.
    SupplementRequested,
    /// The processing was extended: an apology and the new appointment.
    Extended,
    /// The result is ready to be collected.
    ResultReady,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Received,
        Kind::SupplementRequested,
        Kind::Extended,
        Kind::ResultReady,
    ];

    /// The kind an event of the procedures service brings, if it notifies.
    pub fn of_event(event_type: &str) -> Option<Self> {
        match event_type {
            "procedures.dossier.received" => Some(Self::Received),
            "procedures.dossier.supplement_requested" => Some(Self::SupplementRequested),
            "procedures.dossier.extended" => Some(Self::Extended),
            "procedures.dossier.completed" => Some(Self::ResultReady),
            _ => None,
        }
    }

    /// The kind of a stored name.
    pub fn of_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The name its templates and stored messages go by.
    pub fn name(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::SupplementRequested => "supplement",
            Self::Extended => "extended",
            Self::ResultReady => "result",
        }
    }
}

/// How a message reaches the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Sms];

    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    pub fn of_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|channel| channel.name() == name)
    }

    /// Where `applicant` is reached on this channel, if they gave it.
    pub fn address(self, applicant: &Applicant) -> Option<String> {
        let address = match self {
            Self::Email => applicant.email.trim(),
            Self::Sms => applicant.phone.trim(),
        };
        let usable = match self {
            Self::Email => address.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty() && host.contains('.') && !address.chars().any(char::is_whitespace)
            }),
            Self::Sms => {
                let digits = address.chars().filter(char::is_ascii_digit).count();
                (9..=15).contains(&digits)
                    && address
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '(' | ')'))
            }
        };
        usable.then(|| address.to_string())
    }
}

/// The names a dossier does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// The procedure's name.
    pub procedure: String,
    /// The receiving agency's name: who speaks.
    pub office: String,
}

/// What a template may use. Times are in Vietnam time,
/// `14 giờ 30 phút, ngày 05/03/2025`; a fact the dossier does not hold is
/// an empty string.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Notice {
    /// `received`, `supplement`, `extended`, `result`.
    pub kind: &'static str,
    pub office: String,
    /// The dossier's code (mã hồ sơ).
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    /// How the letter speaks to them: `Ông/Bà`, or `Quý cơ quan, tổ chức`.
    pub title: &'static str,
    /// When the dossier was received.
    pub received: String,
    /// The appointment to return the result (the new one after an extension).
    pub appointment: String,
    /// Why a supplement is asked for, or why the dossier is late.
    pub reason: String,
    /// What must be added.
    pub documents: Vec<String>,
    /// The result, as the processing unit summed it up.
    pub result: String,
    /// Where the applicant follows the dossier; empty without a public address.
    pub lookup_url: String,
}

fn time(timestamp: Option<&eiso_proto::prost_types::Timestamp>) -> String {
    timestamp
        .and_then(stored_instant)
        .map(vi::time_and_date)
        .unwrap_or_default()
}

impl Notice {
    /// The notice of `kind` for `dossier` as it was after the event.
    pub fn of(kind: Kind, dossier: &Dossier, applicant: &Applicant, names: &Names, public_url: Option<&str>) -> Self {
        let organisation = matches!(
            ApplicantType::try_from(applicant.r#type),
            Ok(ApplicantType::Business | ApplicantType::Agency | ApplicantType::Other)
        );
        let supplement = dossier.supplements.last();
        let extension = dossier.extension.as_ref();
        let appointment = match kind {
            Kind::Extended => extension.and_then(|e| e.new_appointment_time.as_ref()),
            _ => None,
        }
        .or(dossier.appointment_time.as_ref());
        Self {
            kind: kind.name(),
            office: names.office.clone(),
            code: dossier.code.clone(),
            procedure: names.procedure.clone(),
            applicant: applicant.full_name.trim().to_string(),
            title: if organisation {
                "Quý cơ quan, tổ chức"
            } else {
                "Ông/Bà"
            },
            received: time(dossier.receive_time.as_ref()),
            appointment: time(appointment),
            reason: match kind {
                Kind::SupplementRequested => supplement.map(|s| s.reason.clone()).unwrap_or_default(),
                Kind::Extended => extension.map(|e| e.reason.clone()).unwrap_or_default(),
                _ => String::new(),
            },
            documents: match kind {
                Kind::SupplementRequested => supplement.map(|s| s.documents.clone()).unwrap_or_default(),
                _ => Vec::new(),
            },
            result: match kind {
                Kind::ResultReady => dossier.result_summary.clone(),
                _ => String::new(),
            },
            lookup_url: public_url
                .map(|url| format!("{}/tra-cuu?ma={}", url.trim_end_matches('/'), dossier.code))
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_four_moments_notify() {
        for kind in Kind::ALL {
            let event = match kind {
                Kind::Received => "procedures.dossier.received",
                Kind::SupplementRequested => "procedures.dossier.supplement_requested",
                Kind::Extended => "procedures.dossier.extended",
                Kind::ResultReady => "procedures.dossier.completed",
            };
            assert_eq!(Kind::of_event(event), Some(kind));
        }
        for quiet in [
            "procedures.dossier.handed_over",
            "procedures.dossier.returned",
            "procedures.dossier.rated",
            "procedures.procedure.updated",
        ] {
            assert_eq!(Kind::of_event(quiet), None, "{quiet}");
        }
    }

    #[test]
    fn an_address_is_used_only_when_it_can_be() {
        let applicant = |email: &str, phone: &str| Applicant {
            email: email.into(),
            phone: phone.into(),
            ..Default::default()
        };
        let good = applicant(" nam.tran@example.vn ", "0912 345 678");
        assert_eq!(Channel::Email.address(&good).as_deref(), Some("nam.tran@example.vn"));
        assert_eq!(Channel::Sms.address(&good).as_deref(), Some("0912 345 678"));
        for (email, phone) in [
            ("", ""),
            ("nam", "12345"),
            ("nam@localhost", "09123abc78"),
            ("a b@x.vn", ""),
        ] {
            let bad = applicant(email, phone);
            assert_eq!(Channel::Email.address(&bad), None, "{email}");
            assert_eq!(Channel::Sms.address(&bad), None, "{phone}");
        }
    }
}
