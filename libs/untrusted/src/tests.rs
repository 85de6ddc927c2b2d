#![allow(clippy::unwrap_used)]

use super::corpus::{self, Kind, Sample};
use super::*;

/// The check a reader of `sample` makes, under `limits`.
fn check(sample: &Sample, limits: &Limits) -> Result<(), Refusal> {
    match sample.kind {
        Kind::Xlsx | Kind::Ods => check_workbook(&sample.content, limits).map(|_| ()),
        Kind::Docx => check_document(&sample.content, limits),
        Kind::Pdf => check_pdf(&sample.content, limits),
        Kind::Csv => check_csv(&sample.content, limits),
    }
}

/// What each hostile file may be refused for, on import (tables) or
/// extraction (documents and PDF); empty: let through (the parser fails on
/// it, safely).
fn expected(label: &str) -> &'static [&'static str] {
    const BOMB: &[&str] = &["Ratio", "EntryTooLarge", "UnpackedTooLarge"];
    match label {
        "xlsx-sparse-cells" | "xlsx-declared-dimension" | "ods-repeated-cells" => &["Dimensions"],
        "xlsx-declared-shared-strings" => &["SharedStrings"],
        // Refused for its compression before its strings are counted.
        "xlsx-giant-shared-strings" => &["Ratio", "SharedStrings"],
        "xlsx-shared-formula-index" => &["SharedFormula"],
        "xlsx-zip-bomb" | "ods-zip-bomb" | "docx-zip-bomb" | "pdf-deflate-bomb" => BOMB,
        // The zip reader stops at the declared size; the count is the second guard.
        "xlsx-zip-bomb-lying-header" | "docx-zip-bomb-lying-header" => &["Damaged", "Ratio", "EntryTooLarge"],
        "xlsx-deep-nesting" | "ods-deep-nesting" | "docx-deep-nesting" | "pdf-deep-nesting" => &["TooDeep"],
        "xlsx-truncated" | "docx-truncated" => &["Damaged"],
        "xlsx-lying-directory" => &["TooManyEntries"],
        "csv-100000-columns" => &["TooManyFields"],
        "csv-5-mib-record" | "csv-unterminated-quote" => &["RecordTooLarge"],
        "pdf-truncated" => &[],
        other => panic!("no expectation for {other}"),
    }
}

fn variant(refusal: &Refusal) -> String {
    format!("{refusal:?}")
        .split([' ', '(', '{'])
        .next()
        .unwrap()
        .to_string()
}

fn limits_for(kind: Kind) -> Limits {
    match kind {
        Kind::Xlsx | Kind::Ods | Kind::Csv => Limits::IMPORT,
        Kind::Docx | Kind::Pdf => Limits::EXTRACTION,
    }
}

#[test]
fn every_hostile_file_is_refused_for_what_it_does() {
    let mut wrong = Vec::new();
    for sample in corpus::hostile() {
        assert!(
            sample.content.len() < 8 << 20,
            "{} is {} bytes",
            sample.label,
            sample.content.len()
        );
        let outcome = check(&sample, &limits_for(sample.kind));
        let allowed = expected(sample.label);
        let right = match &outcome {
            Ok(()) => allowed.is_empty(),
            Err(refusal) => allowed.contains(&variant(refusal).as_str()),
        };
        if !right {
            wrong.push(format!(
                "{}: expected one of {allowed:?}, got {outcome:?}",
                sample.label
            ));
        }
        if let Err(refusal) = outcome {
            assert!(refusal.to_string().len() < 200, "{refusal}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn extraction_limits_refuse_the_hostile_workbooks_too() {
    for sample in corpus::hostile().into_iter().filter(|s| s.kind == Kind::Xlsx) {
        if sample.label == "xlsx-declared-shared-strings" || sample.label == "xlsx-giant-shared-strings" {
            // Within what text extraction reads (two million strings).
            continue;
        }
        assert!(check(&sample, &Limits::EXTRACTION).is_err(), "{}", sample.label);
    }
}

#[test]
fn ordinary_files_pass_and_their_parsers_read_them() {
    for sample in corpus::ordinary() {
        check(&sample, &Limits::IMPORT).unwrap_or_else(|e| panic!("{}: {e}", sample.label));
        check(&sample, &Limits::EXTRACTION).unwrap_or_else(|e| panic!("{}: {e}", sample.label));
        if matches!(sample.kind, Kind::Xlsx | Kind::Ods) {
            use calamine::Reader;
            let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(&sample.content)).unwrap();
            let range = workbook.worksheet_range_at(0).unwrap().unwrap();
            assert!(
                range.cells().any(|(_, _, cell)| *cell == "ordinary"),
                "{}",
                sample.label
            );
        }
    }
}

#[test]
fn cell_references_read() {
    assert_eq!(cell_reference("A1"), Some((1, 1)));
    assert_eq!(cell_reference("$XFD$1048576"), Some((1_048_576, 16_384)));
    assert_eq!(cell_reference("1A"), None);
    assert_eq!(cell_reference("ABCDE1"), None);
}

#[test]
fn csv_counts_fields_outside_quotes_only() {
    let limits = Limits {
        max_fields: 3,
        ..Limits::IMPORT
    };
    assert!(check_csv(b"a,b,c\n\"x,y,z,w\",b,c\n", &limits).is_ok());
    assert!(check_csv(b"a,b,c,d\n", &limits).is_err());
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("a,b,c,d\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    assert!(check_csv(&utf16, &limits).is_err());
}

#[test]
fn oversized_files_are_refused_before_anything_is_read() {
    let limits = Limits {
        max_file_bytes: 10,
        ..Limits::IMPORT
    };
    assert!(matches!(
        check_csv(&[b'a'; 11], &limits),
        Err(Refusal::TooLarge { size: 11, max: 10 })
    ));
    assert!(matches!(check_pdf(&[b'a'; 11], &limits), Err(Refusal::TooLarge { .. })));
}

#[test]
fn shared_strings_are_counted_as_well_as_declared() {
    let limits = Limits {
        max_shared_strings: 5,
        ..Limits::IMPORT
    };
    let sample = corpus::shared_strings(10);
    assert!(matches!(
        check_workbook(&sample, &limits),
        Err(Refusal::SharedStrings { count: 6, max: 5 })
    ));
    assert!(check_workbook(&corpus::shared_strings(5), &limits).is_ok());
}
