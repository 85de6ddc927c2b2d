//! What the documents eiso prints for a leader to sign share, by the
//! administrative document format of Nghị định 30/2020/NĐ-CP: the heading
//! under the document type, the mark for "no data". The date line is
//! [`crate::aip::time::document_date`]; numbering and signature,
//! [`crate::directory::Letterhead`].

use unicode_normalization::UnicodeNormalization;

/// Printed where a figure has nothing to count (a rate over no dossiers),
/// rather than a misleading `0%`.
pub const NO_DATA: &str = "–";

/// What a document titled `title` is about (trích yếu), printed under its
/// type's heading (`BÁO CÁO`): the title without a leading `Báo cáo`, so the
/// heading is not said twice (`Báo cáo kết quả …` → `Kết quả …`). A title
/// that does not start with it is kept as it is.
pub fn subject(title: &str, kind: &str) -> String {
    let title: String = title.trim().nfc().collect();
    let heading = format!("{} ", kind.to_lowercase()).nfc().collect::<String>();
    let split = title.char_indices().nth(heading.chars().count()).map(|(i, _)| i);
    let rest = split
        .filter(|&i| title[..i].to_lowercase() == heading)
        .map(|i| title[i..].trim_start())
        .filter(|rest| !rest.is_empty());
    match rest {
        Some(rest) => {
            let mut chars = rest.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
        None => title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_does_not_repeat_the_heading() {
        assert_eq!(
            subject(
                "Báo cáo kết quả thực hiện cải cách hành chính quý I năm 2024",
                "Báo cáo"
            ),
            "Kết quả thực hiện cải cách hành chính quý I năm 2024"
        );
        assert_eq!(
            subject("BÁO CÁO xem xét của lãnh đạo năm 2024", "Báo cáo"),
            "Xem xét của lãnh đạo năm 2024"
        );
        // Decomposed input (e.g. typed on a Mac) is read the same.
        let decomposed: String = "Báo cáo tình hình".nfd().collect();
        assert_eq!(subject(&decomposed, "Báo cáo"), "Tình hình");
        assert_eq!(subject("Tổng kết năm 2024", "Báo cáo"), "Tổng kết năm 2024");
        assert_eq!(subject("Báo cáo", "Báo cáo"), "Báo cáo");
        assert_eq!(subject("Báo cáoX", "Báo cáo"), "Báo cáoX");
    }
}
