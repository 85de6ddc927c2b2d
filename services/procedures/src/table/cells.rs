//! What a cell holds: the fixed values of the enumerated columns and their Vietnamese
//! labels, and each value read from (import) and written as (export) the text of a cell.

use eiso_platform::spreadsheet::{fold, squash};
use eiso_proto::eiso::procedures::v1::{
    CopyKind, Fee, OnlineLevel, ProcedureLevel, ProcedureStep, ProcessingTime, RequiredDocument, SupplementMode,
    processing_time::Budget,
};
use eiso_proto::labels::Label;

use super::{HOURS_PER_DAY, quoted};

/// Longest texts, in characters (as the catalogue's own checks).
pub(super) const MAX_NAME_CHARS: usize = 500;
pub(super) const MAX_FIELD_CHARS: usize = 200;
const MAX_STEP_CHARS: usize = 300;
const MAX_DOCUMENT_CHARS: usize = 500;
const MAX_FEE_CHARS: usize = 300;
pub(super) const MAX_LEGAL_BASIS_CHARS: usize = 500;
/// Most lines in one list cell.
pub(super) const MAX_LINES: usize = 200;
/// Longest processing time, in working days.
const MAX_DAYS: i64 = 1_000;
/// Most sets of one document.
const MAX_SETS: i64 = 100;
/// Largest fee, in đồng.
const MAX_AMOUNT: i64 = 1_000_000_000_000;
/// Longest national code.
const MAX_CODE_CHARS: usize = 40;

// ---------------------------------------------------------------------------------------
// Vocabularies of the enumerated columns: (value, other spellings accepted). The label
// written on export is the value's Vietnamese label (`eiso_proto::labels`); the enum's proto
// name, with or without its prefix, is accepted too.

type Vocabulary<T> = &'static [(T, &'static [&'static str])];

pub(super) const LEVELS: Vocabulary<ProcedureLevel> = &[
    (ProcedureLevel::Central, &["trung ương", "cấp bộ", "bộ"]),
    (ProcedureLevel::Provincial, &["tỉnh"]),
    (ProcedureLevel::District, &["huyện"]),
    (ProcedureLevel::Commune, &["xã"]),
];

pub(super) const SUPPLEMENT_MODES: Vocabulary<SupplementMode> = &[
    (SupplementMode::Restart, &["tính lại"]),
    (SupplementMode::Pause, &["tạm ngừng"]),
];

const COPY_KINDS: Vocabulary<CopyKind> = &[
    (CopyKind::Original, &[]),
    (CopyKind::CertifiedCopy, &["bản sao chứng thực", "bản sao công chứng"]),
    (
        CopyKind::Photocopy,
        &["bản photo", "bản phô tô", "bản photocopy", "bản chụp"],
    ),
    (CopyKind::OriginalOrCertified, &["bản chính hoặc bản sao chứng thực"]),
];

pub(super) const ONLINE_LEVELS: Vocabulary<OnlineLevel> = &[
    (
        OnlineLevel::Full,
        &[
            "dvc trực tuyến toàn trình",
            "dịch vụ công trực tuyến toàn trình",
            "mức độ 4",
            "mức 4",
        ],
    ),
    (
        OnlineLevel::Partial,
        &[
            "dvc trực tuyến một phần",
            "dịch vụ công trực tuyến một phần",
            "mức độ 3",
            "mức 3",
        ],
    ),
    (
        OnlineLevel::Information,
        &["chỉ cung cấp thông tin", "mức độ 2", "mức 2", "mức độ 1", "mức 1"],
    ),
];

/// The value `text` spells in `vocabulary`: its label, one of its other spellings, or its
/// proto name with or without the enum's prefix.
fn lookup<T: Label>(text: &str, vocabulary: Vocabulary<T>) -> Option<T> {
    let folded = fold(text);
    vocabulary.iter().find_map(|(value, aliases)| {
        let matches = fold(value.label_vi()) == folded
            || aliases.iter().any(|alias| fold(alias) == folded)
            || value.as_str_name().to_lowercase() == folded
            || value.short_name() == folded;
        matches.then_some(*value)
    })
}

/// The labels of a vocabulary, in its order (the order offered in a workbook's list).
pub(super) fn labels<T: Label>(vocabulary: Vocabulary<T>) -> Vec<&'static str> {
    vocabulary.iter().map(|(value, _)| value.label_vi()).collect()
}

pub(super) fn expected<T: Label>(vocabulary: Vocabulary<T>) -> String {
    quoted(&labels(vocabulary))
}

// ---------------------------------------------------------------------------------------
// Text

/// One line of text: squashed, checked for length and control characters.
pub(super) fn clean_text(text: &str, max_chars: usize) -> Result<String, String> {
    let text = squash(text);
    if text.chars().count() > max_chars {
        Err(format!("is longer than {max_chars} characters"))
    } else if text.chars().any(char::is_control) {
        Err("must not contain control characters".to_string())
    } else {
        Ok(text)
    }
}

/// The non-blank lines of a list cell, numbered from 1 as the cell shows them.
pub(super) fn cell_lines(text: &str) -> Vec<(usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect()
}

/// A whole number followed by one of `units` (`""` allows the number alone).
fn number_with_unit(text: &str, units: &[&str]) -> Option<i64> {
    let text = fold(text);
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    if digits == 0 || digits > 12 {
        return None;
    }
    let number = text[..digits].parse().ok()?;
    let unit = text[digits..].trim();
    units.iter().any(|candidate| fold(candidate) == unit).then_some(number)
}

const DAY_UNITS: &[&str] = &[
    "ngày làm việc",
    "ngày",
    "ngay lam viec",
    "ngay",
    "working days",
    "days",
    "d",
];
const HOUR_UNITS: &[&str] = &[
    "giờ làm việc",
    "giờ",
    "gio lam viec",
    "gio",
    "working hours",
    "hours",
    "h",
];
const SET_UNITS: &[&str] = &["", "bộ", "bo", "sets", "set"];
const CURRENCY_UNITS: &[&str] = &["", "đồng", "đ", "vnđ", "vnd", "dong"];
pub(super) const NO_FEE: &[&str] = &[
    "không",
    "không có",
    "không thu",
    "không thu phí",
    "miễn phí",
    "khong",
    "none",
];

fn with_bare_number<'a>(units: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec![""];
    all.extend_from_slice(units);
    all
}

// ---------------------------------------------------------------------------------------
// Values: parsing (import) and formatting (export)

pub(super) fn parse_code(text: &str) -> Result<String, String> {
    let code = text.trim().to_uppercase();
    let well_formed = code.chars().count() <= MAX_CODE_CHARS
        && code.starts_with(|c: char| c.is_ascii_digit())
        && code
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if well_formed {
        Ok(code)
    } else {
        Err(format!(
            "`{}` is not a national procedure code (digits, capital letters and dots, at most {MAX_CODE_CHARS} \
             characters, e.g. `2.002481` or `1.001234.000.00.00.H31`)",
            text.trim()
        ))
    }
}

/// A code that Excel stored as a number: national short codes are `d.dddddd`, so the number
/// gives the code back when written with six decimals.
pub(super) fn numeric_code(value: f64) -> Result<String, String> {
    let text = format!("{value:.6}");
    if value > 0.0 && value < 10.0 && text.parse::<f64>() == Ok(value) {
        Ok(text)
    } else {
        Err(format!(
            "`{value}` was stored by Excel as a number, which loses the code's digits; format the column as \
             Text and type the code again"
        ))
    }
}

/// `text` looked up in `vocabulary`, or why not, naming the column's value as `what`.
fn parse_in<T: Label>(text: &str, vocabulary: Vocabulary<T>, what: &str) -> Result<T, String> {
    lookup(text, vocabulary)
        .ok_or_else(|| format!("unknown {what} `{}` (expected {})", text.trim(), expected(vocabulary)))
}

pub(super) fn parse_level(text: &str) -> Result<ProcedureLevel, String> {
    parse_in(text, LEVELS, "level")
}

pub(super) fn parse_supplement_mode(text: &str) -> Result<SupplementMode, String> {
    if text.trim().is_empty() {
        return Ok(SupplementMode::Restart);
    }
    parse_in(text, SUPPLEMENT_MODES, "supplement mode")
}

pub(super) fn parse_online_level(text: &str) -> Result<OnlineLevel, String> {
    if text.trim().is_empty() {
        return Ok(OnlineLevel::Unspecified);
    }
    parse_in(text, ONLINE_LEVELS, "online-service level")
}

pub(super) fn parse_copy_kind(text: &str) -> Result<CopyKind, String> {
    parse_in(text, COPY_KINDS, "copy kind")
}

/// A resource id: 1–63 of `a-z 0-9 -`, as everywhere in eiso.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `collection/{id}`.
pub(super) fn parse_name(text: &str, collection: &str) -> Result<String, String> {
    let name = text.trim();
    match name.strip_prefix(collection).and_then(|rest| rest.strip_prefix('/')) {
        Some(id) if valid_id(id) => Ok(name.to_string()),
        _ => Err(format!(
            "`{name}` is not a {collection} name (expected `{collection}/{{id}}`, the id in lower-case letters, \
             digits and `-`)"
        )),
    }
}

pub(super) fn parse_processing_time(text: &str) -> Result<Budget, String> {
    let days_units = with_bare_number(DAY_UNITS);
    if let Some(days) = number_with_unit(text, &days_units) {
        if (1..=MAX_DAYS).contains(&days) {
            return Ok(Budget::WorkingDays(days as i32));
        }
        return Err(format!("must be between 1 and {MAX_DAYS} working days"));
    }
    if let Some(hours) = number_with_unit(text, HOUR_UNITS) {
        if (1..=MAX_DAYS * HOURS_PER_DAY).contains(&hours) {
            return Ok(Budget::WorkingHours(hours as i32));
        }
        return Err(format!(
            "must be between 1 and {} working hours",
            MAX_DAYS * HOURS_PER_DAY
        ));
    }
    Err(format!(
        "`{}` is not a processing time (write a whole number of working days or hours, e.g. `15 ngày làm việc` \
         or `8 giờ làm việc`)",
        text.trim()
    ))
}

pub(super) fn format_processing_time(time: Option<&ProcessingTime>) -> String {
    match time.and_then(|time| time.budget) {
        Some(Budget::WorkingDays(days)) => format!("{days} ngày làm việc"),
        Some(Budget::WorkingHours(hours)) => format!("{hours} giờ làm việc"),
        None => String::new(),
    }
}

pub(super) fn budget_hours(budget: Budget) -> i64 {
    match budget {
        Budget::WorkingDays(days) => i64::from(days) * HOURS_PER_DAY,
        Budget::WorkingHours(hours) => i64::from(hours),
    }
}

/// The `|`-separated parts of a list line, each cleaned.
fn parts(line: &str, max_chars: usize) -> Result<Vec<String>, String> {
    line.split('|').map(|part| clean_text(part, max_chars)).collect()
}

pub(super) fn parse_step(line: &str) -> Result<ProcedureStep, String> {
    let parts = parts(line, MAX_STEP_CHARS)?;
    let (name, handler, time) = match parts.as_slice() {
        [name, handler, time] => (name, handler, time),
        [name, time] => (name, &String::new(), time),
        _ => return Err("expected `Tên bước | Người thực hiện | 4 giờ`".to_string()),
    };
    if name.is_empty() {
        return Err("the step's name is missing (expected `Tên bước | Người thực hiện | 4 giờ`)".to_string());
    }
    let Some(hours) = number_with_unit(time, &with_bare_number(HOUR_UNITS)) else {
        if let Some(days) = number_with_unit(time, DAY_UNITS) {
            return Err(format!(
                "write a step's time in working hours: `{} giờ` for {days} working days",
                days.saturating_mul(HOURS_PER_DAY)
            ));
        }
        return Err(format!(
            "`{time}` is not a whole number of working hours (e.g. `4 giờ`)"
        ));
    };
    if hours > MAX_DAYS * HOURS_PER_DAY {
        return Err(format!(
            "a step takes at most {} working hours",
            MAX_DAYS * HOURS_PER_DAY
        ));
    }
    Ok(ProcedureStep {
        display_name: name.clone(),
        handler: handler.clone(),
        working_hours: hours as i32,
    })
}

pub(super) fn format_step(step: &ProcedureStep) -> String {
    format!("{} | {} | {} giờ", step.display_name, step.handler, step.working_hours)
}

pub(super) fn parse_document(line: &str) -> Result<RequiredDocument, String> {
    let parts = parts(line, MAX_DOCUMENT_CHARS)?;
    let (name, kind, sets) = match parts.as_slice() {
        [name, kind, sets] => (name, kind, Some(sets)),
        [name, kind] => (name, kind, None),
        _ => return Err("expected `Tên giấy tờ | Bản chính | 1 bộ`".to_string()),
    };
    if name.is_empty() {
        return Err("the document's name is missing (expected `Tên giấy tờ | Bản chính | 1 bộ`)".to_string());
    }
    let copy_kind = parse_copy_kind(kind)?;
    let sets = match sets {
        None => 1,
        Some(sets) => match number_with_unit(sets, SET_UNITS) {
            Some(n) if (1..=MAX_SETS).contains(&n) => n,
            Some(_) => return Err(format!("the number of sets must be between 1 and {MAX_SETS}")),
            None => return Err(format!("`{sets}` is not a number of sets (e.g. `1 bộ`)")),
        },
    };
    Ok(RequiredDocument {
        display_name: name.clone(),
        copy_kind: copy_kind as i32,
        sets: sets as i32,
    })
}

pub(super) fn format_document(document: &RequiredDocument) -> String {
    format!(
        "{} | {} | {} bộ",
        document.display_name,
        document.copy_kind().label_vi(),
        document.sets
    )
}

/// Whole đồng, thousands grouped with dots (or commas), optionally followed by the currency.
pub(super) fn parse_amount(text: &str) -> Result<i64, String> {
    let folded = fold(text);
    if NO_FEE.contains(&folded.as_str()) {
        return Ok(0);
    }
    if folded.starts_with('-') {
        return Err(format!("the amount `{}` is negative", text.trim()));
    }
    let end = folded
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(folded.len());
    let (number, unit) = (&folded[..end], folded[end..].trim());
    let not_an_amount = || format!("`{}` is not an amount in đồng (e.g. `50.000 đồng`)", text.trim());
    if number.is_empty() || !CURRENCY_UNITS.contains(&unit) {
        return Err(not_an_amount());
    }
    if number.contains('.') && number.contains(',') {
        return Err(not_an_amount());
    }
    let groups: Vec<&str> = number.split(['.', ',']).collect();
    let grouped = groups.len() == 1
        || (groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|group| group.len() == 3));
    if !grouped {
        return Err(format!(
            "`{}` is not a whole amount in đồng (group thousands with dots, e.g. `1.500.000 đồng`)",
            text.trim()
        ));
    }
    match groups.concat().parse::<i64>() {
        Ok(amount) if amount <= MAX_AMOUNT => Ok(amount),
        _ => Err(format!("the amount `{}` is too large", text.trim())),
    }
}

pub(super) fn format_amount(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    if amount < 0 { format!("-{grouped}") } else { grouped }
}

pub(super) fn parse_fee(line: &str) -> Result<Fee, String> {
    let parts = parts(line, MAX_FEE_CHARS)?;
    let [description, amount] = parts.as_slice() else {
        return Err("expected `Mô tả | 50.000 đồng`".to_string());
    };
    if description.is_empty() {
        return Err("the fee's description is missing (expected `Mô tả | 50.000 đồng`)".to_string());
    }
    Ok(Fee {
        description: description.clone(),
        amount_vnd: parse_amount(amount)?,
    })
}

pub(super) fn format_fee(fee: &Fee) -> String {
    format!("{} | {} đồng", fee.description, format_amount(fee.amount_vnd))
}
