//! Responsible units written as a group of schools: "các trường MN, TH,
//! THCS" names every preschool, primary and lower-secondary school under the
//! plan's unit, whichever schools there are when the task is read. The group
//! is read from the text as written, so a school added, merged or dissolved
//! later is in or out of every such task without the task being touched.
//!
//! A group is plural — `các trường …`, `các đơn vị trường học` — so that a
//! school's own name (`Trường TH Đằng Lâm`) is never read as every primary
//! school. `các trường` with no level named is every school. A school of
//! several levels (`trường PT có nhiều cấp học`, `liên cấp`) is in a group
//! only when the group names it: the seed plan lists "Các trường MN, TH,
//! THCS" and "Các trường PT có nhiều cấp học" as two groups.

use eiso_proto::eiso::identity::v1::UnitKind;
use unicode_normalization::UnicodeNormalization;

/// Every kind of school.
const SCHOOLS: [UnitKind; 5] = [
    UnitKind::Preschool,
    UnitKind::PrimarySchool,
    UnitKind::LowerSecondarySchool,
    UnitKind::UpperSecondarySchool,
    UnitKind::MultiLevelSchool,
];

/// How each level is written, as bare words (no marks, lower case).
const LEVELS: &[(&[&str], UnitKind)] = &[
    (&["mn"], UnitKind::Preschool),
    (&["mam", "non"], UnitKind::Preschool),
    (&["mg"], UnitKind::Preschool),
    (&["mau", "giao"], UnitKind::Preschool),
    (&["thcs"], UnitKind::LowerSecondarySchool),
    (&["trung", "hoc", "co", "so"], UnitKind::LowerSecondarySchool),
    (&["thpt"], UnitKind::UpperSecondarySchool),
    (&["trung", "hoc", "pho", "thong"], UnitKind::UpperSecondarySchool),
    (&["th"], UnitKind::PrimarySchool),
    (&["tieu", "hoc"], UnitKind::PrimarySchool),
    (&["pt", "co", "nhieu", "cap", "hoc"], UnitKind::MultiLevelSchool),
    (
        &["pho", "thong", "co", "nhieu", "cap", "hoc"],
        UnitKind::MultiLevelSchool,
    ),
    (&["pt", "nhieu", "cap", "hoc"], UnitKind::MultiLevelSchool),
    (&["pho", "thong", "nhieu", "cap", "hoc"], UnitKind::MultiLevelSchool),
    (&["lien", "cap"], UnitKind::MultiLevelSchool),
];

/// Words that join the levels of one group: `MN, TH và THCS`, `THCS, trường PT …`.
const JOINERS: &[&str] = &["va", "cac", "truong", "cap"];

/// The words of `text` without diacritics, lower case; `đ` is `d`.
fn bare_words(text: &str) -> Vec<String> {
    let bare: String = text
        .nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    bare.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The level written at `words[at..]` and how many words it takes.
fn level_at(words: &[String], at: usize) -> Option<(UnitKind, usize)> {
    LEVELS.iter().find_map(|(spelling, kind)| {
        let end = at + spelling.len();
        (end <= words.len() && words[at..end].iter().zip(spelling.iter()).all(|(w, s)| w == s))
            .then_some((*kind, spelling.len()))
    })
}

/// The kinds of school `written` names as groups, in [`UnitKind`] order
/// without repeats; empty when it names none.
pub fn school_kinds(written: &str) -> Vec<UnitKind> {
    let words = bare_words(written);
    let mut kinds: Vec<UnitKind> = Vec::new();
    let mut at = 0;
    while at < words.len() {
        // `các trường`, `các đơn vị trường học`.
        let plural = words[at] == "cac"
            && match words.get(at + 1).map(String::as_str) {
                Some("truong") => {
                    at += 2;
                    true
                }
                Some("don")
                    if words.get(at + 2).is_some_and(|w| w == "vi")
                        && words.get(at + 3).is_some_and(|w| w == "truong") =>
                {
                    at += 4;
                    true
                }
                _ => false,
            };
        if !plural {
            at += 1;
            continue;
        }
        if words.get(at).is_some_and(|w| w == "hoc") {
            at += 1;
        }
        let mut named = false;
        loop {
            if let Some((kind, len)) = level_at(&words, at) {
                kinds.push(kind);
                named = true;
                at += len;
            } else if named && words.get(at).is_some_and(|w| JOINERS.contains(&w.as_str())) {
                at += 1;
            } else {
                break;
            }
        }
        if !named {
            kinds.extend(SCHOOLS);
        }
    }
    kinds.sort_by_key(|k| *k as i32);
    kinds.dedup();
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use UnitKind::*;

    #[test]
    fn groups_of_schools_as_plans_write_them() {
        assert_eq!(
            school_kinds("Phòng GD&ĐT, các trường MN, TH, THCS"),
            [Preschool, PrimarySchool, LowerSecondarySchool]
        );
        assert_eq!(
            school_kinds("Phòng\nGD&ĐT, các\ntrường MN,\nTH, THCS"),
            [Preschool, PrimarySchool, LowerSecondarySchool]
        );
        assert_eq!(
            school_kinds("Các trường Mầm non, Tiểu học, THCS, trường Phổ thông có nhiều cấp học"),
            [Preschool, PrimarySchool, LowerSecondarySchool, MultiLevelSchool]
        );
        assert_eq!(school_kinds("Các trường PT có nhiều cấp học"), [MultiLevelSchool]);
        assert_eq!(
            school_kinds("cac truong thcs va thpt cong lap"),
            [LowerSecondarySchool, UpperSecondarySchool]
        );
        assert_eq!(
            school_kinds("các trường MN, TH, THCS công lập trong toàn quận"),
            [Preschool, PrimarySchool, LowerSecondarySchool]
        );
    }

    #[test]
    fn a_group_without_levels_is_every_school() {
        assert_eq!(school_kinds("Các trường trực thuộc"), SCHOOLS);
        assert_eq!(school_kinds("các trường học trên địa bàn"), SCHOOLS);
        assert_eq!(school_kinds("Phòng GD&ĐT, các đơn vị trường học"), SCHOOLS);
    }

    #[test]
    fn a_school_or_an_office_is_not_a_group() {
        assert!(school_kinds("Trường TH Đằng Lâm").is_empty());
        assert!(school_kinds("Phòng GD&ĐT").is_empty());
        assert!(school_kinds("Bộ phận một cửa; nhà trường").is_empty());
        assert!(school_kinds("").is_empty());
        // "th" inside another word is not a level.
        assert!(school_kinds("các thành viên").is_empty());
    }
}
