//! The messages' Vietnamese templates: an e-mail (its first line the
//! subject, then a blank line, then the body) and an SMS for each kind of
//! notice, built in and replaceable by an office's files in a directory
//! (`received.email.txt`, `received.sms.txt`, `supplement.…`, `extended.…`,
//! `result.…`). Each replacement is compiled and tried on a sample notice when
//! loaded, so a broken template stops the start, naming its file and line,
//! rather than losing a citizen's message later.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eiso_platform::templates;
use minijinja::Environment;
use unicode_normalization::UnicodeNormalization;

use crate::notice::{Channel, Kind, Notice};

const BUILTIN: [(&str, &str); 8] = [
    ("received.email.txt", include_str!("templates/received.email.txt")),
    ("received.sms.txt", include_str!("templates/received.sms.txt")),
    ("supplement.email.txt", include_str!("templates/supplement.email.txt")),
    ("supplement.sms.txt", include_str!("templates/supplement.sms.txt")),
    ("extended.email.txt", include_str!("templates/extended.email.txt")),
    ("extended.sms.txt", include_str!("templates/extended.sms.txt")),
    ("result.email.txt", include_str!("templates/result.email.txt")),
    ("result.sms.txt", include_str!("templates/result.sms.txt")),
];

/// Why a template cannot be used. Never carries the notice's values.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("notification template {file}, line {line}: {message}")]
    Template { file: String, line: usize, message: String },
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The e-mail's subject; empty for an SMS.
    pub subject: String,
    pub body: String,
}

/// The templates in use.
#[derive(Clone)]
pub struct Templates {
    env: Environment<'static>,
    origins: BTreeMap<&'static str, PathBuf>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("overrides", &self.origins)
            .finish_non_exhaustive()
    }
}

fn file_name(kind: Kind, channel: Channel) -> String {
    format!("{}.{}.txt", kind.name(), channel.name())
}

impl Templates {
    pub fn builtin() -> Self {
        let mut env = templates::text_environment();
        for (name, source) in BUILTIN {
            templates::add_builtin(&mut env, name, source);
        }
        Self {
            env,
            origins: BTreeMap::new(),
        }
    }

    /// The built-in templates, each replaced by `<dir>/<name>` where that
    /// file exists.
    pub fn with_overrides(dir: &Path) -> Result<Self, TemplateError> {
        let mut templates = Self::builtin();
        for (name, _) in BUILTIN {
            let path = dir.join(name);
            let source = match templates::read_override(&path) {
                Ok(Some(source)) => source,
                Ok(None) => continue,
                Err(message) => return Err(TemplateError::Io { path, message }),
            };
            templates.origins.insert(name, path);
            if let Err(error) = templates.env.add_template_owned(name, source) {
                return Err(templates.error(&error));
            }
        }
        templates.check()?;
        Ok(templates)
    }

    /// Renders every template on a sample notice.
    fn check(&self) -> Result<(), TemplateError> {
        let sample = Notice {
            kind: "received",
            office: "Phòng Giáo dục và Đào tạo".into(),
            code: "000.31.H31-250305-0001".into(),
            procedure: "Chuyển trường đối với học sinh trung học cơ sở".into(),
            applicant: "Trần Văn Nam".into(),
            title: "Ông/Bà",
            received: "14 giờ 30 phút, ngày 05/03/2025".into(),
            appointment: "14 giờ 30 phút, ngày 10/03/2025".into(),
            reason: "Thiếu bản sao học bạ".into(),
            documents: vec!["Bản sao học bạ".into()],
            result: "Đồng ý chuyển trường".into(),
            lookup_url: "https://motcua.example.gov.vn/tra-cuu?ma=000.31.H31-250305-0001".into(),
        };
        for kind in Kind::ALL {
            for channel in Channel::ALL {
                self.render(kind, channel, &sample)?;
            }
        }
        Ok(())
    }

    /// The message of `kind` on `channel` for `notice`, in NFC.
    pub fn render(&self, kind: Kind, channel: Channel, notice: &Notice) -> Result<Rendered, TemplateError> {
        let name = file_name(kind, channel);
        let text = self
            .env
            .get_template(&name)
            .and_then(|template| template.render(minijinja::Value::from_serialize(notice)))
            .map_err(|error| self.error(&error))?;
        let text: String = text.nfc().collect();
        Ok(match channel {
            Channel::Email => {
                let (subject, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
                Rendered {
                    subject: subject.trim().to_string(),
                    body: format!("{}\n", body.trim_matches('\n').trim_end()),
                }
            }
            Channel::Sms => Rendered {
                subject: String::new(),
                body: eiso_platform::spreadsheet::squash(&text),
            },
        })
    }

    /// A template error naming the file and line, with the kind of fault
    /// only (minijinja's debug detail would hold the applicant's data).
    fn error(&self, error: &minijinja::Error) -> TemplateError {
        let name = error.name().unwrap_or("?");
        let file = match self.origins.iter().find(|(n, _)| **n == name) {
            Some((_, path)) => path.display().to_string(),
            None => format!("built-in {name}"),
        };
        TemplateError::Template {
            file,
            line: error.line().unwrap_or(0),
            message: match error.detail() {
                Some(detail) => format!("{}: {detail}", error.kind()),
                None => error.kind().to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_proto::eiso::procedures::v1::{Applicant, ApplicantType, Dossier, Extension, Supplement};
    use eiso_proto::prost_types::Timestamp;

    fn dossier() -> Dossier {
        Dossier {
            code: "000.31.H31-250305-0001".into(),
            // 05/03/2025 14:30 and 10/03/2025 14:30 in Vietnam.
            receive_time: Some(Timestamp {
                seconds: 1_741_159_800,
                nanos: 0,
            }),
            appointment_time: Some(Timestamp {
                seconds: 1_741_591_800,
                nanos: 0,
            }),
            ..Default::default()
        }
    }

    fn names() -> crate::notice::Names {
        crate::notice::Names {
            procedure: "Chuyển trường đối với học sinh trung học cơ sở".into(),
            office: "Phòng Giáo dục và Đào tạo huyện Thủy Nguyên".into(),
        }
    }

    fn person() -> Applicant {
        Applicant {
            full_name: "Trần Văn Nam".into(),
            email: "nam@example.vn".into(),
            r#type: ApplicantType::Citizen as i32,
            ..Default::default()
        }
    }

    #[test]
    fn the_receipt_mail_gives_the_code_the_appointment_and_the_lookup() {
        let notice = Notice::of(
            Kind::Received,
            &dossier(),
            &person(),
            &names(),
            Some("https://motcua.example.gov.vn/"),
        );
        let mail = Templates::builtin()
            .render(Kind::Received, Channel::Email, &notice)
            .expect("renders");
        assert_eq!(mail.subject, "Đã tiếp nhận hồ sơ 000.31.H31-250305-0001");
        assert!(
            mail.body.starts_with("Kính gửi: Ông/Bà Trần Văn Nam,\n\n"),
            "{}",
            mail.body
        );
        for line in [
            "Phòng Giáo dục và Đào tạo huyện Thủy Nguyên đã tiếp nhận hồ sơ của Ông/Bà lúc 14 giờ 30 phút, ngày 05/03/2025.",
            "- Thời gian hẹn trả kết quả: 14 giờ 30 phút, ngày 10/03/2025",
            "Ông/Bà có thể theo dõi tình trạng giải quyết hồ sơ tại: https://motcua.example.gov.vn/tra-cuu?ma=000.31.H31-250305-0001",
        ] {
            assert!(mail.body.lines().any(|l| l == line), "{line}\n---\n{}", mail.body);
        }
        assert!(!mail.body.contains("\n\n\n"), "no empty paragraphs:\n{}", mail.body);
        let without = Notice {
            lookup_url: String::new(),
            ..notice
        };
        let mail = Templates::builtin()
            .render(Kind::Received, Channel::Email, &without)
            .expect("renders");
        assert!(
            !mail.body.contains("theo dõi") && !mail.body.contains("\n\n\n"),
            "{}",
            mail.body
        );
    }

    #[test]
    fn a_supplement_lists_what_to_add_and_an_extension_gives_the_new_appointment() {
        let mut asked = dossier();
        asked.supplements.push(Supplement {
            reason: "Hồ sơ thiếu giấy tờ".into(),
            documents: vec!["Bản sao học bạ".into(), "Giấy khai sinh".into()],
            ..Default::default()
        });
        let notice = Notice::of(Kind::SupplementRequested, &asked, &person(), &names(), None);
        let mail = Templates::builtin()
            .render(Kind::SupplementRequested, Channel::Email, &notice)
            .expect("renders");
        assert!(
            mail.body
                .contains("Lý do: Hồ sơ thiếu giấy tờ\n\nNội dung cần bổ sung:\n- Bản sao học bạ\n- Giấy khai sinh\n"),
            "{}",
            mail.body
        );
        let mut late = dossier();
        late.extension = Some(Extension {
            reason: "Cần xác minh thêm".into(),
            new_appointment_time: Some(Timestamp {
                seconds: 1_741_851_000,
                nanos: 0,
            }),
            ..Default::default()
        });
        let business = Applicant {
            r#type: ApplicantType::Business as i32,
            full_name: "Công ty TNHH Hải Âu".into(),
            ..person()
        };
        let notice = Notice::of(Kind::Extended, &late, &business, &names(), None);
        let mail = Templates::builtin()
            .render(Kind::Extended, Channel::Email, &notice)
            .expect("renders");
        assert!(
            mail.body.contains(
                "sẽ trả kết quả giải quyết hồ sơ cho Quý cơ quan, tổ chức vào 14 giờ 30 phút, ngày 13/03/2025."
            ),
            "{}",
            mail.body
        );
        assert!(!mail.body.contains("Ông/Bà"), "{}", mail.body);
    }

    #[test]
    fn an_sms_is_one_line() {
        let notice = Notice::of(Kind::ResultReady, &dossier(), &person(), &names(), None);
        let sms = Templates::builtin()
            .render(Kind::ResultReady, Channel::Sms, &notice)
            .expect("renders");
        assert_eq!(
            sms.body,
            "Phòng Giáo dục và Đào tạo huyện Thủy Nguyên: hồ sơ 000.31.H31-250305-0001 đã có kết quả. Mời đến Bộ phận một cửa nhận kết quả, mang theo Giấy tiếp nhận hồ sơ."
        );
        assert!(sms.subject.is_empty());
    }

    #[test]
    fn an_override_replaces_its_template_and_a_broken_one_is_named() {
        let dir = tempfile::tempdir().expect("a directory");
        std::fs::write(
            dir.path().join("result.sms.txt"),
            "{{ office }}: hồ sơ {{ code }} có kết quả.",
        )
        .expect("written");
        let templates = Templates::with_overrides(dir.path()).expect("loads");
        let notice = Notice::of(Kind::ResultReady, &dossier(), &person(), &names(), None);
        let sms = templates
            .render(Kind::ResultReady, Channel::Sms, &notice)
            .expect("renders");
        assert_eq!(
            sms.body,
            "Phòng Giáo dục và Đào tạo huyện Thủy Nguyên: hồ sơ 000.31.H31-250305-0001 có kết quả."
        );
        std::fs::write(dir.path().join("received.email.txt"), "Tiêu đề\n\n{{ ho_ten }}").expect("written");
        let error = Templates::with_overrides(dir.path()).expect_err("an unknown variable");
        let message = error.to_string();
        assert!(
            message.contains("received.email.txt") && message.contains("line"),
            "{message}"
        );
    }
}
